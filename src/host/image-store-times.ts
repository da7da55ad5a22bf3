import { mapLimit } from '../core/map-limit.js';
import type { HostProbe } from './host-probe.js';

// When each image arrived on this host. Docker keeps no such date (Created is the
// image's own, LastTagTime is unset after a pull or load), but the classic image store
// writes each image's config once, to <data-root>/image/<driver>/imagedb/content/sha256/<id>,
// when the image arrives: that file's time is the arrival. Engines using the containerd
// image store have no such directory (gc reads containerd's content store for them).
// Podman's containers/storage writes each image's config once too, on arrival, to
// <graph root>/<driver>-images/<hex>/=<base64 of "sha256:<hex>">.

const STAT_CONCURRENCY = 32;

export async function imageStoredTimes(probe: HostProbe, dataRoot: string, driver: string, imageIds: readonly string[]): Promise<Map<string, number>> {
  const dir = `${dataRoot}/image/${driver}/imagedb/content/sha256`;
  const podman = (hex: string) => `${dataRoot}/${driver}-images/${hex}/=${Buffer.from(`sha256:${hex}`).toString('base64')}`;
  const times = await mapLimit(imageIds, STAT_CONCURRENCY, async (id) => {
    const hex = id.replace(/^sha256:/, '');
    return (await probe.modifiedAt(`${dir}/${hex}`).catch(() => null)) ?? probe.modifiedAt(podman(hex)).catch(() => null);
  });
  const out = new Map<string, number>();
  imageIds.forEach((id, i) => {
    const t = times[i];
    if (t !== null && t !== undefined) out.set(id, t);
  });
  return out;
}
