import { mapLimit } from '../core/map-limit.js';
import { errorCode, type HostProbe } from './host-probe.js';
import type { ContainerLogFacts } from './local-facts.js';

// The json-file driver writes <data-root>/containers/<id>/<id>-json.log and, with max-file,
// rotates to <id>-json.log.1, .2, ... (`.N.gz` with compress=true). Without max-size the
// first file grows until the disk is full, so the biggest containers are worth naming.

export const LARGEST_COUNT = 5;
const SCAN_WIDTH = 64;

export interface LogFile {
  containerId: string;
  name: string;
  bytes: number;
}

/** Whether `name` is a json-file log (current or rotated) of container `id`. */
export function isJsonLogName(id: string, name: string): boolean {
  return name === `${id}-json.log` || (name.startsWith(`${id}-json.log.`) && /^\d+(\.gz)?$/.test(name.slice(id.length + 10)));
}

/** Totals, and the containers whose logs (current plus rotated) are biggest, biggest first. */
export function summariseLogs(files: LogFile[], dataRoot: string): ContainerLogFacts {
  const perContainer = new Map<string, number>();
  for (const f of files) perContainer.set(f.containerId, (perContainer.get(f.containerId) ?? 0) + f.bytes);
  const largest = [...perContainer.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, LARGEST_COUNT)
    .map(([containerId, bytes]) => ({ containerId, path: `${dataRoot.replace(/\/+$/, '')}/containers/${containerId}/${containerId}-json.log`, bytes }));
  return { count: files.length, totalBytes: files.reduce((sum, f) => sum + f.bytes, 0), largest };
}

export async function gatherContainerLogs(probe: HostProbe, dataRoot: string, gaps: string[]): Promise<ContainerLogFacts | null> {
  const dir = `${dataRoot.replace(/\/+$/, '')}/containers`;
  let ids: string[] | null;
  try {
    ids = await probe.readDir(dir);
  } catch (err) {
    gaps.push(`${dir} cannot be read (${errorCode(err)}): container log sizes are unknown; run dockwarden as root.`);
    return null;
  }
  if (ids === null) {
    gaps.push(`${dir} does not exist here: container log sizes are unknown (is the data root mounted where dockwarden runs?).`);
    return null;
  }
  const files: LogFile[] = [];
  let unreadable = 0;
  const scan = async (id: string): Promise<void> => {
    try {
      const names = ((await probe.readDir(`${dir}/${id}`)) ?? []).filter((name) => isJsonLogName(id, name));
      for (const name of names) {
        const bytes = await probe.fileSize(`${dir}/${id}/${name}`);
        if (bytes !== null) files.push({ containerId: id, name, bytes });
      }
    } catch {
      unreadable++;
    }
  };
  // Hosts run thousands of containers: a bounded number of directory reads at once keeps
  // this from being thousands of sequential round trips, without exhausting descriptors.
  await mapLimit(ids, SCAN_WIDTH, scan);
  if (unreadable > 0) gaps.push(`${unreadable} of ${ids.length} container directories under ${dir} could not be read: their logs are not counted.`);
  return summariseLogs(files, dataRoot);
}
