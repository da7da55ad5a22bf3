import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageDetails } from '../engine/engine-api.js';
import type { Endpoint } from '../engine/endpoint.js';
import { FollowingFakeEngine, type FakeImage } from '../engine/testing/fake-engine.js';
import { makeGcPolicy, type GcPolicy } from '../gc/gc-policy.js';
import { storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { AgentUnavailable } from '../agent-view.js';
import { parseListen, startWebServer, type WebServer } from '../web/listen.js';
import { createAgentMetrics } from '../web/metrics.js';
import { createWebApp } from '../web/server.js';
import { startAgent, type RunningAgent } from './agent.js';

// States the agent's HTTP side meets every day, answered as states rather than failures:
// GC asked for while a scheduled run is under way joins that run; a remote engine
// without --budget has no GC plan to show (503, one line in the log, not a stack a poll).

/** An engine whose /events stays open, and whose image inspections wait while `held` (a slow scan). */
class SlowEngine extends FollowingFakeEngine {
  private release: (() => void) | null = null;
  private held: Promise<void> | null = null;
  inspecting = false;

  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }

  letGo(): void {
    this.release?.();
    this.held = null;
  }

  override async inspectImage(id: string): Promise<ImageDetails> {
    this.inspecting = true;
    await this.held;
    return super.inspectImage(id);
  }
}

const remote: Endpoint = { kind: 'tcp', url: 'tcp://fake:2375', host: 'fake', port: 2375, tls: null };
const HOUR = 3_600_000;
const fakeImage = (i: number): FakeImage => ({ id: `sha256:${i.toString(16).padStart(64, '0')}`, repoTags: [`app/img-${i}:1`], size: 10_000_000 });

let t: TempDir;
let stores: ReturnType<typeof storeFactory>;
let engine: SlowEngine;
let agent: RunningAgent;
let server: WebServer | null;
let logged: string[];

function start(policy: GcPolicy, gcIntervalMs = HOUR): void {
  agent = startAgent(
    { engine, endpoint: remote, probe: null, store: stores.open(), metrics: createAgentMetrics(), now: () => Date.now(), log: (line) => logged.push(line), hostName: 'test-host' },
    { intervalMs: HOUR, gcIntervalMs, gc: false, policy, webhooks: [], version: '0.0.0' },
  );
}

beforeEach(() => {
  t = tempDir();
  stores = storeFactory(t);
  engine = new SlowEngine({ images: Array.from({ length: 3 }, (_, i) => fakeImage(i)) });
  logged = [];
  server = null;
});

afterEach(async () => {
  engine.letGo();
  await server?.close();
  await agent.stop();
  stores.closeAll();
  t.cleanup();
});

describe('the agent view', () => {
  it('joins the scheduled GC run under way when GC is asked for, and answers with its record', async () => {
    engine.hold();
    start(makeGcPolicy({ budgetBytes: 50_000_000, minAgeMs: 0 }), 30);
    // The schedule's run has begun its scan and waits on the engine.
    await expect.poll(() => engine.inspecting).toBe(true);
    const asked = agent.view.runGc();
    engine.letGo();
    const record = await asked;
    expect(record.trigger).toBe('schedule');
    expect(agent.view.gcRuns(100).some((r) => r.trigger === 'manual')).toBe(false);
  });

  it('says a remote engine without --budget cannot be planned for: AgentUnavailable, over HTTP 503 and one log line however often asked', async () => {
    start(makeGcPolicy({ minAgeMs: 0 }));
    await expect.poll(() => agent.view.health().engineUp).toBe(true);
    await expect(agent.view.gcPlan()).rejects.toThrow(AgentUnavailable);
    await expect(agent.view.runGc()).rejects.toThrow(AgentUnavailable);

    server = await startWebServer(createWebApp(agent.view, createAgentMetrics(), { token: null, now: () => Date.now(), log: (line) => logged.push(line) }), parseListen('127.0.0.1:0'));
    for (let poll = 0; poll < 5; poll++) {
      const res = await fetch(`${server.url}/api/images`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        error: 'GET /api/images failed: the engine at tcp://fake:2375 is not on this host, so its disk cannot be measured: start the agent with --budget SIZE to plan GC',
        code: 'unavailable',
      });
    }
    expect(logged.filter((l) => l.includes('/api/images'))).toEqual([
      'web: GET /api/images failed: the engine at tcp://fake:2375 is not on this host, so its disk cannot be measured: start the agent with --budget SIZE to plan GC',
    ]);
  });
});
