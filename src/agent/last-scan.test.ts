import { describe, expect, it } from 'vitest';
import { LastScan, type LastScanOptions } from './last-scan.js';

// The scan is a promise the test settles by hand, the clocks are numbers it moves: what
// is asserted is how many scans ran and what each reader got.

interface Pending {
  resolve: (n: number) => void;
  reject: (err: Error) => void;
}

function setup(overrides: Partial<LastScanOptions> = {}) {
  const t = { now: 1_000_000, mono: 0 };
  const pending: Pending[] = [];
  const errors: unknown[] = [];
  let started = 0;
  const scans = new LastScan<number>(
    () => {
      started++;
      return new Promise<number>((resolve, reject) => pending.push({ resolve, reject }));
    },
    { now: () => t.now, monotonic: () => t.mono, maxAgeMs: 60_000, minIntervalMs: 5_000, waitMs: 2_000, onError: (e) => errors.push(e), ...overrides },
  );
  /** Settles the oldest scan still under way with `value`. */
  const finish = async (value: number) => {
    pending.shift()!.resolve(value);
    await flush();
  };
  const advance = (ms: number) => {
    t.now += ms;
    t.mono += ms;
  };
  return { scans, t, pending, errors, started: () => started, finish, advance };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('LastScan', () => {
  it('makes one scan for 200 readers arriving before the first, and gives them all its result', async () => {
    const s = setup();
    const reads = Array.from({ length: 200 }, () => s.scans.read());
    expect(s.started()).toBe(1);
    await s.finish(7);
    const got = await Promise.all(reads);
    expect(new Set(got).size).toBe(1);
    expect(got[0]).toEqual({ value: 7, at: 1_000_000 });
  });

  it('serves the last scan without scanning again while nothing changed and it is younger than maxAge', async () => {
    const s = setup();
    const first = s.scans.read();
    await s.finish(1);
    s.advance(59_000);
    for (let i = 0; i < 50; i++) expect(await s.scans.read()).toBe(await first);
    expect(s.started()).toBe(1);
  });

  it('refreshes an old scan in the background: readers get the last one at once, then the new one', async () => {
    const s = setup();
    const first = s.scans.read();
    await s.finish(1);
    s.advance(60_000);
    const reads = await Promise.all(Array.from({ length: 200 }, () => s.scans.read()));
    expect(reads.every((r) => r.value === 1)).toBe(true);
    expect(s.started()).toBe(2);
    await s.finish(2);
    expect(await s.scans.read()).toEqual({ value: 2, at: 1_060_000 });
    expect(await first).toEqual({ value: 1, at: 1_000_000 });
    expect(s.started()).toBe(2);
  });

  it('after a change, 200 readers cause one scan and wait for it', async () => {
    const s = setup();
    void s.scans.read();
    await s.finish(1);
    s.advance(10_000);
    s.scans.changed();
    const reads = Array.from({ length: 200 }, () => s.scans.read());
    expect(s.started()).toBe(2);
    await s.finish(2);
    expect((await Promise.all(reads)).every((r) => r.value === 2)).toBe(true);
  });

  it('after a change, a reader waits at most waitMs, then takes the last scan', async () => {
    const s = setup({ waitMs: 20 });
    void s.scans.read();
    await s.finish(1);
    s.advance(10_000);
    s.scans.changed();
    expect((await s.scans.read()).value).toBe(1);
    expect(s.started()).toBe(2);
  });

  it('scans at most once per minInterval however often things change', async () => {
    const s = setup();
    void s.scans.read();
    await s.finish(1);
    s.advance(1_000);
    s.scans.changed();
    expect((await s.scans.read()).value).toBe(1);
    expect(s.started()).toBe(1);
    s.advance(4_000);
    const read = s.scans.read();
    expect(s.started()).toBe(2);
    await s.finish(2);
    expect((await read).value).toBe(2);
  });

  it('fresh() joins a scan begun after the last change, and waits for one begun before it to start another', async () => {
    const s = setup();
    const a = s.scans.fresh();
    const b = s.scans.fresh();
    expect(s.started()).toBe(1);
    s.scans.changed();
    const c = s.scans.fresh();
    expect(s.started()).toBe(1);
    await s.finish(1);
    expect(await a).toBe(await b);
    expect(s.started()).toBe(2);
    await s.finish(2);
    expect((await c).value).toBe(2);
  });

  it('a failed first scan fails its readers, and the next read tries again', async () => {
    const s = setup();
    const reads = [s.scans.read(), s.scans.read()];
    s.pending.shift()!.reject(new Error('engine gone'));
    for (const r of reads) await expect(r).rejects.toThrow('engine gone');
    const again = s.scans.read();
    expect(s.started()).toBe(2);
    await s.finish(3);
    expect((await again).value).toBe(3);
  });

  it('a failed refresh keeps the last scan and is reported', async () => {
    const s = setup();
    void s.scans.read();
    await s.finish(1);
    s.advance(60_000);
    expect((await s.scans.read()).value).toBe(1);
    s.pending.shift()!.reject(new Error('engine gone'));
    await flush();
    expect(s.errors).toEqual([new Error('engine gone')]);
    expect((await s.scans.read()).value).toBe(1);
  });
});
