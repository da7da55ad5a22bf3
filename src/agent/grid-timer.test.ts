import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { onGrid } from './grid-timer.js';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_250);
});
afterEach(() => vi.useRealTimers());

describe('onGrid', () => {
  it('ticks at every multiple of the interval, each aimed from the clock', () => {
    const ticks: [number, number][] = [];
    const stop = onGrid(
      1000,
      () => Date.now(),
      (due) => ticks.push([due, Date.now()]),
    );
    vi.advanceTimersByTime(3_000);
    expect(ticks).toEqual([
      [11_000, 11_000],
      [12_000, 12_000],
      [13_000, 13_000],
    ]);
    stop();
    vi.advanceTimersByTime(5_000);
    expect(ticks).toHaveLength(3);
  });

  it('does not tick twice for one point when the timer fires before the wall clock says it is due', () => {
    const dues: number[] = [];
    // A wall clock 1 ms behind the timers' clock: each tick comes "1 ms early".
    const stop = onGrid(
      1000,
      () => Date.now() - 1,
      (due) => dues.push(due),
    );
    vi.advanceTimersByTime(3_010);
    expect(dues).toEqual([11_000, 12_000, 13_000]);
    stop();
  });

  it('a tick late by more than an interval stands for the points it missed, and the next is on the grid again', () => {
    const ticks: [number, number][] = [];
    let ahead = 0;
    const stop = onGrid(
      1000,
      () => Date.now() + ahead,
      (due) => ticks.push([due, Date.now() + ahead]),
    );
    // The tick aimed at 11:000 comes when the clock says 13:500, as after a blocked event loop.
    ahead = 2_500;
    vi.advanceTimersByTime(3_000);
    stop();
    expect(ticks).toEqual([
      [13_000, 13_500],
      [14_000, 14_000],
      [15_000, 15_000],
    ]);
  });
});
