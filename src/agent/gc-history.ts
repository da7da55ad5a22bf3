import type { RecordedUse } from '../gc/image-times.js';
import type { GcRun } from '../gc/run-gc.js';
import type { AgentStore, GcRunRecord } from '../store/agent-store.js';

// The agent's side of gc: what it remembers of image use, handed to the planner, and
// what it keeps of each run.

/** The presence note the recorder writes for images it finds (kind 'seen', not a use): for people, the code reads the kind. */
export const PRESENCE_SOURCE = 'present when the agent looked';

/**
 * Last use as the planner wants it. An image the agent merely found (at its first start)
 * has nothing on record: "found at 09:00" as its arrival or last use would make a
 * year-old image look fresh and wreck the LRU order, so gc falls back to the engine's
 * and the host's evidence for it. An image found back after a deletion the agent saw is
 * different: it arrived after that deletion, and the first sighting since is its arrival.
 * The last deletion goes along either way, for the planner to judge the record by.
 */
export function recordedUses(store: AgentStore): Map<string, RecordedUse> {
  const out = new Map<string, RecordedUse>();
  for (const [id, u] of store.imageUses()) {
    const goneAt = u.goneAt === null ? {} : { goneAt: u.goneAt };
    if (u.kind !== 'seen') out.set(id, { firstSeen: u.firstSeen, lastUsed: u.lastUsed, ...goneAt });
    else if (u.goneAt !== null) out.set(id, u.firstSeen > u.goneAt ? { firstSeen: u.firstSeen, goneAt: u.goneAt } : { goneAt: u.goneAt });
  }
  return out;
}

export function gcRecord(run: GcRun, trigger: GcRunRecord['trigger'], at: number): GcRunRecord {
  return {
    at,
    trigger,
    dryRun: run.dryRun,
    beforePct: run.before.usedPct,
    afterPct: run.after.usedPct,
    deleted: run.deleted.length,
    freedBytes: run.deleted.reduce((s, d) => s + d.bytes, 0),
    kept: run.kept.length,
    failed: run.failed.length,
    summary: run.summary,
  };
}
