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

/** The executor's own last look found the image in use or tagged again: kept, in its words. */
class LastLookRefusal extends Error {}
const refused = (why: string) => new LastLookRefusal(why);

// Only tags move from image to image: a digest reference (name@sha256:…) names content, so
// one the plan did not list (engines list fewer than they inspect) is still this image's.
const isDigestRef = (ref: string): boolean => ref.includes('@');

/** What the engine's answer shows it did beyond the plan: tags the plan did not name. */
function beyondPlan(image: PlannedImage, removed: RemovedImage): string[] {
  const planned = new Set(plannedRefs(image));
  return removed.untagged.filter((ref) => !isDigestRef(ref) && !planned.has(ref)).map((ref) => `also untagged ${ref}, a tag it gained after planning`);
}

/** The tags a deletion with all references may have taken, with the image they were taken with. */
type TakenTags = Map<string, PlannedImage>;

/** Deletes one planned image; what the engine did beyond the plan, in words. */
async function deleteImage(engine: EngineApi, image: PlannedImage, taken: TakenTags): Promise<string[]> {
  if (!needsAllReferences(image)) return beyondPlan(image, await engine.removeImage(image.id));
  const now = await engine.imageReferences(image.id);
  const planned = new Set(plannedRefs(image));
  const added = now.tags.filter((ref) => !planned.has(ref));
  if (added.length > 0) throw refused(`tagged again since planning (${added.join(', ')})`);
  // removeImageAndReferences passes the check for stopped containers: look for them first.
  const user = (await engine.listContainers({ all: true, ancestor: image.id }))[0];
  if (user) throw refused(`in use by container ${user.names[0] ?? user.id.slice(0, 12)} (${user.state}), created after planning`);
  // Noted before the call: an answer that is an error says nothing of the names it took.
  for (const tag of image.tags) taken.set(tag, image);
  const removed = await engine.removeImageAndReferences(image.id);
  for (const ref of removed.untagged.filter((r) => !isDigestRef(r))) taken.set(ref, image);
  return beyondPlan(image, removed);
}

/** A deletion that did not go through: the image was gone already, kept (by our last look or the engine's 409), or it failed. */
function recordRefusal(result: ExecutionResult, image: PlannedImage, err: unknown): void {
  const code = status(err);
  const said = err instanceof EngineError ? (err.details.said ?? err.message) : String(err);
  if (err instanceof LastLookRefusal) result.kept.push({ ...image, code: 'in-use', reason: err.message, bytes: 0 });
  else if (code === 404) result.deleted.push({ ...image, bytes: 0, reason: `${image.reason}; already gone when gc reached it` });
  else if (code === 409) result.kept.push({ ...image, code: 'in-use', reason: `the engine refused: ${said}`, bytes: 0 });
  else result.failed.push({ image, message: err instanceof Error ? err.message : String(err) });
}

/** An image's references now, or null when the engine no longer has it. */
const referencesNow = (engine: EngineApi, ref: string) => engine.imageReferences(ref).catch((err: unknown) => (status(err) === 404 ? null : Promise.reject(err)));

/** How often a deletion is tried again that the engine answered 404 while the image is still there. */
const RETRIES = 2;

/**
 * dockerd on containerd's image store deletes an image by id name by name, from a list of
 * names taken first; when one of them moves to another image meanwhile it answers 404 for
 * that name (`image "docker.io/library/app:a": not found`) and leaves the image with its
 * other names. So a 404 is "already gone" only once the image is not there; otherwise the
 * deletion, last look included, is made again.
 */
async function deleteById(engine: EngineApi, image: PlannedImage, taken: TakenTags): Promise<string[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await deleteImage(engine, image, taken);
    } catch (err) {
      if (status(err) !== 404 || !(await referencesNow(engine, image.id))) throw err;
      if (attempt === RETRIES) throw new Error(`the engine answered "${(err as Error).message}" ${RETRIES + 1} times, and the image is still there`);
    }
  }
}

/** Tags the engine took with a deleted image after they had moved to another one (tag-witness.ts), put back. */
async function putBackMovedTags(engine: EngineApi, witness: TagWitness, taken: TakenTags, result: ExecutionResult): Promise<void> {
  const lastTagged = new Map(witness.moves.filter((m) => taken.has(m.name)).map((m) => [m.name, m.imageId]));
  for (const [name, imageId] of lastTagged) {
    const image = taken.get(name)!;
    // Its last tag event put it on the image gc deleted it with (how it got there): not moved.
    if (imageId === image.id || (await referencesNow(engine, name))) continue;
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

/**
 * The other half of the race in tag-witness.ts: when a tag moves off an image whose other
 * names the engine has just deleted, dockerd's tag operation keeps the image as a dangling
 * one (moby-dangling@…) rather than lose its content, so a planned image can outlive a
 * deletion that succeeded. An image a witnessed tag move came from is looked at once more
 * and, while it is still there, deleted again by the same rules.
 */
async function deleteSurvivors(engine: EngineApi, witness: TagWitness, taken: TakenTags, result: ExecutionResult): Promise<number> {
  const movedAway = (image: PlannedImage) => witness.moves.some((m) => m.imageId !== image.id && image.tags.includes(m.name));
  const survivors: PlannedImage[] = [];
  for (const image of result.deleted.filter(movedAway)) if (await referencesNow(engine, image.id)) survivors.push(image);
  result.deleted = result.deleted.filter((d) => !survivors.includes(d));
  for (const image of survivors) {
    try {
      for (const effect of await deleteById(engine, image, taken)) result.unplanned.push({ image, effect });
      result.deleted.push({ ...image, reason: `${image.reason}; deleted again: the engine had kept it when one of its tags moved to another image mid-deletion` });
    } catch (err) {
      recordRefusal(result, image, err);
    }
  }
  return survivors.length;
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
  const taken: TakenTags = new Map();
  let done = 0;
  let freed = 0;
  await mapLimit(queue, opts.concurrency ?? DEFAULT_CONCURRENCY, async (image) => {
    try {
      for (const effect of await deleteById(engine, image, taken)) result.unplanned.push({ image, effect });
      result.deleted.push(image);
      freed += image.bytes;
    } catch (err) {
      recordRefusal(result, image, err);
    }
    opts.onProgress?.(++done, queue.length, freed);
  });
  if (witness) {
    try {
      await witness.settle();
      // A second deletion can race a tag move as the first did: watched the same way.
      if ((await deleteSurvivors(engine, witness, taken, result)) > 0) await witness.settle();
    } catch (err) {
      result.notes.push(`the images a tag moved away from while they were deleted could not be checked (${(err as Error).message})`);
    }
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
