// /api/images shows the dry run of the last scan. Planning is cheap but not free, and the
// dashboard polls: a plan is reused for the same scan until image uses were recorded
// since (then at most once per minMs) or maxMs went by (min-age passes with time alone).

export interface LastPlan<S> {
  scan: S;
  /** The recorder's count of recorded uses when it was planned. */
  recorded: number;
  /** Monotonic ms when it was planned. */
  at: number;
}

export interface ReplanDecision {
  replan: boolean;
  reason: string;
}

export function replanDecision<S>(last: LastPlan<S> | null, scan: S, recorded: number, t: number, limits: { minMs: number; maxMs: number }): ReplanDecision {
  if (!last) return { replan: true, reason: 'nothing was planned yet' };
  if (last.scan !== scan) return { replan: true, reason: 'a newer scan was read' };
  const age = t - last.at;
  if (age >= limits.maxMs) return { replan: true, reason: `the plan is ${Math.round(age / 1000)} s old: min-age may have passed for more images` };
  if (last.recorded === recorded) return { replan: false, reason: 'same scan, no use recorded since' };
  if (age < limits.minMs) return { replan: false, reason: `uses were recorded since, but the plan is under ${limits.minMs} ms old` };
  return { replan: true, reason: 'uses were recorded since' };
}
