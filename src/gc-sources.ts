import { UsageError } from './core/errors.js';
import type { DockerInfo } from './engine/docker-info.js';
import type { EngineApi } from './engine/engine-api.js';
import type { Endpoint } from './engine/endpoint.js';
import { contentOf, gatherInventory, type ImageAnswers } from './engine/gather-inventory.js';
import { engineProduct } from './core/engine-product.js';
import { imageStoreKind } from './core/image-store.js';
import type { Inventory, InventoryImage } from './engine/inventory.js';
import type { GcUsage } from './gc/plan-gc.js';
import { layerLedger } from './gc/layer-ledger.js';
import { readImagesContent, type ImageContent } from './host/containerd-content.js';
import { readGraphImages } from './host/graph-image-store.js';
import { errorCode, type HostProbe } from './host/host-probe.js';
import { locateImageStore, type ImageStoreLocation } from './host/image-store-location.js';
import { imageStoredTimes } from './host/image-store-times.js';
import { isLocalEndpoint } from './gather-facts.js';

// Where gc's inputs come from, for `dockwarden gc` and the agent alike: the inventory
// (engine, plus what the host's image store says about each image when the engine is
// local) and the usage, measured again after every round: statfs of the filesystem that
// holds image content — the data root's with a graph driver, containerd's root's with
// containerd's image store, which on packaged hosts is /var/lib/containerd on a disk of
// its own — when the engine is on this machine; else the images' total bytes against
// --budget (an engine over tcp:// or ssh:// has no filesystem we can see).

/**
 * How gc measures how full the engine's image storage is, decided once for `gc`, the agent
 * and `agent`'s startup: the filesystem holding image content when the engine runs on
 * this host (the path is found later, from the engine's answers: locateImageStore), the
 * images' total bytes against --budget when one is given (even locally), or nothing: a
 * remote engine without --budget has no target. `onHost`: this host may be read for the
 * engine (statfs, its image store, config files), whatever measures usage.
 */
export type UsageMeasure = { kind: 'filesystem' | 'budget' | 'none'; onHost: boolean; reason: string };

export function usageMeasure(request: { endpoint: Endpoint; budgetBytes: number | null; hostReadable: boolean }): UsageMeasure {
  const { endpoint, budgetBytes } = request;
  const local = isLocalEndpoint(endpoint);
  const onHost = local && request.hostReadable;
  if (budgetBytes !== null)
    return { kind: 'budget', onHost, reason: `--budget ${budgetBytes} bytes is given: the images' total bytes are counted against it${onHost ? ', though the engine is on this host' : ''}` };
  if (onHost) return { kind: 'filesystem', onHost, reason: `the engine at ${endpoint.url} is on this host: the filesystem holding its images is measured` };
  if (local) return { kind: 'none', onHost, reason: `the engine at ${endpoint.url} is on this host, but this host cannot be read, so its disk cannot be measured` };
  return { kind: 'none', onHost, reason: `the engine at ${endpoint.url} is not on this host, so its disk cannot be measured` };
}

export interface GcSources {
  inventory: () => Promise<Inventory>;
  usage: () => Promise<GcUsage>;
  /** Where image content was measured, and what could not be learned about it. */
  notes: string[];
}

export interface GcSourcesRequest {
  engine: EngineApi;
  info: DockerInfo;
  /** This host, when the engine runs on it; null for a remote engine. */
  probe: HostProbe | null;
  /** The engine's unix socket, to find the dockerd behind it (and so its containerd). */
  socketPath: string | null;
  budget: boolean;
  now: () => Date;
}

export async function gcSources(request: GcSourcesRequest): Promise<GcSources> {
  const { engine, info, probe } = request;
  const notes: string[] = [];
  const location = probe ? await locateImageStore(probe, info, request.socketPath, notes) : null;
  if (location?.kind === 'containerd') notes.unshift(`Images live in containerd's image store: measuring ${location.description}.`);
  const inventory = inventorySource(engine, info, probe, location, request.now, notes);
  return { inventory, usage: usageSource(engine, info, probe, location, request.budget, inventory), notes };
}

