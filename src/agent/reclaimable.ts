import type { PlannedImage } from '../gc/planned-image.js';

// dockwarden_reclaimable_bytes after a GC run: what it deleted (or, in a dry run, would
// have) and what it left only because the target was reached ("not-needed"): what GC
// could free if it had to. Images kept for a reason (in use, too young, --keep) are not
// reclaimable. Bytes as the plan counts them (shared layers once).

export function reclaimableBytes(run: { deleted: readonly PlannedImage[]; kept: readonly PlannedImage[] }): number {
  return run.deleted.reduce((s, d) => s + d.bytes, 0) + run.kept.filter((k) => k.code === 'not-needed').reduce((s, k) => s + k.bytes, 0);
}
