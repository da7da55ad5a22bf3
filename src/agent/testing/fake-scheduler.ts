import type { Cancel, Scheduler } from '../scheduler.js';

// A manual clock and the timers on it, for the agent's tests (kubelet's fake clock):
// nothing fires until the test moves the clock with advance(), which fires every timer
// due on the way in time order, the clock standing at each one's time while it runs.

interface Timer {
  at: number;
  /** null: once. */
  repeat: number | null;
  fn: (due: number) => void;
}

export class FakeScheduler implements Scheduler {
  private clock: number;
  private readonly timers = new Set<Timer>();

  constructor(start: number) {
    this.clock = start;
  }

  /** The clock, to hand to the agent as `now`. */
  readonly now = (): number => this.clock;

  onGrid(intervalMs: number, fn: (due: number) => void): Cancel {
    return this.add({ at: (Math.floor(this.clock / intervalMs) + 1) * intervalMs, repeat: intervalMs, fn });
  }

  every(intervalMs: number, fn: () => void): Cancel {
    return this.add({ at: this.clock + intervalMs, repeat: intervalMs, fn: () => fn() });
  }

  after(ms: number, fn: () => void): Cancel {
    return this.add({ at: this.clock + ms, repeat: null, fn: () => fn() });
  }

  /** Timers not cancelled (a stopped agent leaves none). */
  pending(): number {
    return this.timers.size;
  }

  /** Moves the clock ms on, firing what falls due; lets the promises each timer started settle before the next. */
  async advance(ms: number): Promise<void> {
    const until = this.clock + ms;
    for (;;) {
      const next = [...this.timers].filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.clock = next.at;
      if (next.repeat === null) this.timers.delete(next);
      else next.at += next.repeat;
      next.fn(this.clock);
      await settle();
    }
    this.clock = until;
    await settle();
  }

  private add(timer: Timer): Cancel {
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }
}

/** Pending promise callbacks and I/O callbacks (SQLite is synchronous; the fakes answer in microtasks). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
