import type { EngineApi } from '../engine/engine-api.js';
import type { Inventory } from '../engine/inventory.js';
import { executePlan } from './execute-plan.js';
import type { GcPolicy } from './gc-policy.js';
import type { RecordedUse } from './image-times.js';
import { planGc, usageLevel, type GcPlan, type GcUsage } from './plan-gc.js';
import type { PlannedImage, UsageLevel } from './planned-image.js';

// One `dockwarden gc`: optional container and build-cache pruning, then rounds of
// plan -> delete -> measure. Predictions count layer bytes, the filesystem counts
// blocks; when the measurement after a round is still above --low, gc plans again from
// what is left (at most MAX_ROUNDS times), as DESIGN.md asks: re-measure after each batch.

const MAX_ROUNDS = 3;

export interface GcRunDeps {
  engine: EngineApi;
  inventory: () => Promise<Inventory>;
  usage: () => Promise<GcUsage>;
  /** unix ms */
  now: () => number;
  recorded?: ReadonlyMap<string, RecordedUse>;
  /** What the sources say about where usage is measured and what they could not learn. */
  notes?: readonly string[];
}

export interface GcRunOptions {
  policy: GcPolicy;
  dryRun: boolean;
  concurrency?: number;
  /** Remove stopped containers created longer ago than this first (their images become collectable). */
  containersOlderThanMs?: number | null;
  /** Prune unused build cache first. */
  buildCache?: boolean;
  onProgress?: (done: number, total: number, freedBytes: number) => void;
}

export interface GcRun {
  dryRun: boolean;
  before: UsageLevel;
  /** Measured after deleting; with --dry-run, the prediction. */
  after: UsageLevel;
  bytesToFree: number;
  /** True when the run reached its target or had nothing to do. */
  reachedTarget: boolean;
  summary: string;
  deleted: PlannedImage[];
  kept: PlannedImage[];
  failed: { image: PlannedImage; message: string }[];
  /** What the engine did beyond the plan while deleting (its answers show it). */
  unplanned: { image: PlannedImage; effect: string }[];
  rounds: number;
  /** Stopped containers removed (or, in a dry run, that would be); null when not asked. */
  containers: { removed: number; bytes: number | null } | null;
  buildCache: { bytes: number } | null;
  notes: string[];
}

function withoutImages(inventory: Inventory, gone: ReadonlySet<string>): Inventory {
  return { ...inventory, images: inventory.images.filter((i) => !gone.has(i.id)) };
}

/**
 * The instant before which `docker container prune --filter until=<d>` removes: the engine
 * truncates now - d to a whole second (timetypes.GetTimestamp), so a container made in the
 * second of the cutoff stays. The dry run must predict exactly that.
 */
export function pruneCutoffMs(now: number, olderThanMs: number): number {
  return Math.floor((now - Math.floor(olderThanMs / 1000) * 1000) / 1000) * 1000;
}

function withoutContainers(inventory: Inventory, olderThanMs: number, now: number): { inventory: Inventory; removed: number } {
  // What `docker container prune --filter until=…` removes: every container that is not running.
  const cutoff = pruneCutoffMs(now, olderThanMs);
  const prunable = (c: Inventory['containers'][number]) => ['exited', 'created', 'dead'].includes(c.state) && c.created < cutoff;
  const removed = inventory.containers.filter(prunable).length;
  return { inventory: { ...inventory, containers: inventory.containers.filter((c) => !prunable(c)) }, removed };
}

async function pruneFirst(deps: GcRunDeps, opts: GcRunOptions): Promise<Pick<GcRun, 'containers' | 'buildCache'>> {
  let containers: GcRun['containers'] = null;
  let buildCache: GcRun['buildCache'] = null;
  if (opts.containersOlderThanMs != null && !opts.dryRun) {
    const r = await deps.engine.pruneContainers(`${Math.floor(opts.containersOlderThanMs / 1000)}s`);
    containers = { removed: r.deleted.length, bytes: r.spaceReclaimed };
  }
  if (opts.buildCache) {
    buildCache = opts.dryRun ? { bytes: (await deps.engine.systemDf()).buildCache.reclaimable } : { bytes: (await deps.engine.pruneBuildCache()).spaceReclaimed };
  }
  return { containers, buildCache };
}

