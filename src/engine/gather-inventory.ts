import { mapLimit } from '../core/map-limit.js';
import type { DockerInfo } from './docker-info.js';
import { EngineError } from '../core/errors.js';
import type { EngineApi, EngineEvent, HistoryEntry, ImageDetails, ImageSummary } from './engine-api.js';
import { engineProduct } from '../core/engine-product.js';
import { imageStoreKind } from '../core/image-store.js';
import { layersWithSizes } from './image-layers.js';
import type { Inventory, InventoryImage, ServiceImages, UseEvent } from './inventory.js';

// Reads everything gc decides from, in as few engine round trips as the API allows:
// one image list (intermediate images included, to know parents), one container list,
// the services when this node is a manager, the engine's recent events, and an
// inspect + history per image for its layers — unless the caller can read those from
// the engine's image store on this host (a graph driver's, host/graph-image-store.ts),
// which answers the same without a request per image. /system/df is slow on hosts with
// many containers (it sizes every container's layer), so it is asked only as a fallback.

const PER_IMAGE_CONCURRENCY = 8;

/** What gc needs of an image beyond the list: its inspect's diff ids and last tag time, and its history. */
export interface ImageAnswers {
  /** Uncompressed layer digests, base first (inspect's RootFS.Layers). */
  diffIds: string[];
  /** Inspect's Metadata.LastTagTime (unix ms); null when never tagged here. */
  lastTagTime: number | null;
  /** As GET /images/{id}/history answers: newest first. */
  history: HistoryEntry[];
}

/** Answers read without the engine, by image id; the images it leaves out are asked for. */
export type ReadImageAnswers = (imageIds: readonly string[]) => Promise<ReadonlyMap<string, ImageAnswers>>;

/** Images `docker images` lists: tagged ones, and untagged ones no other image builds on. */
function topLevel(all: ImageSummary[]): ImageSummary[] {
  const hasChild = new Set(all.map((i) => i.parentId).filter((p) => p !== ''));
  return all.filter((i) => i.repoTags.length > 0 || !hasChild.has(i.id));
}

const CONTAINER_USE = /^(create|start|restart|die|exec_create|exec_start)/;
const IMAGE_ARRIVAL = new Set(['pull', 'load', 'import', 'tag', 'commit']);

function useEvent(e: EngineEvent): UseEvent | null {
  const at = Number(e.timeNano / 1_000_000n);
  if (e.type === 'container' && CONTAINER_USE.test(e.action) && e.attributes['image']) {
    return { action: `container ${e.action.split(':')[0]}`, image: e.attributes['image'], at };
  }
  if (e.type === 'image' && IMAGE_ARRIVAL.has(e.action) && e.actorId) return { action: `image ${e.action}`, image: e.actorId, at };
  return null;
}

async function recentEvents(engine: EngineApi, now: Date): Promise<UseEvent[]> {
  // With `until` in the past (or now) the engine replays its buffer and closes the stream.
  const out: UseEvent[] = [];
  for await (const e of engine.events({ since: '1', until: String(Math.floor(now.getTime() / 1000)) })) {
    const u = useEvent(e);
    if (u) out.push(u);
  }
  return out;
}

async function services(engine: EngineApi, info: DockerInfo): Promise<{ services: ServiceImages[] | null; note: string | null }> {
  const swarm = info.Swarm;
  if (!swarm || swarm.LocalNodeState !== 'active') return { services: [], note: null };
  if (!swarm.ControlAvailable) {
    return {
      services: null,
      note: 'This node is a swarm worker: services and their previous (rollback) images are visible only on managers. Images of task containers that swarm still keeps (task history) are protected; protect others with --keep.',
    };
  }
  const list = await engine.listServices();
  return { services: list.map((s) => ({ name: s.name, current: s.image, previous: s.previousImage })), note: null };
}

/**
 * With containerd's image store the list's Size is the content blobs of every platform
 * held plus the unpacked snapshots, and the history's sizes are the snapshots, layer by
 * layer, as the snapshotter measures them. So snapshots are layers as with a graph
 * driver, and the rest of Size is content: one entry standing for all of it, until the
 * content store itself is read (gc-sources, on the engine's host) and gives every blob.
 */
