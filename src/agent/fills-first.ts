import type { UsageSample } from '../store/agent-store.js';
import { readingOf, type SampledFs } from '../store/sampled-fs.js';
import { secondsUntilFull } from './forecast.js';

// Forecasts over the sampled filesystems (store/sampled-fs.ts): each filesystem gets its
// own line, and the one that fills first is the one the forecast finding and metric name.

export function describeFs(fs: SampledFs): string {
  return fs.role === 'data-root' ? `the data root ${fs.path}` : `containerd's root ${fs.path}`;
}

export interface Forecast {
  fs: SampledFs;
  seconds: number;
}

/** The filesystem that fills first at the recent rates, and when; null when none is filling. */
export function fillsFirst(samples: readonly UsageSample[], filesystems: readonly SampledFs[], now: number): Forecast | null {
  let first: Forecast | null = null;
  for (const fs of filesystems) {
    const seconds = secondsUntilFull(samples, now, undefined, (s) => readingOf(s, fs.role));
    if (seconds !== null && (first === null || seconds < first.seconds)) first = { fs, seconds };
  }
  return first;
}
