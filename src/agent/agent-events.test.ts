import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/engine-api.js';
import type { Endpoint } from '../engine/endpoint.js';
import { FakeEngine } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import { storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { createAgentMetrics } from '../web/metrics.js';
import { startAgent } from './agent.js';

// The agent's events across restarts: each run resumes /events from the newest stored
// event, and an engine, like dockerd, answers `since` inclusively, so the events at that
// nanosecond come again every time. Each must be stored once however often it comes.

/** An engine with an event buffer that answers `since` as dockerd does (inclusive), then follows until the agent stops. */
class ReplayingEngine extends FakeEngine {
  sinces: (string | null)[] = [];

  override async *events(opts: { since?: string; until?: string; signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
    if (opts.until !== undefined) return;
    this.sinces.push(opts.since ?? null);
    const [sec = '0', frac = '0'] = (opts.since ?? '0').split('.');
    const since = BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
    yield* this.eventLog.filter((e) => e.timeNano >= since);
    await new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true }));
  }
}

const remote: Endpoint = { kind: 'tcp', url: 'tcp://fake:2375', host: 'fake', port: 2375, tls: null };
const HOUR = 3_600_000;
const T = 1_764_051_614_000_000_000n;
const event = (dNs: bigint, action: string, actorId = 'c1'): EngineEvent => ({ type: 'container', action, actorId, attributes: { image: 'app:1' }, timeNano: T + dNs });

let t: TempDir;
let stores: ReturnType<typeof storeFactory>;
beforeEach(() => {
  t = tempDir();
  stores = storeFactory(t);
});
afterEach(() => {
  stores.closeAll();
  t.cleanup();
});

/** One agent run against the engine with the store file: until it has stored `stored` events, then stopped. */
async function runAgentUntil(engine: ReplayingEngine, stored: number): Promise<void> {
  const store = stores.open();
  const agent = startAgent(
    { engine, endpoint: remote, probe: null, store, metrics: createAgentMetrics(), now: () => Date.now(), log: () => undefined, hostName: 'test-host' },
    { intervalMs: HOUR, gcIntervalMs: HOUR, gc: false, policy: makeGcPolicy({ budgetBytes: 50_000_000 }), webhooks: [], version: '0.0.0' },
  );
  await expect.poll(() => engine.sinces.length > 0 && store.recentEvents(100).length >= stored).toBe(true);
  // Replayed events are handled one by one: let any that would be stored twice arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await agent.stop();
  store.close();
}

describe('the agent restarted', () => {
  it('stores each event once, however many restarts replay the newest nanosecond', async () => {
    const engine = new ReplayingEngine();
    // Two events share the newest nanosecond: a container's die and another one's start.
    engine.eventLog = [event(0n, 'create'), event(1n, 'start'), event(2n, 'die'), event(2n, 'start', 'c2')];
    for (let run = 0; run < 5; run++) await runAgentUntil(engine, 4);
    // Every run after the first resumed from the newest stored event and got it again.
    expect(engine.sinces).toEqual([null, ...Array(4).fill('1764051614.000000002')]);

    const store = stores.open();
    expect(store.recentEvents(100).map((e) => `${e.action}@${e.actorId}`)).toEqual(['start@c2', 'die@c1', 'start@c1', 'create@c1']);
  });
});
