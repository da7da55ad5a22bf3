import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../store/agent-store.js';
import { secondsUntilFull } from './forecast.js';

const NOW = Date.parse('2026-11-25T06:00:00Z');
const GB = 1e9;

function sample(minutesAgo: number, availBytes: number | null): UsageSample {
  return {
    at: NOW - minutesAgo * 60_000,
    fsSizeBytes: 100 * GB,
    fsAvailBytes: availBytes,
    inodesTotal: null,
    inodesFree: null,
    images: 0,
    containers: 0,
    containersRunning: 0,
    containerdFsSizeBytes: null,
    containerdFsAvailBytes: null,
    containerdInodesTotal: null,
    containerdInodesFree: null,
  };
}

/** One sample a minute for `minutes`, losing `gbPerHour`. */
function filling(minutes: number, availNowGb: number, gbPerHour: number): UsageSample[] {
  return Array.from({ length: minutes + 1 }, (_, i) => sample(minutes - i, (availNowGb + ((minutes - i) / 60) * gbPerHour) * GB));
}

describe('secondsUntilFull', () => {
  it('extrapolates a steady fill to the moment available space reaches zero', () => {
    // 10 GB left, losing 2 GB an hour: full in 5 hours.
    expect(secondsUntilFull(filling(120, 10, 2), NOW)).toBeCloseTo(5 * 3600, 0);
  });

  it('fits a line through noise instead of trusting the last two samples', () => {
    const noisy = filling(120, 10, 2).map((s, i) => ({ ...s, fsAvailBytes: (s.fsAvailBytes as number) + (i % 2 ? 0.2 : -0.2) * GB }));
    const seconds = secondsUntilFull(noisy, NOW) as number;
    expect(seconds / 3600).toBeGreaterThan(4.7);
    expect(seconds / 3600).toBeLessThan(5.3);
  });

  it('says nothing for a disk that is flat or being freed', () => {
    expect(secondsUntilFull(filling(120, 10, 0), NOW)).toBeNull();
    expect(secondsUntilFull(filling(120, 10, -1), NOW)).toBeNull();
  });

  it('needs enough samples over enough time to call it a trend', () => {
    expect(secondsUntilFull(filling(3, 10, 2), NOW)).toBeNull();
    expect(secondsUntilFull([], NOW)).toBeNull();
    expect(
      secondsUntilFull(
        filling(120, 10, 2).map((s) => ({ ...s, fsAvailBytes: null })),
        NOW,
      ),
    ).toBeNull();
  });

  it('only looks at the window, so an old burst does not dominate', () => {
    const old = Array.from({ length: 60 }, (_, i) => sample(24 * 60 - i, (50 - i) * GB));
    expect(secondsUntilFull([...old, ...filling(120, 10, 0)], NOW)).toBeNull();
  });

  it('starts the trend again after the disk was freed (a GC), instead of seeing it empty', () => {
    // Filling 2 GB an hour; 15 minutes ago GC freed 20 GB at once.
    const before = filling(120, 10, 2).map((s) => ({ ...s, at: s.at - 16 * 60_000, fsAvailBytes: (s.fsAvailBytes as number) + 0.5 * GB }));
    const after = filling(15, 30, 2);
    expect(secondsUntilFull([...before, ...after], NOW)).toBeCloseTo(15 * 3600, 0);
    // Noise and a small rise (a log rotated, below 1% of the disk) do not reset it.
    const rotated = filling(120, 10, 2).map((s, i) => (i === 100 ? { ...s, fsAvailBytes: (s.fsAvailBytes as number) + 0.5 * GB } : s));
    expect((secondsUntilFull(rotated, NOW) as number) / 3600).toBeGreaterThan(4.5);
  });

  it('is zero when the trend says the disk is already full', () => {
    expect(
      secondsUntilFull(
        filling(120, 0, 2).map((s) => ({ ...s, fsAvailBytes: (s.fsAvailBytes as number) - 1 * GB })),
        NOW,
      ),
    ).toBe(0);
  });
});
