import { mapLimit } from '../core/map-limit.js';
import { errorCode, type HostProbe } from './host-probe.js';

// When each image arrived on this host. Docker keeps no such date (Created is the
// image's own, LastTagTime is unset after a pull or load), but the classic image store
// writes each image's config once, to <data-root>/image/<driver>/imagedb/content/sha256/<id>,
// when the image arrives: that file's time is the arrival. Engines using the containerd
// image store have no such directory (gc reads containerd's content store for them).
// Podman's containers/storage writes each image's config once too, on arrival, to
// <graph root>/<driver>-images/<hex>/=<base64 of "sha256:<hex>">.

const STAT_CONCURRENCY = 32;

/**
 * Arrival times by image id; images without a config file here are left out (the planner
 * then counts min-age from other evidence). A file that exists but cannot be read (EACCES
 * when not root) is not "absent": one sentence in `gaps` says how many and why.
 */
export async function imageStoredTimes(probe: HostProbe, dataRoot: string, driver: string, imageIds: readonly string[], gaps: string[]): Promise<Map<string, number>> {
  const dir = `${dataRoot}/image/${driver}/imagedb/content/sha256`;
  const podman = (hex: string) => `${dataRoot}/${driver}-images/${hex}/=${Buffer.from(`sha256:${hex}`).toString('base64')}`;
  const failures = new Map<string, number>();
  const times = await mapLimit(imageIds, STAT_CONCURRENCY, async (id) => {
    const hex = id.replace(/^sha256:/, '');
    try {
      return (await probe.modifiedAt(`${dir}/${hex}`)) ?? (await probe.modifiedAt(podman(hex)));
    } catch (err) {
      const code = errorCode(err);
      failures.set(code, (failures.get(code) ?? 0) + 1);
      return null;
    }
  });
  const out = new Map<string, number>();
  imageIds.forEach((id, i) => {
    const t = times[i];
    if (t !== null && t !== undefined) out.set(id, t);
  });
  if (failures.size > 0) {
    const count = [...failures.values()].reduce((a, b) => a + b, 0);
    const why = [...failures.keys()].join(', ');
    gaps.push(
      `When ${count} ${count === 1 ? 'image' : 'images'} arrived could not be read under ${dataRoot} (${why}): --min-age then counts from what the agent recorded, an event or the last tag, else the image's creation date; run dockwarden as root.`,
    );
  }
  return out;
}
