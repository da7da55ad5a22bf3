import { imageStoreKind } from '../core/image-store.js';
import type { HostFacts } from '../facts.js';
import type { FsFacts } from '../host/local-facts.js';
import { dataRoot } from './facts-view.js';

// Every filesystem that holds engine data. With a graph driver that is the data root's;
// with containerd's image store, image content and snapshots (and containers' writable
// layers) live in containerd's root, which on packaged hosts is /var/lib/containerd on
// whatever filesystem that is. Volumes and container logs stay under the data root.
// A filesystem holding both is listed once.

export type DataRole = { kind: 'data-root' | 'containerd-root'; path: string };

export interface DataFilesystem {
  roles: DataRole[];
  fs: FsFacts;
}

export interface DataFilesystems {
  filesystems: DataFilesystem[];
  /** Sentences on what holds engine data but could not be measured here. */
  unknown: string[];
}

export function roleName(role: DataRole): string {
  return role.kind === 'data-root' ? `the data root ${role.path}` : `containerd's root ${role.path}`;
}

/** "the data root /var/lib/docker and containerd's root /var/lib/docker/containerd/daemon" */
export function describeRoles(roles: readonly DataRole[]): string {
  return roles.map(roleName).join(' and ');
}

/** Whether the engine keeps images in containerd's store (from `docker info`, so pastes can tell too). */
export function usesContainerdStore(facts: HostFacts): boolean {
  return imageStoreKind(facts.engine.info) === 'containerd';
}

/** Why containerd's root is not known here, or null when it is (or the store is not containerd's). */
export function containerdRootUnknown(facts: HostFacts): string | null {
  if (!usesContainerdStore(facts)) return null;
  if (!facts.host) return "Images live in containerd's image store, whose root (containerd's config.toml `root`, default /var/lib/containerd) and filesystem are not known here";
  if (!facts.host.containerd)
    return "Images live in containerd's image store, but this snapshot does not say where containerd's root is (written by a dockwarden from before containerd's store was measured)";
  if (!facts.host.containerd.rootFs) return `The filesystem of containerd's root ${facts.host.containerd.root} could not be measured`;
  return null;
}

export function engineDataFilesystems(facts: HostFacts): DataFilesystems {
  const host = facts.host;
  const filesystems: DataFilesystem[] = [];
  const unknown: string[] = [];
  const add = (role: DataRole, fs: FsFacts) => {
    const same = filesystems.find((f) => f.fs.deviceId === fs.deviceId);
    if (same) same.roles.push(role);
    else filesystems.push({ roles: [role], fs });
  };
  const root = dataRoot(facts) ?? host?.dataRoot;
  if (host?.dataRootFs) add({ kind: 'data-root', path: root ?? host.dataRootFs.path }, host.dataRootFs);
  else unknown.push("The data root filesystem's usage is not known here");
  const containerd = host?.containerd;
  if (containerd?.rootFs) add({ kind: 'containerd-root', path: containerd.root }, containerd.rootFs);
  const why = containerdRootUnknown(facts);
  if (why) unknown.push(why);
  return { filesystems, unknown };
}

/** The filesystem image content lives on: containerd's root's with its store, else the data root's. */
export function imageFilesystem(facts: HostFacts): DataFilesystem | null {
  const kind = usesContainerdStore(facts) ? 'containerd-root' : 'data-root';
  return engineDataFilesystems(facts).filesystems.find((f) => f.roles.some((r) => r.kind === kind)) ?? null;
}