function containerdImage(i: ImageSummary, details: Pick<ImageDetails, 'diffIds'>, history: HistoryEntry[]): Pick<InventoryImage, 'layers' | 'uniqueSize' | 'content'> {
  const unpacked = history.reduce((sum, h) => sum + h.size, 0);
  const layers = layersWithSizes(details.diffIds, history, null);
  // An image whose config the engine cannot read lists no layers while its snapshots remain.
  const known = layers.length > 0 ? layers.every((l) => l.size !== null) : unpacked === 0;
  return {
    layers,
    // Snapshots that cannot be told apart count as this image's alone: an overestimate
    // where they are shared, which gc's re-measuring after each round corrects.
    uniqueSize: known ? null : unpacked,
    content: [{ digest: contentOf(i.id), size: Math.max(0, i.size - unpacked) }],
  };
}

/** The key standing for all of an image's content when its blobs are not known one by one. */
export function contentOf(imageId: string): string {
  return `all-content-of:${imageId}`;
}

/**
 * `info` is the engine's /info, which the caller needs anyway (data root, driver, swarm role).
 * `readLocally`: inspect and history from the engine's own store, for a graph driver on this host.
 */
export async function gatherInventory(engine: EngineApi, info: DockerInfo, now: Date, readLocally?: ReadImageAnswers): Promise<Inventory> {
  const containerdStore = imageStoreKind(info) === 'containerd';
  const podman = engineProduct(info) === 'podman';
  const [allImages, containers, swarm, events] = await Promise.all([engine.listImages({ all: true }), engine.listContainers({ all: true }), services(engine, info), recentEvents(engine, now)]);
  const listed = topLevel(allImages);
  // A store that cannot be read here (not root) leaves every image to the engine.
  const local = readLocally && !containerdStore && !podman ? await readLocally(listed.map((i) => i.id)).catch(() => new Map<string, ImageAnswers>()) : new Map<string, ImageAnswers>();
  const found = await mapLimit(listed, PER_IMAGE_CONCURRENCY, async (i): Promise<InventoryImage | null> => {
    const base = {
      id: i.id,
      repoTags: i.repoTags,
      repoDigests: i.repoDigests,
      created: i.created * 1000,
      size: i.size,
      parentId: i.parentId,
      storedAt: null,
    };
    let details: Pick<ImageDetails, 'diffIds' | 'lastTagTime'>;
    let history: HistoryEntry[];
    try {
      const read = local.get(i.id);
      if (read) [details, history] = [read, read.history];
      else [details, history] = await Promise.all([engine.inspectImage(i.id), engine.imageHistory(i.id)]);
    } catch (err) {
      // Deleted between the list and the inspect (another gc, a prune): nothing to decide.
      if (err instanceof EngineError && err.details.status === 404) return null;
      // containerd's store lists images whose content is partly gone (a pull that stopped
      // half way, blobs removed by hand); the engine then fails to inspect them. They are
      // still images a user may want gone: keep them in the plan, marked.
      if (containerdStore && err instanceof EngineError) {
        return { ...base, layers: [], uniqueSize: 0, lastTagTime: null, content: [{ digest: contentOf(i.id), size: i.size }], partial: `the engine cannot read all of it (${err.message})` };
      }
      throw err;
    }
    if (containerdStore) return { ...base, ...containerdImage(i, details, history), lastTagTime: details.lastTagTime, partial: null };
    // Podman's list Size adds the image's config and manifest to its layers: no total to check the history against.
    const total = podman ? null : i.size;
    return { ...base, layers: layersWithSizes(details.diffIds, history, total), uniqueSize: null, lastTagTime: details.lastTagTime, content: null, partial: null };
  });
  const images = found.filter((i): i is InventoryImage => i !== null);
  if (!containerdStore && images.some((i) => i.layers.some((l) => l.size === null))) {
    const df = await engine.systemDf();
    const shared = new Map(df.images.map((i) => [i.id, i.sharedSize]));
    for (const image of images) {
      const s = shared.get(image.id);
      if (image.layers.some((l) => l.size === null) && s !== undefined && s >= 0) image.uniqueSize = image.size - s;
    }
  }
  return {
    images,
    parents: Object.fromEntries(allImages.filter((i) => i.parentId !== '').map((i) => [i.id, i.parentId])),
    containers: containers.map((c) => ({ id: c.id, name: c.names[0] ?? c.id.slice(0, 12), imageId: c.imageId, imageRef: c.image, state: c.state, created: c.created * 1000 })),
    services: swarm.services,
    servicesNote: swarm.note,
    recentEvents: events,
  };
}
