import { formatDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { DEFAULT_HIGH_PCT, DEFAULT_LOW_PCT } from '../core/thresholds.js';

// The whole of what the operator decides about garbage collection, validated once
// (kubelet's ImageGCPolicy, with its messages): the planner trusts a GcPolicy as given.

export interface GcPolicy {
  /** Collect only when the data-root filesystem is above this percentage. */
  highPct: number;
  /** ...and stop once the prediction reaches this percentage. */
  lowPct: number;
  /** An image is not deleted until this long after it was first seen on the host (kubelet: 2m). */
  minAgeMs: number;
  /** Images unused for longer than this are deleted whatever the usage (kubelet's imageMaximumGCAge); null: never. */
  maxAgeMs: number | null;
  /** Images whose id, tag or digest matches one of these are never deleted; `pattern` as the operator wrote it. */
  keep: { pattern: string; regex: RegExp }[];
  /** For engines whose filesystem cannot be measured: keep the images' total bytes under this; null: use the percentages. */
  budgetBytes: number | null;
}

export const DEFAULT_MIN_AGE_MS = 2 * 60_000;

export interface GcPolicyInput {
  highPct?: number;
  lowPct?: number;
  minAgeMs?: number;
  maxAgeMs?: number | null;
  keep?: string[];
  budgetBytes?: number | null;
}

export function makeGcPolicy(input: GcPolicyInput = {}): GcPolicy {
  const highPct = input.highPct ?? DEFAULT_HIGH_PCT;
  const lowPct = input.lowPct ?? DEFAULT_LOW_PCT;
  for (const [flag, v] of [
    ['--high', highPct],
    ['--low', lowPct],
  ] as const) {
    if (!Number.isFinite(v) || v < 0 || v > 100) throw new UsageError(`${flag} ${v} must be a percentage between 0 and 100.`);
  }
  if (lowPct > highPct) throw new UsageError(`--low ${lowPct} cannot be higher than --high ${highPct}: gc starts above --high and stops at --low.`);
  const minAgeMs = input.minAgeMs ?? DEFAULT_MIN_AGE_MS;
  const maxAgeMs = input.maxAgeMs ?? null;
  if (maxAgeMs !== null && maxAgeMs <= minAgeMs) {
    throw new UsageError(`--max-age ${formatDuration(maxAgeMs)} must be longer than --min-age ${formatDuration(minAgeMs)}.`);
  }
  const keep = (input.keep ?? []).map((pattern) => {
    try {
      return { pattern, regex: new RegExp(pattern) };
    } catch (err) {
      throw new UsageError(`--keep ${JSON.stringify(pattern)} is not a valid regular expression (${(err as Error).message}).`);
    }
  });
  const budgetBytes = input.budgetBytes ?? null;
  if (budgetBytes !== null && !(budgetBytes > 0)) throw new UsageError('--budget must be a size above zero, such as 20GB.');
  return { highPct, lowPct, minAgeMs, maxAgeMs, keep, budgetBytes };
}
