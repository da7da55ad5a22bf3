import { UsageError } from './core/errors.js';
import type { DockerInfo } from './engine/docker-info.js';
import type { EngineApi } from './engine/engine-api.js';
import { gatherInventory } from './engine/gather-inventory.js';
import type { Inventory } from './engine/inventory.js';
import type { GcUsage } from './gc/plan-gc.js';
import { errorCode, type HostProbe } from './host/host-probe.js';
import { imageStoredTimes } from './host/image-store-times.js';

// Where gc's inputs come from, for `dockwarden gc` and the agent alike: the inventory
// (engine, plus each image's arrival time from the host's image store when the engine is
// local) and the usage, measured again after every round: statfs of the data root's
// filesystem when the engine is on this machine, else the images' total bytes against
// --budget (an engine over tcp:// or ssh:// has no filesystem we can see).

export function inventorySource(engine: EngineApi, info: DockerInfo, probe: HostProbe | null, now: () => Date): () => Promise<Inventory> {
  return async () => {
    const inv = await gatherInventory(engine, info, now());
    if (probe && info.DockerRootDir && info.Driver) {
      const stored = await imageStoredTimes(probe, info.DockerRootDir, info.Driver, inv.images.map((i) => i.id));
      for (const image of inv.images) image.storedAt = stored.get(image.id) ?? null;
    }
    return inv;
  };
}

/** How full the engine's storage is: the data root's filesystem, or the images' bytes against a budget. */
export function usageSource(engine: EngineApi, info: DockerInfo, local: boolean, probe: HostProbe, budget: boolean): () => Promise<GcUsage> {
  if (budget) return async () => ({ kind: 'budget', imageBytes: (await engine.systemDf()).layersSize });
  const root = info.DockerRootDir;
  if (!local || !root) {
    throw new UsageError(
      `The engine at ${engine.endpoint} is not on this machine, so its data root's filesystem cannot be measured: give --budget SIZE (e.g. --budget 20GB) to keep the images' total under SIZE.`,
    );
  }
  return async () => {
    try {
      const fs = await probe.statfs(root);
      return { kind: 'filesystem', path: root, sizeBytes: fs.sizeBytes, availBytes: fs.availBytes };
    } catch (err) {
      throw new UsageError(`Cannot measure the filesystem of the data root ${root} (${errorCode(err)}): run dockwarden on the engine's host (as root), mount the host's / and pass --host-root, or give --budget SIZE.`);
    }
  };
}

