import type { AgentStore, UsageSample } from '../../src/store/agent-store.js';

// A month of usage as the agent would have left it in its store: 30 s samples for the
// last 48 h and 5-minute means before that (what retention keeps), a disk filling slowly
// with a dip at every nightly cleanup. For the dashboard's browser test and its benchmark.

const GIB = 1024 ** 3;
const MINUTE = 60_000;

export function usageAt(at: number, start: number, sizeBytes = 200 * GIB): UsageSample {
  const days = (at - start) / (24 * 60 * MINUTE);
  const hourOfDay = ((at - start) / (60 * MINUTE)) % 24;
  const usedPct = 42 + days * 1.1 + hourOfDay * 0.25;
  return {
    at,
    fsSizeBytes: sizeBytes,
    fsAvailBytes: Math.round(sizeBytes * (1 - usedPct / 100)),
    inodesTotal: 13_000_000,
    inodesFree: 12_000_000,
    images: 40 + Math.floor(days),
    containers: 12,
    containersRunning: 9,
    containerdFsSizeBytes: null,
    containerdFsAvailBytes: null,
    containerdInodesTotal: null,
    containerdInodesFree: null,
  };
}

/** Writes the month before `now` into the store; returns how many samples it wrote. */
export function seedMonth(store: AgentStore, now: number, days = 30): number {
  const start = now - days * 24 * 60 * MINUTE;
  const recent = now - 48 * 60 * MINUTE;
  let n = 0;
  for (let at = start; at < recent; at += 5 * MINUTE, n++) store.addSample(usageAt(at, start));
  for (let at = recent; at <= now; at += 30_000, n++) store.addSample(usageAt(at, start));
  return n;
}
