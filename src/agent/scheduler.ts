import { onGrid } from './grid-timer.js';

// The agent's timing, and nothing else: the loops say when (every sample interval on the
// wall clock's grid, every GC interval, every hour), the agent says what. Injected, so the
// agent's tests move a manual clock (testing/fake-scheduler.ts) instead of waiting.

/** Stops a timer; calling it twice is harmless. */
export type Cancel = () => void;

export interface Scheduler {
  /** fn(due) at every multiple of intervalMs since the epoch, each aimed anew from the clock (grid-timer.ts). */
  onGrid(intervalMs: number, fn: (due: number) => void): Cancel;
  /** fn every intervalMs, from now. */
  every(intervalMs: number, fn: () => void): Cancel;
  /** fn once, ms from now. */
  after(ms: number, fn: () => void): Cancel;
}

/** A sleep on the scheduler that an abort ends at once (the event watcher's reconnect backoff). */
export function sleepOn(scheduler: Scheduler): (ms: number, signal: AbortSignal) => Promise<void> {
  return (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const cancel = scheduler.after(ms, done);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
}

/** Node's timers, and the grid timer on `now`. */
export function realScheduler(now: () => number): Scheduler {
  return {
    onGrid: (intervalMs, fn) => onGrid(intervalMs, now, fn),
    every: (intervalMs, fn) => {
      const t = setInterval(fn, intervalMs);
      return () => clearInterval(t);
    },
    after: (ms, fn) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },
  };
}
