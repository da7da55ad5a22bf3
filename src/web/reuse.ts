// Answers that cost more to make than they change, made once and handed to every request
// that asks the same thing within `ms`: a day of usage is a grouped query over 2,880
// rows (~10 ms) whose result moves once per sample, /metrics reads /proc for the process
// metrics, and the fleet view asks every peer over the network. Two hundred dashboards
// asking at once then cost one of each per interval instead of two hundred, and the
// event loop stays free for the sampler and the event watcher.
//
// An answer still being made (a promise) is joined, whatever its age; it is reused for
// `ms` from when it is ready, and forgotten at once if it fails.

export interface ReuseOptions {
  ms: number;
  /** At most this many answers are kept (the oldest go first): keys come from query strings. */
  maxEntries?: number;
  /** A clock that never jumps (ms); performance.now by default. Tests pass their own. */
  monotonic?: () => number;
}

interface Entry {
  value: unknown;
  /** Monotonic ms; Infinity while a promise is pending. */
  until: number;
}

export class Reuse {
  private readonly entries = new Map<string, Entry>();
  private readonly monotonic: () => number;
  private readonly maxEntries: number;

  constructor(private readonly opts: ReuseOptions) {
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.maxEntries = opts.maxEntries ?? 16;
  }

  get<T>(key: string, make: () => T): T {
    const hit = this.entries.get(key);
    if (hit && hit.until > this.monotonic()) return hit.value as T;
    const value = make();
    if (this.opts.ms <= 0) return value;
    const entry: Entry = { value, until: value instanceof Promise ? Infinity : this.monotonic() + this.opts.ms };
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (value instanceof Promise) {
      value.then(
        () => (entry.until = this.monotonic() + this.opts.ms),
        () => {
          if (this.entries.get(key) === entry) this.entries.delete(key);
        },
      );
    }
    // Map keeps insertion order: the first keys are the oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(k);
    }
    return value;
  }
}
