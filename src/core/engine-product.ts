import { UsageError } from './errors.js';
import { majorVersion } from './versions.js';
import type { DockerInfo } from './docker-info-schema.js';

// Which engine answers the Docker API: Docker's dockerd, or Podman's `podman system
// service` (the API behind podman.socket). Podman says so in GET /version, whose
// Components list "Podman Engine" (Platform.Name is only "linux/amd64/debian-12"), and
// its /info adds fields Docker's never has (BuildahVersion, Rootless, SwapFree...). Its
// ServerVersion is Podman's own (4.3.1), its DockerRootDir is containers/storage's graph
// root (/var/lib/containers/storage by default) and its Driver "overlay" is
// containers/storage's current driver, not Docker's removed overlay (v1). It has no
// daemon.json, no docker.service, no swarm, and no daemon whose restart stops containers
// (each runs under its own conmon).

export type EngineProduct = 'docker' | 'podman';

export const PRODUCT_NAME: Record<EngineProduct, string> = { docker: 'Docker', podman: 'Podman' };

/** One entry of /version's Components, as dockwarden keeps it. */
export interface VersionComponent {
  name: string;
  version: string;
}

/** /version's Components (API >= 1.35), or null when the answer has none. */
export function versionComponents(raw: unknown): VersionComponent[] | null {
  const list = raw !== null && typeof raw === 'object' ? (raw as { Components?: unknown }).Components : undefined;
  if (!Array.isArray(list)) return null;
  return list.flatMap((c: unknown) => {
    const { Name, Version } = (c ?? {}) as { Name?: unknown; Version?: unknown };
    return typeof Name === 'string' ? [{ name: Name, version: typeof Version === 'string' ? Version : '' }] : [];
  });
}

/** What /version's components say, or null when they say nothing either way. */
export function productFromComponents(components: readonly VersionComponent[] | null | undefined): EngineProduct | null {
  if (!components || components.length === 0) return null;
  if (components.some((c) => /^podman\b/i.test(c.name))) return 'podman';
  // dockerd lists "Engine" (with containerd, runc, docker-init).
  return components.some((c) => c.name === 'Engine') ? 'docker' : null;
}

/**
 * Docker or Podman, from the best evidence there is: /version's components (a live
 * engine), then Podman's own /info fields (a live engine or a facts file), then what
 * survives in a `docker info` paste: containers/storage's root, or a server version no
 * Docker release ever had (Docker went from 1.13 to 17.03; Podman's API came with 2.0).
 */
export function engineProduct(info: DockerInfo, components?: readonly VersionComponent[] | null): EngineProduct {
  const fromVersion = productFromComponents(components);
  if (fromVersion) return fromVersion;
  if (typeof info['BuildahVersion'] === 'string') return 'podman';
  if (/\/containers\/storage\/?$/.test(info.DockerRootDir ?? '')) return 'podman';
  const major = majorVersion(info.ServerVersion);
  return major !== undefined && major >= 2 && major <= 16 ? 'podman' : 'docker';
}

/** "Podman 4.3.1" / "Docker 28.5.2", for headers and log lines. */
export function describeEngine(info: DockerInfo, components?: readonly VersionComponent[] | null): string {
  const product = engineProduct(info, components);
  const version = info.ServerVersion ?? components?.find((c) => (product === 'podman' ? /^podman\b/i.test(c.name) : c.name === 'Engine'))?.version;
  return version ? `${PRODUCT_NAME[product]} ${version}` : PRODUCT_NAME[product];
}

/**
 * For what Podman does not offer (dockerd's daemon.json and docker.service, a build
 * cache API...): one line, exit 3, before anything is changed. `say` gets "Podman 4.3.1".
 */
export function refuseOnPodman(info: DockerInfo, components: readonly VersionComponent[] | null | undefined, say: (engine: string) => string): void {
  if (engineProduct(info, components) === 'podman') throw new UsageError(say(describeEngine(info, components)));
}
