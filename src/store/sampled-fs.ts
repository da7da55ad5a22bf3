import type { HostFacts } from '../facts.js';
import type { UsageSample } from './agent-store.js';

// The filesystems the agent samples: the data root's, and containerd's root's when
// images live in containerd's store on a filesystem of its own (packaged hosts keep
// /var/lib/containerd apart). Each gets its own series, its own forecast, and the one
// that fills first is the one the forecast finding names.

export type FsRole = 'data-root' | 'containerd-root';

export interface SampledFs {
  role: FsRole;
  /** The directory statfs is asked about: the data root, or containerd's root. */
  path: string;
  mountPoint: string;
}

export interface FsReading {
  sizeBytes: number;
  availBytes: number;
}

/** From the facts at (re)connection; empty for a remote engine. */
export function filesystemsToSample(facts: HostFacts): SampledFs[] {
  const host = facts.host;
  if (!host?.dataRootFs) return [];
  const out: SampledFs[] = [{ role: 'data-root', path: facts.engine.info.DockerRootDir ?? host.dataRoot, mountPoint: host.dataRootFs.mountPoint }];
  const containerd = host.containerd;
  if (containerd?.rootFs && containerd.rootFs.deviceId !== host.dataRootFs.deviceId) {
    out.push({ role: 'containerd-root', path: containerd.root, mountPoint: containerd.rootFs.mountPoint });
  }
  return out;
}

/** What a stored sample says about one of the filesystems; null when it was not measured. */
export function readingOf(s: UsageSample, role: FsRole): FsReading | null {
  const [size, avail] = role === 'data-root' ? [s.fsSizeBytes, s.fsAvailBytes] : [s.containerdFsSizeBytes, s.containerdFsAvailBytes];
  return size === null || avail === null ? null : { sizeBytes: size, availBytes: avail };
}
