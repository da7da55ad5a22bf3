import { describe, expect, it } from 'vitest';
import { sleepOn } from './scheduler.js';
import { FakeScheduler } from './testing/fake-scheduler.js';

describe('FakeScheduler', () => {
  it('fires grid, interval and one-off timers in time order as the clock moves, and not once cancelled', async () => {
    const s = new FakeScheduler(10_000 + 7_000);
    const fired: string[] = [];
    s.onGrid(10_000, (due) => fired.push(`grid@${due}`));
    const stopEvery = s.every(15_000, () => fired.push(`every@${s.now()}`));
    s.after(1_000, () => fired.push(`after@${s.now()}`));
    await s.advance(30_000);
    expect(fired).toEqual(['after@18000', 'grid@20000', 'grid@30000', 'every@32000', 'grid@40000', 'every@47000']);
    stopEvery();
    await s.advance(15_000);
    expect(fired.slice(6)).toEqual(['grid@50000', 'grid@60000']);
    expect(s.now()).toBe(62_000);
    expect(s.pending()).toBe(1);
  });
});

describe('sleepOn', () => {
  it('resolves when the clock has moved on, or at once on abort, leaving no timer', async () => {
    const s = new FakeScheduler(0);
    const abort = new AbortController();
    let slept = false;
    void sleepOn(s)(500, abort.signal).then(() => (slept = true));
    await s.advance(499);
    expect(slept).toBe(false);
    await s.advance(1);
    expect(slept).toBe(true);

    let aborted = false;
    const sleeping = sleepOn(s)(60_000, abort.signal).then(() => (aborted = true));
    expect(s.pending()).toBe(1);
    abort.abort();
    await sleeping;
    expect(aborted).toBe(true);
    expect(s.pending()).toBe(0);
  });
});
