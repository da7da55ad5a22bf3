import type { ImageStoreKind } from '../core/image-store.js';
import type { FsRole, SampledFs } from '../store/sampled-fs.js';

// kubelet collects when usage crosses the high threshold, not only on its timer: the
// threshold of the filesystem gc measures, where image content lives. Crossing, not
// being above: a host that stays at 90% because nothing more can go gets one run when it
// gets there, not one per sample; it gets another once it has been at or below --high.

/** The sampled filesystem that holds image content: containerd's root with containerd's image store when it is sampled apart, else the data root. */
export function imageFsRole(store: ImageStoreKind, filesystems: readonly SampledFs[]): FsRole {
  return store === 'containerd' && filesystems.some((f) => f.role === 'containerd-root') ? 'containerd-root' : 'data-root';
}

export interface PressureDecision {
  run: boolean;
  reason: string;
}

const pct = (p: number) => `${p.toFixed(1)}%`;

/** Whether this sample starts GC: usage now and at the last sample (null: not measured), against --high. */
export function pressureTrigger(usedPct: number | null, lastUsedPct: number | null, highPct: number): PressureDecision {
  if (usedPct === null) return { run: false, reason: 'usage was not measured: the pressure trigger waits for a reading' };
  if (usedPct <= highPct) return { run: false, reason: `usage ${pct(usedPct)} is at or below --high ${highPct}%` };
  if (lastUsedPct !== null && lastUsedPct > highPct) return { run: false, reason: `usage ${pct(usedPct)} is still above --high ${highPct}%: GC ran when it crossed` };
  const from = lastUsedPct === null ? 'no reading before' : pct(lastUsedPct);
  return { run: true, reason: `usage ${pct(usedPct)} crossed --high ${highPct}% (from ${from})` };
}
