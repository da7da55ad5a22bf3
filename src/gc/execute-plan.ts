import { EngineError } from '../core/errors.js';
import { mapLimit } from '../core/map-limit.js';
import type { EngineApi, RemovedImage } from '../engine/engine-api.js';
import { parseRef } from './image-refs.js';
import type { PlannedImage } from './planned-image.js';
import { watchTagMoves, type TagWitness } from './tag-witness.js';

// Applies the deletions of a plan, and nothing else: decisions stay in the planner. The
// executor only re-checks what could have changed since planning (a container created
// a moment ago) and lets the engine have the last word: a 409 means the engine knows of a
// user we do not, and the image is kept, not lost. Every deletion names the planned image
// by its id, never by a reference that could have moved to another image since planning.

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
  /** What a deletion did beyond the plan, as the engine's answer or its events show it. */
  unplanned: { image: PlannedImage; effect: string }[];
  /** What the executor could not check. */
  notes: string[];
}

const status = (err: unknown): number | undefined => (err instanceof EngineError ? err.details.status : undefined);

/**
 * Deleting by id without `force` works only when the image has at most one tag and all its
 * references are in one repository; otherwise the engine answers "referenced in multiple
 * repositories". Deleting it reference by reference instead is not safe: a tag that moved
 * to another image since planning (a build, an import, a pull finishing) would take that
 * image with it. So those go by id too, through the engine's one id-qualified operation
 * for it (EngineApi.removeImageAndReferences), after a last look at the image's references
 * and its containers.
 */
function needsAllReferences(image: PlannedImage): boolean {
  const repos = new Set(plannedRefs(image).map((r) => parseRef(r).name));
  return image.tags.length > 1 || repos.size > 1;
}

const plannedRefs = (image: PlannedImage): string[] => [...image.tags, ...image.digests];

const refused = (said: string) => new EngineError(said, { status: 409, said });

// Only tags move from image to image: a digest reference (name@sha256:…) names content, so
// one the plan did not list (engines list fewer than they inspect) is still this image's.
const isDigestRef = (ref: string): boolean => ref.includes('@');

/** What the engine's answer shows it did beyond the plan: tags the plan did not name. */
function beyondPlan(image: PlannedImage, removed: RemovedImage): string[] {
  const planned = new Set(plannedRefs(image));
  return removed.untagged.filter((ref) => !isDigestRef(ref) && !planned.has(ref)).map((ref) => `also untagged ${ref}, a tag it gained after planning`);
}

interface Deletion {
  effects: string[];
  /** Tags the engine's answer says it removed with an image deleted with all its references. */
  takenTags: string[];
}

async function deleteImage(engine: EngineApi, image: PlannedImage): Promise<Deletion> {
  if (!needsAllReferences(image)) return { effects: beyondPlan(image, await engine.removeImage(image.id)), takenTags: [] };
  const now = await engine.imageReferences(image.id);
  const planned = new Set(plannedRefs(image));
  const added = now.tags.filter((ref) => !planned.has(ref));
  if (added.length > 0) throw refused(`tagged again since planning (${added.join(', ')})`);
  // removeImageAndReferences passes the check for stopped containers: look for them first.
  const user = (await engine.listContainers({ all: true, ancestor: image.id }))[0];
  if (user) throw refused(`in use by container ${user.names[0] ?? user.id.slice(0, 12)} (${user.state}), created after planning`);
  const removed = await engine.removeImageAndReferences(image.id);
  return { effects: beyondPlan(image, removed), takenTags: removed.untagged.filter((ref) => !isDigestRef(ref)) };
}

/** Tags the engine took with a deleted image after they had moved to another one (tag-witness.ts), put back. */
async function putBackMovedTags(engine: EngineApi, witness: TagWitness, taken: ReadonlyMap<string, PlannedImage>, result: ExecutionResult): Promise<void> {
  const deleted = new Set(result.deleted.map((d) => d.id));
  const lastMove = new Map(witness.moves.filter((m) => taken.has(m.name) && !deleted.has(m.imageId)).map((m) => [m.name, m.imageId]));
  for (const [name, imageId] of lastMove) {
    const image = taken.get(name)!;
    const stillThere = await engine.imageReferences(name).then(
      () => true,
      (err: unknown) => (status(err) === 404 ? false : Promise.reject(err)),
    );
    if (stillThere) continue;
    const to = imageId.replace(/^sha256:/, '').slice(0, 12);
    try {
      await engine.tagImage(imageId, name);
      result.unplanned.push({ image, effect: `the engine's deletion also took ${name}, which had moved to image ${to} while it ran: tagged it back` });
    } catch (err) {
      result.unplanned.push({
        image,
        effect: `the engine's deletion also took ${name}, which had moved to image ${to} while it ran, and tagging it back failed (${(err as Error).message}): docker tag ${to} ${name}`,
      });
    }
  }
}

export async function executePlan(engine: EngineApi, planned: readonly PlannedImage[], opts: ExecuteOptions = {}): Promise<ExecutionResult> {
  const result: ExecutionResult = { deleted: [], kept: [], failed: [], unplanned: [], notes: [] };
  // The plan may be seconds old: a container created since then pins its image.
  const users = new Map<string, string>();
  for (const c of await engine.listContainers({ all: true })) if (!users.has(c.imageId)) users.set(c.imageId, `${c.names[0] ?? c.id.slice(0, 12)} (${c.state})`);
  const queue = planned.filter((image) => {
    const user = users.get(image.id);
    if (user) result.kept.push({ ...image, code: 'in-use', reason: `in use by container ${user}, created after planning`, bytes: 0 });
    return !user;
  });

  const witness = queue.some(needsAllReferences) ? watchTagMoves(engine, Date.now()) : null;
  const taken = new Map<string, PlannedImage>();
  let done = 0;
  let freed = 0;
  await mapLimit(queue, opts.concurrency ?? DEFAULT_CONCURRENCY, async (image) => {
    try {
      const deletion = await deleteImage(engine, image);
      for (const effect of deletion.effects) result.unplanned.push({ image, effect });
      for (const tag of deletion.takenTags) taken.set(tag, image);
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
  if (witness) {
    const failure = await witness.stop();
    if (failure) result.notes.push(failure);
    try {
      await putBackMovedTags(engine, witness, taken, result);
    } catch (err) {
      result.notes.push(`the tags taken with deleted images could not be checked (${(err as Error).message})`);
    }
  }
  return result;
}
