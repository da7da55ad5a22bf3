import { mapLimit } from '../core/map-limit.js';
import type { HistoryEntry } from '../engine/engine-api.js';
import type { ImageAnswers } from '../engine/gather-inventory.js';
import { chainIds } from '../engine/image-layers.js';
import type { HostProbe } from './host-probe.js';

// What `docker image inspect` and `docker history` answer about an image, read from a
// graph driver's image store on this host instead: gc needs both for every image, and
// two requests per image (600 for 300 images) cost the engine more than reading the few
// small files the engine itself answers them from. Docker 20.10 to 28 keep the same
// layout under <data root>/image/<driver>/:
//
//   imagedb/content/sha256/<id>               the image config: rootfs.diff_ids (inspect's
//                                             RootFS.Layers) and history (created_by, empty_layer)
//   imagedb/metadata/sha256/<id>/lastUpdated  inspect's Metadata.LastTagTime (RFC 3339), absent
//                                             when never tagged here
//   layerdb/sha256/<chain id>/size            the layer's size in bytes, as history reports it
//
// The history is rebuilt as the engine builds it (daemon/images/image_history.go): one
// entry per config history entry, newest first, the next layer's size for each entry that
// made a layer and 0 for the others. Whatever does not read as the engine would read it
// (a file missing, changing under us or unreadable) leaves that image to the API.

const READ_CONCURRENCY = 16;

export function graphImageDir(dataRoot: string, driver: string): string {
  return `${dataRoot}/image/${driver}`;
}

interface ConfigHistory {
  created_by?: unknown;
  empty_layer?: unknown;
}

/** The config's diff ids and history, or null when it is not a config the engine would read. */
function parseConfig(text: string): { diffIds: string[]; history: ConfigHistory[] } | null {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return null;
  }
  if (config === null || typeof config !== 'object') return null;
  const rootfs = (config as { rootfs?: { diff_ids?: unknown } }).rootfs;
  const diffIds = rootfs?.diff_ids ?? [];
  const history = (config as { history?: unknown }).history ?? [];
  if (!Array.isArray(diffIds) || !diffIds.every((d) => typeof d === 'string') || !Array.isArray(history)) return null;
  if (!history.every((h) => h !== null && typeof h === 'object')) return null;
  return { diffIds: diffIds as string[], history: history as ConfigHistory[] };
}

/**
 * Inspect and history of each image the store holds whole, by image id; the others are
 * left out (the caller asks the engine for them). Throws only when the store's directories
 * cannot be read (EACCES: not root), which the caller treats like a store that is not there.
 */
export async function readGraphImages(probe: HostProbe, dataRoot: string, driver: string, imageIds: readonly string[]): Promise<Map<string, ImageAnswers>> {
  const dir = graphImageDir(dataRoot, driver);
  const out = new Map<string, ImageAnswers>();
  // Podman, containerd's image store, or another driver's directory: nothing to read here.
  if ((await probe.readDir(`${dir}/imagedb/content/sha256`)) === null) return out;
  const tagged = new Set(await probe.readDir(`${dir}/imagedb/metadata/sha256`));
  const layerSizes = new Map<string, Promise<number | null>>();
  const layerSize = (chainId: string): Promise<number | null> => {
    let size = layerSizes.get(chainId);
    if (!size) {
      const hex = /^sha256:([0-9a-f]{64})$/.exec(chainId)?.[1];
      size = hex ? probe.readFile(`${dir}/layerdb/sha256/${hex}/size`).then((text) => (text !== null && /^\d+$/.test(text.trim()) ? Number(text.trim()) : null)) : Promise.resolve(null);
      layerSizes.set(chainId, size);
    }
    return size;
  };

  const read = async (id: string): Promise<ImageAnswers | null> => {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(id)?.[1];
    if (!hex) return null;
    const text = await probe.readFile(`${dir}/imagedb/content/sha256/${hex}`);
    const config = text === null ? null : parseConfig(text);
    if (!config) return null;
    let lastTagTime: number | null = null;
    if (tagged.has(hex)) {
      const stamp = await probe.readFile(`${dir}/imagedb/metadata/sha256/${hex}/lastUpdated`);
      if (stamp !== null && stamp !== '') {
        // The engine fails the inspect of a time it cannot parse: let it say so.
        const at = Date.parse(stamp);
        if (!Number.isFinite(at)) return null;
        lastTagTime = at > 0 ? at : null;
      }
    }
    const chains = chainIds(config.diffIds);
    const history: HistoryEntry[] = [];
    let layer = 0;
    for (const h of config.history) {
      let size = 0;
      if (h.empty_layer !== true) {
        // The engine refuses such an image ("too many non-empty layers in History section").
        if (layer >= chains.length) return null;
        const s = await layerSize(chains[layer++] as string);
        if (s === null) return null;
        size = s;
      }
      history.unshift({ createdBy: typeof h.created_by === 'string' ? h.created_by : '', size });
    }
    return { diffIds: config.diffIds, lastTagTime, history };
  };

  // One image that cannot be read (EACCES on its file) is asked for; the others are not.
  const found = await mapLimit(imageIds, READ_CONCURRENCY, (id) => read(id).catch(() => null));
  imageIds.forEach((id, i) => {
    const image = found[i];
    if (image) out.set(id, image);
  });
  return out;
}
