import { describe, expect, it } from 'vitest';
import type { UsageSample } from './agent-store.js';
import { DAY, GB, HOUR, MINUTE, NOW, sample, simulate, storePerTest } from './testing/temp-store.js';

const ctx = storePerTest();

describe('samples', () => {
  it('come back oldest first within [since, until], as stored, when they fit', () => {
    const [a, b, c, d] = [0, 1, 2, 3].map((i) => sample(NOW + i * MINUTE, { images: i }));
    for (const s of [c, a, d, b]) ctx.store.addSample(s!);
    expect(ctx.store.samples(NOW + MINUTE, NOW + 2 * MINUTE)).toEqual([b, c]);
    expect(ctx.store.samples(NOW, NOW + 3 * MINUTE, 4)).toEqual([a, b, c, d]);
    expect(ctx.store.samples(NOW + 3 * MINUTE, NOW)).toEqual([]);
  });

  it('are averaged into maxPoints equal time buckets when more would come back', () => {
    // Ten samples a minute apart into five buckets of two minutes: each mean is of a pair.
    for (let i = 0; i < 10; i++) ctx.store.addSample(sample(NOW + i * MINUTE, { images: i, fsAvailBytes: i * GB, containerdFsSizeBytes: i < 4 ? null : 10 }));
    const got = ctx.store.samples(NOW, NOW + 10 * MINUTE - 1, 5);
    expect(got.map((s) => s.at)).toEqual([0, 2, 4, 6, 8].map((i) => NOW + i * MINUTE + 30_000));
    expect(got.map((s) => s.images)).toEqual([0.5, 2.5, 4.5, 6.5, 8.5]);
    expect(got.map((s) => s.fsAvailBytes)).toEqual([0.5, 2.5, 4.5, 6.5, 8.5].map((i) => i * GB));
    // Not measured in the first two buckets: those stay null, not 0.
    expect(got.map((s) => s.containerdFsSizeBytes)).toEqual([null, null, 10, 10, 10]);
    expect(got[0]).toMatchObject({ fsSizeBytes: 100 * GB, containers: 8, containersRunning: 5 });
  });

  it('never come back as more than maxPoints, and one point is the mean of all', () => {
    for (let i = 0; i < 100; i++) ctx.store.addSample(sample(NOW + i * 7_001, { images: i }));
    for (const points of [1, 3, 7, 99]) expect(ctx.store.samples(NOW, NOW + 100 * 7_001, points).length).toBeLessThanOrEqual(points);
    expect(ctx.store.samples(0, NOW + DAY, 1)).toEqual([{ ...sample(0, { images: 49.5 }), at: NOW + Math.round(49.5 * 7_001) }]);
  });

  it('keep null where a field was never measured', () => {
    const remote = (at: number): UsageSample => sample(at, { fsSizeBytes: null, fsAvailBytes: null, inodesTotal: null, inodesFree: null });
    for (let i = 0; i < 6; i++) ctx.store.addSample(remote(NOW + i * MINUTE));
    expect(ctx.store.samples(NOW, NOW + 6 * MINUTE - 1, 2)).toEqual([
      { ...remote(NOW + MINUTE), images: 20 },
      { ...remote(NOW + 4 * MINUTE), images: 20 },
    ]);
  });
});

describe('a month of samples', () => {
  it('answers a 30-day chart of 1000 points in well under 200 ms', () => {
    // The agent's 30 s interval for 30 days, retention applied daily: 48 h raw, 5-minute means before.
    simulate(ctx.store, { from: NOW - 30 * DAY, until: NOW, eventEveryMs: HOUR });
    ctx.store.applyRetention(NOW);
    expect(ctx.store.samples(NOW - 30 * DAY, NOW).length).toBe(48 * 120 + 1 + 28 * 288);

    const times: number[] = [];
    let points: UsageSample[] = [];
    for (let i = 0; i < 5; i++) {
      const start = performance.now();
      points = ctx.store.samples(NOW - 30 * DAY, NOW, 1000);
      times.push(performance.now() - start);
    }
    expect(points.length).toBeGreaterThan(990);
    expect(points.length).toBeLessThanOrEqual(1000);
    expect(points.every((p, i) => i === 0 || p.at > points[i - 1]!.at)).toBe(true);
    expect(Math.max(...times)).toBeLessThan(200);
  }, 60_000);
});
