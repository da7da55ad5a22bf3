import { mapLimit } from '../core/map-limit.js';
import type { HostProbe } from './host-probe.js';

// When each image arrived on this host. Docker keeps no such date (Created is the
// image's own, LastTagTime is unset after a pull or load), but the classic image store
// writes each image's config once, to <data-root>/image/<driver>/imagedb/content/sha256/<id>,
// when the image arrives: that file's time is the arrival. Engines using the containerd
// image store have no such directory, and then the map is empty.

const STAT_CONCURRENCY = 32;

export async function imageStoredTimes(probe: HostProbe, dataRoot: string, driver: string, imageIds: readonly string[]): Promise<Map<string, number>> {
  const dir = `${dataRoot}/image/${driver}/imagedb/content/sha256`;
  const times = await mapLimit(imageIds, STAT_CONCURRENCY, (id) => probe.modifiedAt(`${dir}/${id.replace(/^sha256:/, '')}`).catch(() => null));
  const out = new Map<string, number>();
  imageIds.forEach((id, i) => {
    const t = times[i];
    if (t !== null && t !== undefined) out.set(id, t);
  });
  return out;
}
