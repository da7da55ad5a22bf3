// The agent's last look at what GC decides from (every image's inspect and history, the
// containers, the services: one engine round trip per image at least), kept so that
// readers — /api/images, the dashboard, the scheduled dry run — share it instead of each
// making their own. Two hundred dashboards asking at once cost one scan, not two hundred:
// there is never more than one scan under way, and a reader either joins it or gets the
// last one.
//
// A scan is out of date when something it read changed since it began (an image pulled
// or deleted, a container created: the agent says so from /events) or when it is older
// than maxAgeMs. A read of an out-of-date scan starts a new one, at most one per
// minIntervalMs, so that a host tagging images all day is not inspected all day; a reader
// waits for that new scan (up to waitMs) only when the last one predates a change, else
// the last one is good enough and comes at once.

export interface Scanned<T> {
  value: T;
  /** When the scan began (unix ms): what it says is at least this fresh. */
  at: number;
}

export interface LastScanOptions {
  /** unix ms, for `at` and the age. */
  now: () => number;
  /** A clock that never jumps (ms), for the rate limit; performance.now by default. */
  monotonic?: () => number;
  maxAgeMs: number;
  minIntervalMs: number;
  waitMs: number;
  /** A scan started for a reader that did not wait for it failed. */
  onError: (err: unknown) => void;
}

interface Running<T> {
  promise: Promise<Scanned<T>>;
  /** The changes it sees: those counted when it began. */
  generation: number;
}

export class LastScan<T> {
  private last: { scan: Scanned<T>; generation: number } | null = null;
  private running: Running<T> | null = null;
  private generation = 0;
  private lastStart = -Infinity;
  private readonly monotonic: () => number;

  constructor(
    private readonly scan: () => Promise<T>,
    private readonly opts: LastScanOptions,
  ) {
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /** Something a scan reads has changed: scans begun before now are out of date. */
  changed(): void {
    this.generation++;
  }

  /** The last scan, without waiting unless there is none yet or it predates a change (see above). */
  async read(): Promise<Scanned<T>> {
    if (!this.last) return this.fresh();
    const { scan: last, generation } = this.last;
    const changed = generation < this.generation;
    if ((changed || this.opts.now() - last.at >= this.opts.maxAgeMs) && !this.running && this.monotonic() - this.lastStart >= this.opts.minIntervalMs) {
      this.start().catch(this.opts.onError);
    }
    const running = this.running;
    if (!changed || !running || running.generation <= generation) return last;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<Scanned<T>>((resolve) => (timer = setTimeout(() => resolve(last), this.opts.waitMs)));
    try {
      return await Promise.race([running.promise.catch(() => last), waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A scan begun after every change so far: the one under way if it qualifies, else the next one. For GC, which must not act on an old look. */
  fresh(): Promise<Scanned<T>> {
    return this.freshSince(this.generation);
  }

  private freshSince(wanted: number): Promise<Scanned<T>> {
    const running = this.running;
    if (!running) return this.start();
    if (running.generation >= wanted) return running.promise;
    // One at a time: the scan under way finishes first, then one that sees the changes
    // (changes made meanwhile are not chased: a busy host would never get its scan).
    const next = () => this.freshSince(wanted);
    return running.promise.then(next, next);
  }

  private start(): Promise<Scanned<T>> {
    const generation = this.generation;
    const at = this.opts.now();
    this.lastStart = this.monotonic();
    const promise = this.scan().then(
      (value) => {
        this.running = null;
        const scan = { value, at };
        this.last = { scan, generation };
        return scan;
      },
      (err: unknown) => {
        this.running = null;
        throw err;
      },
    );
    this.running = { promise, generation };
    return promise;
  }
}
