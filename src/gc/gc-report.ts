import type { GcRun } from './run-gc.js';
import type { PlannedImage, UsageLevel } from './planned-image.js';

// The frozen `dockwarden gc --json` shape of DESIGN.md:
//   {"before":{"usedPct"},"after":{"usedPct"},"deleted":[{"id","tags","bytes","reason"}],"kept":[{"id","tags","reason"}]}
// Fields may be added, never renamed or removed (scripts parse this; gc-report.test.ts guards it).

export interface GcReportImage {
  id: string;
  tags: string[];
  /** Deleted: predicted bytes freed; kept: bytes only this image holds. */
  bytes: number;
  reason: string;
  code: PlannedImage['code'];
  size: number;
  lastUsed: string;
  lastUsedSource: string;
}

export type GcReport = Pick<GcRun, 'dryRun' | 'before' | 'after' | 'bytesToFree' | 'reachedTarget' | 'summary' | 'containers' | 'buildCache' | 'rounds' | 'notes'> & {
  deleted: GcReportImage[];
  kept: GcReportImage[];
  failed: { id: string; tags: string[]; error: string }[];
  /** What the engine did beyond the plan while deleting: gc reports it, it cannot undo it. */
  unplanned: { id: string; tags: string[]; effect: string }[];
};

const round2 = (n: number | null): number | null => (n === null ? null : Math.round(n * 100) / 100);

function level(l: UsageLevel): UsageLevel {
  return { usedPct: round2(l.usedPct), imageBytes: l.imageBytes };
}

function image(p: PlannedImage): GcReportImage {
  return {
    id: p.id,
    tags: p.tags,
    bytes: p.bytes,
    reason: p.reason,
    code: p.code,
    size: p.size,
    lastUsed: new Date(p.lastUsed.at).toISOString(),
    lastUsedSource: p.lastUsed.source,
  };
}

export function gcReport(run: GcRun): GcReport {
  return {
    dryRun: run.dryRun,
    before: level(run.before),
    after: level(run.after),
    bytesToFree: run.bytesToFree,
    reachedTarget: run.reachedTarget,
    summary: run.summary,
    deleted: run.deleted.map(image),
    kept: run.kept.map(image),
    failed: run.failed.map((f) => ({ id: f.image.id, tags: f.image.tags, error: f.message })),
    unplanned: run.unplanned.map((u) => ({ id: u.image.id, tags: u.image.tags, effect: u.effect })),
    containers: run.containers,
    buildCache: run.buildCache,
    rounds: run.rounds,
    notes: run.notes,
  };
}

/** 0: at or below the target (or nothing to do); 1: could not reach it; 3: a deletion failed. */
export function gcExitCode(run: GcRun): number {
  if (run.failed.length > 0) return 3;
  return run.reachedTarget ? 0 : 1;
}
