import type { DockerInfo } from './docker-info-schema.js';

// The storage driver's name as the checks compare it. Engines print one spelling
// ("devicemapper"), but pastes carry others: users and old docs write "device mapper" or
// "Device Mapper", chat turns "overlay2" into "overlay 2", and hand-edited JSON says
// "Overlay2". Each known driver has one canonical name; anything else is unknown, and an
// unknown driver must be reported as not checked, never taken for a healthy one.

/** Docker's graph drivers, containerd's snapshotters (containerd image store) and Windows', by canonical name. */
export const KNOWN_DRIVERS = [
  'overlay2',
  'overlay',
  'devicemapper',
  'aufs',
  'btrfs',
  'zfs',
  'vfs',
  'fuse-overlayfs',
  // containerd's image store shows its snapshotter: "overlayfs" with driver-type io.containerd.snapshotter.v1.
  'overlayfs',
  'native',
  'stargz',
  'windowsfilter',
  'lcow',
] as const;
export type KnownDriver = (typeof KNOWN_DRIVERS)[number];

/** "Device Mapper", "device-mapper", "overlay 2" -> the letters and digits that tell drivers apart. */
function squash(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const BY_SQUASHED = new Map<string, KnownDriver>(KNOWN_DRIVERS.map((name) => [squash(name), name]));

/** The canonical name of a driver as anyone wrote it ("Device Mapper" -> "devicemapper"), or undefined when unknown. */
export function canonicalDriverName(raw: string): KnownDriver | undefined {
  return BY_SQUASHED.get(squash(raw));
}

export interface StorageDriver {
  /** Canonical when known ("devicemapper"), else the name as given, trimmed. */
  name: string;
  /** As the engine or the paste wrote it. */
  raw: string;
  known: boolean;
}

/** The engine's storage driver, normalised; undefined when the info names none. */
export function storageDriverOf(info: DockerInfo): StorageDriver | undefined {
  const raw = info.Driver?.trim();
  if (!raw) return undefined;
  const canonical = canonicalDriverName(raw);
  return { name: canonical ?? raw, raw, known: canonical !== undefined };
}

/** The NotChecked reason for a driver dockwarden does not know, naming the ones it does. */
export function unknownDriverReason(driver: StorageDriver): string {
  return `The storage driver ${JSON.stringify(driver.raw)} is not one dockwarden knows (${KNOWN_DRIVERS.join(', ')}), so it was not judged.`;
}

/** "Storage Driver: devicemapper", or "Storage Driver: Device Mapper (read as devicemapper)" when the spelling differed. */
export function driverEvidence(driver: StorageDriver): string {
  return driver.raw === driver.name ? `Storage Driver: ${driver.name}` : `Storage Driver: ${driver.raw} (read as ${driver.name})`;
}
