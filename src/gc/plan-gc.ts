import { formatDuration } from '../core/duration.js';
import { usedPercent } from '../core/thresholds.js';
import type { Inventory, InventoryImage } from '../engine/inventory.js';
import type { GcPolicy } from './gc-policy.js';
import { refIndex } from './image-refs.js';
import { imageTimesByNumber, type ImageTimes, type RecordedUse } from './image-times.js';
import { layerLedger } from './layer-ledger.js';
import type { PlannedImage, UsageLevel } from './planned-image.js';
import { describeLevel, summarizePlan } from './plan-summary.js';
import { protections } from './protections.js';
import { imageIndex, usersByImage } from './container-users.js';

// The GC decision, pure: inventory, usage, policy and the time in; a plan with a reason
// for every image out. kubelet's algorithm, made safe for Docker hosts: above --high,
// free `capacity*(100-low)/100 - available` bytes, dangling images first, then least
// recently used; never an image a container (running or stopped) or a service (current
// or previous spec) needs; predictions count shared layers once.

export type GcUsage =
  /** The data-root filesystem as statfs sees it. */
  | { kind: 'filesystem'; path: string; sizeBytes: number; availBytes: number }
  /** A remote engine: only the images' total bytes (/system/df LayersSize) are known. */
  | { kind: 'budget'; imageBytes: number };

export interface GcPlan {
  before: UsageLevel;
  /** Predicted, from the deletions below. */
  after: UsageLevel;
  /** What must be freed to reach --low (or the budget); 0 when not above --high. */
  bytesToFree: number;
  predictedFreed: number;
  delete: PlannedImage[];
  keep: PlannedImage[];
  /** True when the prediction reaches the target, or there was nothing to do. */
  reachesTarget: boolean;
  /** One or two sentences: the situation, what the plan does and, when it falls short, why. */
  summary: string;
}

export interface PlanInput {
  inventory: Inventory;
  usage: GcUsage;
  policy: GcPolicy;
  /** unix ms */
  now: number;
  /** Last use and first sight recorded by the agent, by image id; empty without an agent. */
  recorded?: ReadonlyMap<string, RecordedUse>;
  /**
   * A later round of a run that already crossed --high: collect down to --low even though
   * usage is now between the two (kubelet's hysteresis, kept across rounds).
   */
  collecting?: boolean;
  /** Images the engine refused to delete in an earlier round, with the reason it gave. */
  refused?: ReadonlyMap<string, string>;
}

export function usageLevel(usage: GcUsage, freed = 0): UsageLevel {
  if (usage.kind === 'budget') return { usedPct: null, imageBytes: usage.imageBytes - freed };
  return { usedPct: usedPercent({ sizeBytes: usage.sizeBytes, availBytes: usage.availBytes + freed }), imageBytes: null };
}

function bytesToFree(usage: GcUsage, policy: GcPolicy, collecting: boolean): number {
  if (usage.kind === 'budget') return Math.max(0, usage.imageBytes - (policy.budgetBytes ?? Infinity));
  if (usedPercent(usage) <= (collecting ? policy.lowPct : policy.highPct)) return 0;
  return Math.max(0, Math.ceil((usage.sizeBytes * (100 - policy.lowPct)) / 100 - usage.availBytes));
}

/** An image with what the plan weighs it by, looked up once. */
interface Weighed {
  image: InventoryImage;
  /** Its position in the inventory's list. */
  at: number;
  times: ImageTimes;
  dangling: boolean;
}

/** Dangling first (nothing names them), then least recently used, ties by first seen (kubelet). */
function inDeletionOrder(candidates: Weighed[]): Weighed[] {
  return candidates.sort(
    (a, b) =>
      (a.dangling === b.dangling ? 0 : a.dangling ? -1 : 1) ||
      a.times.lastUsed.at - b.times.lastUsed.at ||
      a.times.firstSeen.at - b.times.firstSeen.at ||
      (a.image.id < b.image.id ? -1 : a.image.id > b.image.id ? 1 : 0),
  );
}

export function planGc(input: PlanInput): GcPlan {
  const { inventory, usage, policy, now } = input;
  // Images by number, containers by image, then every image's evidence and protection,
  // each in one pass: a big host has 10,000 images and 50,000 containers.
  const index = imageIndex(inventory.images);
  const refs = refIndex(inventory.images, index.ids);
  const users = usersByImage(index, inventory.containers);
  const times = imageTimesByNumber(inventory, index, refs, input.recorded ?? new Map(), users);
  const protectedBy = protections(inventory, index, refs, times, users, policy, now, input.refused ?? new Map());
  const ledger = layerLedger(inventory.images);
  const need = bytesToFree(usage, policy, input.collecting ?? false);
  const entry = (image: InventoryImage, t: ImageTimes, code: PlannedImage['code'], reason: string, bytes: number): PlannedImage => {
    const why = image.partial ? `${reason}; partly missing: ${image.partial}` : reason;
    return { id: image.id, tags: image.repoTags, digests: image.repoDigests, bytes, size: image.size, code, reason: why, lastUsed: t.lastUsed, firstSeen: t.firstSeen };
  };
  const lastUse = (t: ImageTimes): string => `last used ${formatDuration(now - t.lastUsed.at)} ago (${t.lastUsed.source})`;

  const toDelete: PlannedImage[] = [];
  const toKeep: PlannedImage[] = [];
  const candidates: Weighed[] = [];
  inventory.images.forEach((image, at) => {
    const num = index.numberOf[at]!;
    const p = protectedBy[num];
    if (p) toKeep.push(entry(image, times[num]!, p.code, p.reason, ledger.uniqueBytesAt(at)));
    else candidates.push({ image, at, times: times[num]!, dangling: image.repoTags.length === 0 });
  });

  let freed = 0;
  const rest: Weighed[] = [];
  // Images unused past --max-age go whatever the usage, like kubelet's imageMaximumGCAge.
  for (const w of inDeletionOrder(candidates)) {
    const idle = now - w.times.lastUsed.at;
    if (policy.maxAgeMs !== null && idle > policy.maxAgeMs) {
      const bytes = ledger.releaseAt(w.at);
      freed += bytes;
      toDelete.push(entry(w.image, w.times, 'max-age', `unused for ${formatDuration(idle)}, longer than --max-age ${formatDuration(policy.maxAgeMs)}; ${lastUse(w.times)}`, bytes));
    } else rest.push(w);
  }
  const notNeeded = need === 0 ? `not needed: ${describeLevel(usageLevel(usage))} is within the limit` : 'not needed: the target is reached without it';
  for (const w of rest) {
    if (freed >= need) {
      toKeep.push(entry(w.image, w.times, 'not-needed', notNeeded, ledger.uniqueBytesAt(w.at)));
      continue;
    }
    const bytes = ledger.releaseAt(w.at);
    freed += bytes;
    toDelete.push(entry(w.image, w.times, w.dangling ? 'dangling' : 'unused', `${w.dangling ? 'dangling (untagged)' : 'least recently used'}; ${lastUse(w.times)}`, bytes));
  }

  const before = usageLevel(usage);
  const after = usageLevel(usage, freed);
  const reachesTarget = freed >= need;
  return {
    before,
    after,
    bytesToFree: need,
    predictedFreed: freed,
    delete: toDelete,
    keep: toKeep,
    reachesTarget,
    summary: summarizePlan({ policy, collecting: input.collecting ?? false, need, freed, before, after, deleted: toDelete, kept: toKeep }),
  };
}