export async function runGc(deps: GcRunDeps, opts: GcRunOptions): Promise<GcRun> {
  const pruned = await pruneFirst(deps, opts);
  let inventory = await deps.inventory();
  let usage = await deps.usage();
  if (opts.dryRun) {
    // Predict what the prunes would have done before planning the images.
    if (opts.containersOlderThanMs != null) {
      const r = withoutContainers(inventory, opts.containersOlderThanMs, deps.now());
      inventory = r.inventory;
      pruned.containers = { removed: r.removed, bytes: null };
    }
    if (pruned.buildCache) usage = freedFrom(usage, pruned.buildCache.bytes);
  }
  const partial = inventory.images.filter((i) => i.partial !== null);
  const notes = [
    ...(deps.notes ?? []),
    ...(inventory.servicesNote ? [inventory.servicesNote] : []),
    ...partial.map((i) => `${i.repoTags[0] ?? i.id.slice(0, 19)} is partly missing (${i.partial}): deleting it frees only what is there.`),
  ];
  const first = plan(inventory, usage, false, new Map());
  if (opts.dryRun) return report(first, first.after, 0, [], [], first.delete, first.keep);
  if (first.delete.length === 0) return report(first, first.before, 0, [], [], [], first.keep);

  const deleted: PlannedImage[] = [];
  const refused = new Map<string, PlannedImage>();
  const failed: GcRun['failed'] = [];
  const unplanned: GcRun['unplanned'] = [];
  let current = first;
  let rounds = 0;
  for (;;) {
    rounds++;
    const result = await executePlan(deps.engine, current.delete, { concurrency: opts.concurrency, onProgress: opts.onProgress });
    deleted.push(...result.deleted);
    failed.push(...result.failed);
    unplanned.push(...result.unplanned);
    notes.push(...result.notes);
    for (const k of result.kept) refused.set(k.id, k);
    inventory = withoutImages(inventory, new Set(result.deleted.map((d) => d.id)));
    usage = await deps.usage();
    current = plan(inventory, usage, true, new Map([...refused].map(([id, k]) => [id, k.reason])));
    if (rounds >= MAX_ROUNDS || failed.length > 0 || current.delete.length === 0) break;
  }
  // The last plan (not executed) gives every remaining image its reason as things now stand.
  const failedIds = new Set(failed.map((f) => f.image.id));
  const unfinished = current.delete
    .filter((p) => !failedIds.has(p.id))
    .map((p) => ({
      ...p,
      code: 'not-needed' as const,
      reason: `not deleted: gc stops after ${rounds} ${rounds === 1 ? 'round' : 'rounds'} (${failed.length > 0 ? 'a deletion failed' : 'the round limit'}); run it again`,
    }));
  return report(first, usageLevel(usage), rounds, failed, unplanned, deleted, [...current.keep, ...unfinished]);

  function plan(inv: Inventory, u: GcUsage, collecting: boolean, refusedSoFar: ReadonlyMap<string, string>): GcPlan {
    return planGc({ inventory: inv, usage: u, policy: opts.policy, now: deps.now(), recorded: deps.recorded, collecting, refused: refusedSoFar });
  }

  function report(p: GcPlan, after: UsageLevel, r: number, f: GcRun['failed'], u: GcRun['unplanned'], del: PlannedImage[], keep: PlannedImage[]): GcRun {
    return {
      dryRun: opts.dryRun,
      before: p.before,
      after,
      bytesToFree: p.bytesToFree,
      reachedTarget: p.bytesToFree === 0 || withinTarget(after, opts.policy),
      summary: p.summary,
      deleted: del,
      kept: keep,
      failed: f,
      unplanned: u,
      rounds: r,
      ...pruned,
      notes,
    };
  }
}

function freedFrom(usage: GcUsage, bytes: number): GcUsage {
  return usage.kind === 'budget' ? { ...usage, imageBytes: usage.imageBytes - bytes } : { ...usage, availBytes: usage.availBytes + bytes };
}

function withinTarget(level: UsageLevel, policy: GcPolicy): boolean {
  if (level.usedPct !== null) return level.usedPct <= policy.lowPct;
  return (level.imageBytes ?? 0) <= (policy.budgetBytes ?? Infinity);
}
