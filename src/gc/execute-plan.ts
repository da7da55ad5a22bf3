import { EngineError } from '../core/errors.js';
import { mapLimit } from '../core/map-limit.js';
import type { EngineApi, RemovedImage } from '../engine/engine-api.js';
import { parseRef } from './image-refs.js';
import type { PlannedImage } from './plan-gc.js';

// Applies the deletions of a plan, and nothing else: decisions stay in the planner. The
// executor only re-checks what could have changed since planning (a container created
// a moment ago) and lets the engine have the last word: deletes never use `force`, so a
// 409 means the engine knows of a user we do not, and the image is kept, not lost.

export const DEFAULT_CONCURRENCY = 4;

export interface ExecuteOptions {
  concurrency?: number;
  /** Called after each image: how many are done, of how many, and the predicted bytes freed so far. */
  onProgress?: (done: number, total: number, freedBytes: number) => void;
}

export interface ExecutionResult {
  deleted: PlannedImage[];
  /** Planned for deletion, kept after all: in use since planning, or the engine refused. */
  kept: PlannedImage[];
  failed: { image: PlannedImage; message: string }[];
}

const status = (err: unknown): number | undefined => (err instanceof EngineError ? err.details.status : undefined);

/**
 * Deleting by id works only when the image has at most one tag and all its references
 * are in one repository; otherwise the engine wants `force` ("referenced in multiple
 * repositories"). Then each reference is removed in turn and the last one deletes it.
 */
function needsPerReference(image: PlannedImage): boolean {
  const repos = new Set([...image.tags, ...image.digests].map((r) => parseRef(r).name));
  return image.tags.length > 1 || repos.size > 1;
}

async function deleteImage(engine: EngineApi, image: PlannedImage): Promise<void> {
  if (!needsPerReference(image)) {
    await engine.removeImage(image.id);
    return;
  }
  const untagged: string[] = [];
  let answered = false;
  try {
    for (const ref of [...image.tags, ...image.digests]) {
      let removed: RemovedImage;
      try {
        removed = await engine.removeImage(ref);
      } catch (err) {
        // Removing a repository's last tag also drops its digests: that one is gone already.
        if (status(err) === 404) continue;
        throw err;
      }
      answered = true;
      if (removed.deleted.includes(image.id)) return;
      if (image.tags.includes(ref)) untagged.push(ref);
    }
    if (!answered) throw new EngineError(`No such image: ${image.id}`, { status: 404, said: `No such image: ${image.id}` });
    // Every planned reference is gone and the image is not: it was tagged again since planning.
    const said = 'the image has references gc did not plan to remove (tagged again since planning)';
    throw new EngineError(said, { status: 409, said });
  } catch (err) {
    // The last reference is where the engine checks for users; put the tags back so a
    // refused deletion leaves the image as it found it.
    for (const tag of untagged) await engine.tagImage(image.id, tag).catch(() => undefined);
    throw err;
  }
}

export async function executePlan(engine: EngineApi, planned: readonly PlannedImage[], opts: ExecuteOptions = {}): Promise<ExecutionResult> {
  const result: ExecutionResult = { deleted: [], kept: [], failed: [] };
  // The plan may be seconds old: a container created since then pins its image.
  const users = new Map<string, string>();
  for (const c of await engine.listContainers({ all: true })) if (!users.has(c.imageId)) users.set(c.imageId, `${c.names[0] ?? c.id.slice(0, 12)} (${c.state})`);
  const queue = planned.filter((image) => {
    const user = users.get(image.id);
    if (user) result.kept.push({ ...image, code: 'in-use', reason: `in use by container ${user}, created after planning`, bytes: 0 });
    return !user;
  });

  let done = 0;
  let freed = 0;
  await mapLimit(queue, opts.concurrency ?? DEFAULT_CONCURRENCY, async (image) => {
    try {
      await deleteImage(engine, image);
      result.deleted.push(image);
      freed += image.bytes;
    } catch (err) {
      const code = status(err);
      const said = err instanceof EngineError ? (err.details.said ?? err.message) : String(err);
      if (code === 404) result.deleted.push({ ...image, bytes: 0, reason: `${image.reason}; already gone when gc reached it` });
      else if (code === 409) result.kept.push({ ...image, code: 'in-use', reason: `the engine refused: ${said}`, bytes: 0 });
      else result.failed.push({ image, message: err instanceof Error ? err.message : String(err) });
    }
    opts.onProgress?.(++done, queue.length, freed);
  });
  return result;
}
