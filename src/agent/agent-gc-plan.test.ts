import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/engine-api.js';
import type { Endpoint } from '../engine/endpoint.js';
import { FakeEngine, type FakeImage } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import { storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { parseListen, startWebServer, type WebServer } from '../web/listen.js';
import { createAgentMetrics } from '../web/metrics.js';
import { createWebApp } from '../web/server.js';
import { startAgent, type RunningAgent } from './agent.js';

// The agent's GC dry run as /api/images serves it, against a fake engine that counts
// what it is asked: requests read the agent's last scan, so however many ask at once,
// the engine sees one inspect per image, and a change on /events makes one more.

/** A fake engine whose /events follows (stays open until the agent stops) with what the test pushes. */
class LiveEngine extends FakeEngine {
  private queue: EngineEvent[] = [];
  private wake: (() => void) | null = null;

  push(e: EngineEvent): void {
    this.queue.push(e);
    this.wake?.();
  }

  override async *events(opts: { until?: string; signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
    // With `until` the engine replays its buffer and closes the stream (gc's inventory asks so).
    if (opts.until !== undefined) return;
    const signal = opts.signal;
    while (!signal?.aborted) {
      const next = this.queue.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  }

  inspections(): number {
    return this.calls.filter((c) => c.startsWith('inspectImage')).length;
  }
}

const IMAGES = 20;
const fakeImage = (i: number): FakeImage => ({ id: `sha256:${i.toString(16).padStart(64, '0')}`, repoTags: [`app/img-${i}:1`], size: 10_000_000 });
const remote: Endpoint = { kind: 'tcp', url: 'tcp://fake:2375', host: 'fake', port: 2375, tls: null };
const HOUR = 3_600_000;

let t: TempDir;
let closeStores: () => void;
let engine: LiveEngine;
let agent: RunningAgent;
let server: WebServer;
/** The agent's monotonic clock, moved by hand past its rate limits. */
let clock: number;

async function getImages(): Promise<{ images: { tags: string[] }[]; scannedAt: string }> {
  const res = await fetch(`${server.url}/api/images`);
  expect(res.status).toBe(200);
  return (await res.json()) as { images: { tags: string[] }[]; scannedAt: string };
}

beforeEach(async () => {
  t = tempDir();
  const stores = storeFactory(t);
  closeStores = stores.closeAll;
  engine = new LiveEngine({ images: Array.from({ length: IMAGES }, (_, i) => fakeImage(i)) });
  const metrics = createAgentMetrics();
  clock = 0;
  // A remote engine: GC counts the images' bytes against --budget (no statfs to fake).
  agent = startAgent(
    { engine, endpoint: remote, probe: null, store: stores.open(), metrics, now: () => Date.now(), monotonic: () => clock, log: () => undefined, hostName: 'test-host' },
    { intervalMs: HOUR, gcIntervalMs: HOUR, gc: false, policy: makeGcPolicy({ budgetBytes: 50_000_000, minAgeMs: 0 }), webhooks: [], version: '0.0.0' },
  );
  server = await startWebServer(createWebApp(agent.view, metrics, { token: null, now: () => Date.now() }), parseListen('127.0.0.1:0'));
  // Connected: the engine's info is in, so the view can plan.
  await expect.poll(() => agent.view.health().engineUp).toBe(true);
});

afterEach(async () => {
  await server.close();
  await agent.stop();
  closeStores();
  t.cleanup();
});

describe('the agent serving its GC dry run', () => {
  it('answers 200 concurrent GET /api/images with one scan: one inspect per image', async () => {
    const bodies = await Promise.all(Array.from({ length: 200 }, () => getImages()));
    expect(bodies.every((b) => b.images.length === IMAGES)).toBe(true);
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(engine.inspections()).toBe(IMAGES);
    // And asking again costs nothing while nothing changed.
    await Promise.all(Array.from({ length: 50 }, () => getImages()));
    expect(engine.inspections()).toBe(IMAGES);
  });

  it('scans again once after an image event, and the next answers show the new image', async () => {
    await getImages();
    clock += 5_000; // a scan a second is too many, one every 5 s is not
    engine.images.set(fakeImage(IMAGES).id, fakeImage(IMAGES));
    engine.push({ type: 'image', action: 'pull', actorId: `app/img-${IMAGES}:1`, attributes: {}, timeNano: BigInt(Date.now()) * 1_000_000n });
    // The event reaches the agent, then 200 readers wait for the one scan it calls for.
    await expect
      .poll(async () => {
        const bodies = await Promise.all(Array.from({ length: 200 }, () => getImages()));
        return bodies.every((b) => b.images.length === IMAGES + 1);
      })
      .toBe(true);
    expect(engine.inspections()).toBe(IMAGES + IMAGES + 1);
  });

  it('does not scan for events that change nothing a scan reads (exec in a running container)', async () => {
    await getImages();
    for (let i = 0; i < 100; i++) {
      engine.push({ type: 'container', action: 'exec_create: true', actorId: 'c1', attributes: { image: 'app/img-1:1' }, timeNano: BigInt(Date.now()) * 1_000_000n + BigInt(i) });
    }
    await expect.poll(() => engine.calls.filter((c) => c === 'listImages').length).toBeGreaterThan(0);
    await Promise.all(Array.from({ length: 50 }, () => getImages()));
    expect(engine.inspections()).toBe(IMAGES);
  });

  it('shares its scan with a GC run asked for meanwhile', async () => {
    const [run] = await Promise.all([agent.view.runGc(), ...Array.from({ length: 50 }, () => getImages())]);
    expect(run.dryRun).toBe(true);
    expect(engine.inspections()).toBe(IMAGES);
  });
});
