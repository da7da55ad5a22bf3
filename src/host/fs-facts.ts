import { posix } from 'node:path';
import { errorCode, type HostProbe } from './host-probe.js';
import type { FsFacts } from './local-facts.js';
import { filesystemMountOf, findMountFor, type MountEntry } from './mountinfo.js';
import { parseXfsFtype } from './xfs-info.js';

// The filesystem under a path: which mount holds it (from mountinfo, after resolving
// symlinks: /var/lib/docker is often a link to a bigger disk), its usage (statfs), and for
// XFS whether it was made with ftype=1, without which overlay2 is unsafe.

/** The deepest existing directory on the way to `path`, resolved, and the rest of the path. */
async function nearestExisting(probe: HostProbe, path: string): Promise<{ real: string; rest: string[] }> {
  let current = posix.resolve('/', path);
  const rest: string[] = [];
  for (;;) {
    const real = await probe.realPath(current);
    if (real !== null) return { real, rest };
    if (current === '/') return { real: '/', rest };
    rest.unshift(posix.basename(current));
    current = posix.dirname(current);
  }
}

async function xfsFtype(probe: HostProbe, mountPoint: string, gaps: string[]): Promise<0 | 1 | null> {
  const result = await probe.exec('xfs_info', [mountPoint]);
  if (result === null) {
    gaps.push(`xfs_info is not installed: whether the XFS filesystem at ${mountPoint} has ftype=1 (d_type, needed by overlay2) is unknown; install xfsprogs.`);
    return null;
  }
  if (result.code !== 0) {
    const why = result.stderr.trim().split('\n')[0] || `exit ${result.code}`;
    gaps.push(`xfs_info ${mountPoint} failed (${why}): whether it has ftype=1 (d_type) is unknown.`);
    return null;
  }
  const ftype = parseXfsFtype(result.stdout);
  if (ftype === null) gaps.push(`xfs_info ${mountPoint} does not show ftype (xfsprogs older than 3.2?): whether it has d_type is unknown.`);
  return ftype;
}

/** Facts about the filesystem holding `path`; null (with a gap) when they cannot be learned. */
export async function gatherFsFacts(probe: HostProbe, path: string, mounts: MountEntry[], gaps: string[]): Promise<FsFacts | null> {
  let where: { real: string; rest: string[] };
  try {
    where = await nearestExisting(probe, path);
  } catch (err) {
    gaps.push(`${path} cannot be resolved (${errorCode(err)}): its filesystem is unknown.`);
    return null;
  }
  if (where.rest.length > 0) {
    gaps.push(`${path} does not exist here: its filesystem facts are those of ${where.real}, where it would be created.`);
  }
  const innermost = findMountFor(mounts, where.real);
  if (!innermost) {
    gaps.push(`No mount in /proc/self/mountinfo holds ${where.real}: the filesystem of ${path} is unknown.`);
    return null;
  }
  const mount = filesystemMountOf(mounts, innermost);
  let usage: Awaited<ReturnType<typeof probe.statfs>>;
  try {
    usage = await probe.statfs(where.real);
  } catch (err) {
    gaps.push(`statfs ${where.real} failed (${errorCode(err)}): the size and usage of the filesystem of ${path} are unknown.`);
    return null;
  }
  return {
    path: posix.join(where.real, ...where.rest),
    mountPoint: mount.mountPoint,
    device: mount.source,
    deviceId: mount.deviceId,
    fsType: mount.fsType,
    mountOptions: mount.mountOptions,
    superOptions: mount.superOptions,
    ...usage,
    xfsFtype: mount.fsType === 'xfs' ? await xfsFtype(probe, mount.mountPoint, gaps) : null,
  };
}
