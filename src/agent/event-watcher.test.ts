import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/engine-api.js';
import { FakeEngine } from '../engine/testing/fake-engine.js';
import { sinceArg, watchEvents } from './event-watcher.js';

const event = (sec: number, action: string, actorId = 'c1'): EngineEvent => ({ type: 'container', action, actorId, attributes: { image: 'app:1' }, timeNano: BigInt(sec) * 1_000_000_000n });

/** An engine whose event stream is scripted per connection: events, then an end (dockerd stopping) or an error. */
class ScriptedEngine extends FakeEngine {
  connections: { since?: string }[] = [];
  constructor(private readonly script: (EngineEvent[] | Error)[]) {
    super();
  }
  override async *events(opts: { since?: string } = {}): AsyncIterable<EngineEvent> {
    this.connections.push({ ...(opts.since ? { since: opts.since } : {}) });
    const step = this.script.shift();
    if (step === undefined) return new Promise<never>(() => undefined);
    if (step instanceof Error) throw step;
    yield* step;
  }
}

describe('watchEvents', () => {
  it('resumes after each disconnection from the last event seen, and drops what the engine sends twice', async () => {
    const engine = new ScriptedEngine([[event(100, 'create'), event(101, 'start')], [event(101, 'start'), event(102, 'die')], new Error('connection refused'), [event(103, 'start')]]);
    const seen: string[] = [];
    let last: string | null = null;
    const connects: boolean[] = [];
    const downs: string[] = [];
    const abort = new AbortController();
    const sleeps: number[] = [];
    const done = watchEvents({
      engine,
      resumeFrom: () => last,
      onConnect: async (re) => void connects.push(re),
      onEvent: (e) => {
        seen.push(`${e.action}@${e.timeNano / 1_000_000_000n}`);
        last = e.timeNano.toString();
        if (seen.length === 4) abort.abort();
      },
      onDown: (err) => downs.push((err as Error).message),
      signal: abort.signal,
      sleep: async (ms) => void sleeps.push(ms),
    });
    await done;
    expect(seen).toEqual(['create@100', 'start@101', 'die@102', 'start@103']);
    expect(engine.connections).toEqual([{}, { since: '101.000000000' }, { since: '102.000000000' }, { since: '102.000000000' }]);
    expect(connects).toEqual([false, true, true, true]);
    expect(downs).toEqual(['the engine closed the event stream', 'the engine closed the event stream', 'connection refused']);
    // Each outage starts its backoff afresh.
    expect(sleeps).toEqual([500, 500, 500]);
  });

  it('backs off while the engine stays down, up to the maximum', async () => {
    const engine = new FakeEngine();
    const abort = new AbortController();
    const sleeps: number[] = [];
    let downs = 0;
    await watchEvents({
      engine,
      resumeFrom: () => null,
      onConnect: async () => {
        throw new Error('ECONNREFUSED');
      },
      onEvent: () => undefined,
      onDown: () => downs++,
      signal: abort.signal,
      backoff: { initialMs: 100, maxMs: 1000 },
      sleep: async (ms) => {
        sleeps.push(ms);
        if (sleeps.length === 6) abort.abort();
      },
    });
    expect(sleeps).toEqual([100, 200, 400, 800, 1000, 1000]);
    // One outage is reported once, however many attempts it takes.
    expect(downs).toBe(1);
  });

  it('formats `since` as seconds and nanoseconds, as the engine parses it', () => {
    expect(sinceArg('1764051614123456789')).toBe('1764051614.123456789');
    expect(sinceArg('1764051614000000005')).toBe('1764051614.000000005');
  });
});
