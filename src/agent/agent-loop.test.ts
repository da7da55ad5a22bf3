import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DockerInfo } from '../engine/docker-info.js';
import type { Endpoint } from '../engine/endpoint.js';
import { FollowingFakeEngine, type FakeImage } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import type { FsUsage } from '../host/host-probe.js';
import type { RestartForensics } from '../host/forensics/restart-forensics.js';
import { fakeHostProbe, usage } from '../host/testing/fake-host-probe.js';
import type { AgentStore, EngineIdentity } from '../store/agent-store.js';
import { MINUTE, NOW, SECOND, storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { createAgentMetrics } from '../web/metrics.js';
import { startAgent, type AgentDeps, type RunningAgent } from './agent.js';
import { FakeScheduler } from './testing/fake-scheduler.js';

// The agent's loops on a manual clock (testing/fake-scheduler.ts), a fake engine, a fake
// host and a temporary store: a sample on every tick of the grid, GC once when usage
// crosses --high, GC on the gc interval, forensics when the engine moved. Nothing waits
// for a real timer: the test moves the clock and asserts on what the store holds.

/** A fake engine whose /events stays open until the agent stops; while `down`, it does not answer. */
class QuietEngine extends FollowingFakeEngine {
  down = false;

  override async info(): Promise<DockerInfo> {
    if (this.down) throw new Error('connect ECONNREFUSED /run/docker.sock');
    return super.info();
  }
}

const local: Endpoint = { kind: 'unix', url: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' };
const mountinfo = '1 0 253:0 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n';
const GB = 1e9;
const INTERVAL = 30 * SECOND;
const fakeImage = (i: number): FakeImage => ({ id: `sha256:${i.toString(16).padStart(64, '0')}`, repoTags: [`app/img-${i}:1`], size: 100_000_000, created: (NOW - 30 * 86_400_000) / 1000 });

let t: TempDir;
let closeStores: () => void;
let store: AgentStore;
let scheduler: FakeScheduler;
let statfs: Record<string, FsUsage>;
let forensics: ReturnType<typeof vi.fn<NonNullable<AgentDeps['forensics']>>>;
let agent: RunningAgent | null;
let lines: string[];
let engine: QuietEngine;

beforeEach(() => {
  t = tempDir();
  const stores = storeFactory(t);
  closeStores = stores.closeAll;
  store = stores.open();
  scheduler = new FakeScheduler(NOW);
  statfs = { '/': usage(100 * GB, 50 * GB) };
  forensics = vi.fn(async (): Promise<RestartForensics> => ({ evidence: [], gaps: [] }));
  lines = [];
  agent = null;
  engine = new QuietEngine({ images: Array.from({ length: 4 }, (_, i) => fakeImage(i)) });
});

afterEach(async () => {
  await agent?.stop();
  closeStores();
  t.cleanup();
});

function start(gcIntervalMs = 3_600_000): RunningAgent {
  const probe = fakeHostProbe({ files: { '/proc/self/mountinfo': mountinfo }, dirs: ['/var/lib/docker'], statfs });
  agent = startAgent(
    {
      engine,
      endpoint: local,
      probe,
      store,
      metrics: createAgentMetrics(),
      now: scheduler.now,
      monotonic: scheduler.now,
      scheduler,
      log: (l) => lines.push(l),
      hostName: 'test-host',
      forensics,
    },
    { intervalMs: INTERVAL, gcIntervalMs, gc: false, policy: makeGcPolicy({ highPct: 85, lowPct: 80, minAgeMs: 0 }), webhooks: [], version: '0.0.0' },
  );
  return agent;
}

const samples = () => store.samples(0, NOW + 86_400_000);
const runs = (trigger: string) => store.gcRuns(100).filter((r) => r.trigger === trigger);
/** One tick of the sampler, and its sample stored. */
async function tick(): Promise<void> {
  const before = samples().length;
  await scheduler.advance(INTERVAL);
  await expect.poll(() => samples().length).toBe(before + 1);
}

describe('the agent on a manual clock', () => {
  it('takes a sample at connection and one on each tick of the grid, and stores it', async () => {
    start();
    await expect.poll(() => samples().length).toBe(1);
    for (let i = 0; i < 3; i++) await tick();
    expect(samples().map((s) => s.at)).toEqual([NOW, NOW + INTERVAL, NOW + 2 * INTERVAL, NOW + 3 * INTERVAL]);
    expect(samples().at(-1)).toMatchObject({ fsSizeBytes: 100 * GB, fsAvailBytes: 50 * GB, images: 4 });
    expect(agent?.view.health().lastSampleAt).toBe(NOW + 3 * INTERVAL);
  });

  it('runs GC once when usage crosses --high, not again while it stays above, and again after it fell back below', async () => {
    start();
    await expect.poll(() => samples().length).toBe(1);
    statfs['/'] = usage(100 * GB, 90 * GB);
    await tick();
    await expect.poll(() => runs('pressure').length).toBe(1);
    expect(runs('pressure')[0]).toMatchObject({ beforePct: 90, dryRun: true });
    expect(lines).toContain('GC on pressure: usage 90.0% crossed --high 85% (from 50.0%)');

    await tick();
    await tick();
    expect(runs('pressure')).toHaveLength(1);

    statfs['/'] = usage(100 * GB, 60 * GB);
    await tick();
    statfs['/'] = usage(100 * GB, 95 * GB);
    await tick();
    await expect.poll(() => runs('pressure').length).toBe(2);
    expect(runs('schedule')).toEqual([]);
  });

  it('runs GC on the gc interval, and not before', async () => {
    start(10 * MINUTE);
    await expect.poll(() => samples().length).toBe(1);
    await scheduler.advance(10 * MINUTE - 1);
    expect(runs('schedule')).toEqual([]);
    await scheduler.advance(1);
    await expect.poll(() => runs('schedule').length).toBe(1);
    await scheduler.advance(10 * MINUTE);
    await expect.poll(() => runs('schedule').length).toBe(2);
    expect(
      runs('schedule')
        .map((r) => r.at)
        .sort(),
    ).toEqual([NOW + 10 * MINUTE, NOW + 20 * MINUTE]);
    expect(runs('pressure')).toEqual([]);
  });

  it('gathers restart forensics when the engine comes back at another data root, and raises data-root.drift', async () => {
    const before: EngineIdentity = {
      at: NOW - MINUTE,
      engineId: 'E',
      serverVersion: '26.1',
      dockerRootDir: '/data/docker',
      driver: 'overlay2',
      imageStore: 'graph',
      // 20 images there, 4 here: they "disappeared".
      images: 20,
      containers: 0,
    };
    store.recordIdentity(before);
    start();
    await expect.poll(() => samples().length).toBe(1);
    expect(forensics).toHaveBeenCalledTimes(1);
    expect(forensics.mock.calls[0]?.[1]).toBe(NOW);
    expect(store.openFindings().map(({ finding }) => finding.id)).toContain('data-root.drift');
  });

  it('gathers no forensics on a first start at the same place', async () => {
    start();
    await expect.poll(() => samples().length).toBe(1);
    expect(forensics).not.toHaveBeenCalled();
    expect(store.openFindings().map(({ finding }) => finding.id)).not.toContain('data-root.drift');
  });

  it('connects after its backoff when the engine was down at start, on the scheduler', async () => {
    engine.down = true;
    start();
    await expect.poll(() => lines.some((l) => l.startsWith('engine at unix:///run/docker.sock is down'))).toBe(true);
    engine.down = false;
    await scheduler.advance(499);
    expect(samples()).toEqual([]);
    await scheduler.advance(1);
    await expect.poll(() => samples().length).toBe(1);
    expect(samples()[0]?.at).toBe(NOW + 500);
  });

  it('leaves no timer behind when stopped', async () => {
    const running = start();
    await expect.poll(() => samples().length).toBe(1);
    expect(scheduler.pending()).toBe(3);
    await running.stop();
    agent = null;
    expect(scheduler.pending()).toBe(0);
  });
});