function inventorySource(engine: EngineApi, info: DockerInfo, probe: HostProbe | null, location: ImageStoreLocation | null, now: () => Date, notes: string[]): () => Promise<Inventory> {
  return async () => {
    // With a graph driver on this host, each image's inspect and history are read from the
    // engine's image store rather than asked for: 2 requests per image fewer.
    const graph = probe && location?.kind === 'graph' && info.Driver ? { probe, root: location.path, driver: info.Driver } : null;
    const readLocally = graph
      ? (ids: readonly string[]) =>
          readGraphImages(graph.probe, graph.root, graph.driver, ids).catch((err: unknown) => {
            // The engine still answers for every image: slower, not wrong; the run says why.
            addNote(notes, `The image store under ${graph.root} cannot be read here (${errorCode(err)}): each image's inspect and history were asked of the engine instead.`);
            return new Map<string, ImageAnswers>();
          })
      : undefined;
    const inv = await gatherInventory(engine, info, now(), readLocally);
    const ids = inv.images.map((i) => i.id);
    if (graph) {
      const gaps: string[] = [];
      const stored = await imageStoredTimes(graph.probe, graph.root, graph.driver, ids, gaps);
      for (const gap of gaps) addNote(notes, gap);
      for (const image of inv.images) image.storedAt = stored.get(image.id) ?? null;
    }
    if (probe && location?.containerd) {
      const { content, gap } = await readImagesContent(probe, location.containerd.root, ids);
      if (gap) addNote(notes, gap);
      for (const image of inv.images) {
        const held = content?.get(image.id);
        if (held) withContent(image, held);
      }
    }
    return inv;
  };
}

/** The inventory is read again after every round: a note is said once per run. */
function addNote(notes: string[], note: string): void {
  if (!notes.includes(note)) notes.push(note);
}

/** Below this, what the engine's size says beyond blobs and snapshots is rounding, not data. */
const SIZE_SLACK = 64 * 1024;

/** The content store's own account of an image: every blob it holds, when it came, and what it lacks. */
function withContent(image: InventoryImage, held: ImageContent): void {
  const blobs = held.blobs.length > 0 ? held.blobs : (image.content?.filter((b) => b.digest !== contentOf(image.id)) ?? []);
  // Engine 26 unpacks every platform a multi-platform load brings and counts them all in
  // the image's size, while the history shows the host platform's snapshots only: what
  // the size holds beyond the blobs and those snapshots is the other platforms' snapshots.
  const snapshots = image.layers.some((l) => l.size === null) ? (image.uniqueSize ?? 0) : image.layers.reduce((sum, l) => sum + (l.size ?? 0), 0);
  const rest = image.size - blobs.reduce((sum, b) => sum + b.size, 0) - snapshots;
  image.content = rest > Math.max(SIZE_SLACK, image.size / 100) ? [...blobs, { digest: `other-platforms-unpacked:${image.id}`, size: rest }] : blobs;
  image.storedAt = held.storedAt;
  if (held.missing.length === 0) return;
  const platforms = held.platforms.present > 1 ? `${held.platforms.complete} of ${held.platforms.present} platforms held complete, ` : '';
  const why = `${platforms}${held.missing.length} ${held.missing.length === 1 ? 'blob' : 'blobs'} it names not in containerd's content store`;
  image.partial = image.partial ? `${image.partial}; ${why}` : why;
}

/** The images' total bytes as the ledger counts them (content and snapshots, shared ones once). */
function inventoryBytes(inv: Inventory): number {
  const ledger = layerLedger(inv.images);
  return inv.images.reduce((sum, image) => sum + ledger.release(image), 0);
}

/** How full the engine's image storage is: the filesystem holding image content, or the images' bytes against a budget. */
function usageSource(engine: EngineApi, info: DockerInfo, probe: HostProbe | null, location: ImageStoreLocation | null, budget: boolean, inventory: () => Promise<Inventory>): () => Promise<GcUsage> {
  if (budget) {
    // /system/df's LayersSize counts only unpacked layers on Engine 26's containerd store
    // and content as well on 28, and is always 0 on Podman: count what the plan counts instead.
    if (imageStoreKind(info) === 'containerd' || engineProduct(info) === 'podman') return async () => ({ kind: 'budget', imageBytes: inventoryBytes(await inventory()) });
    return async () => ({ kind: 'budget', imageBytes: (await engine.systemDf()).layersSize });
  }
  if (!probe || !location) {
    throw new UsageError(
      `The engine at ${engine.endpoint} is not on this machine, so the filesystem holding its images cannot be measured: give --budget SIZE (e.g. --budget 20GB) to keep the images' total under SIZE.`,
    );
  }
  return async () => {
    try {
      const fs = await probe.statfs(location.path);
      return { kind: 'filesystem', path: location.path, sizeBytes: fs.sizeBytes, availBytes: fs.availBytes };
    } catch (err) {
      throw new UsageError(
        `Cannot measure the filesystem of ${location.description} (${errorCode(err)}): run dockwarden on the engine's host (as root), mount the host's / and pass --host-root, or give --budget SIZE.`,
      );
    }
  };
}
