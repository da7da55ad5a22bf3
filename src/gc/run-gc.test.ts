import { describe, expect, it } from 'vitest';
import { EngineError } from '../core/errors.js';
import { gatherInventory } from '../engine/gather-inventory.js';
import { FakeEngine, type FakeContainer, type FakeImage } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from './gc-policy.js';
import type { GcUsage } from './plan-gc.js';
import { runGc, type GcRunDeps, type GcRunOptions } from './run-gc.js';
import { DAY, id, MB, T0 } from './testing/build-inventory.js';

// Whole runs against a stateful engine and a modelled filesystem: its size is fixed and
// what is used is a base (everything but images) plus the images left. `freedRatio` is
// the part of an image's size its deletion really gives back (filesystem overhead, or
// blocks freed beyond the layer bytes).

const SIZE = 10_000 * MB;
const policy = makeGcPolicy(); // --high 85, --low 80, --min-age 2m

/** `appN:1`, created N days after the others before it: the lower N, the less recently used. */
function app(n: number, size = 1000 * MB): FakeImage {
  return { id: id(`app${n}`), repoTags: [`app${n}:1`], size, created: 1_600_000_000 + n * 86_400 };
}

function apps(count: number, size?: number): FakeImage[] {
  return Array.from({ length: count }, (_, n) => app(n, size));
}

function container(name: string, imageNo: number, state: string, created: number): FakeContainer {
  return { id: id(`c-${name}`).slice(7), name, imageId: id(`app${imageNo}`), state, created };
}

function host(images: FakeImage[], opts: { baseBytes: number; freedRatio?: number; containers?: FakeContainer[]; now?: number }) {
  const now = opts.now ?? T0;
  const engine = new FakeEngine({ images, containers: opts.containers ?? [] });
  engine.clock = () => now;
  const total = images.reduce((sum, i) => sum + i.size, 0);
  const usage = async (): Promise<GcUsage> => {
    const left = [...engine.images.values()].reduce((sum, i) => sum + i.size, 0);
    const used = opts.baseBytes + left + (1 - (opts.freedRatio ?? 1)) * (total - left);
    return { kind: 'filesystem', path: '/var/lib/docker', sizeBytes: SIZE, availBytes: SIZE - used };
  };
  const deps: GcRunDeps = { engine, usage, now: () => now, inventory: async () => gatherInventory(engine, await engine.info(), new Date(now)) };
  const run = (opts: Partial<GcRunOptions> = {}) => runGc(deps, { policy, dryRun: false, ...opts });
  return { engine, run };
}

const left = (engine: FakeEngine): string[] => [...engine.images.keys()];
const ids = (list: { id: string }[]): string[] => list.map((i) => i.id);
const changes = (engine: FakeEngine): string[] => engine.calls.filter((c) => /^(removeImage|tagImage|prune)/.test(c));
const removalsOf = (engine: FakeEngine, imageId: string): number => engine.calls.filter((c) => c === `removeImage ${imageId}`).length;

describe('runGc on a host above --high', () => {
  it('changes nothing in a dry run and gives the prediction as after', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB }); // 95% used
    const result = await run({ dryRun: true });
    expect(left(engine)).toHaveLength(5);
    expect(changes(engine)).toEqual([]);
    expect(ids(result.deleted)).toEqual([id('app0'), id('app1')]);
    expect(result.before.usedPct).toBeCloseTo(95);
    expect(result.after.usedPct).toBeCloseTo(75);
    expect(result).toMatchObject({ dryRun: true, rounds: 0, reachedTarget: true, bytesToFree: 1500 * MB });
  });

  it('deletes the least recently used images down to --low and reports the measured usage', async () => {
    // The filesystem gives back more than the layers' bytes: after is measured, not predicted.
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB, freedRatio: 1.2 });
    const result = await run();
    expect(left(engine)).toEqual([id('app2'), id('app3'), id('app4')]);
    expect(ids(result.deleted)).toEqual([id('app0'), id('app1')]);
    expect(result.after.usedPct).toBeCloseTo(71);
    expect(result).toMatchObject({ rounds: 1, reachedTarget: true, failed: [] });
  });

  it('deletes nothing when run again', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB });
    await run();
    const after = left(engine);
    engine.calls = [];
    const again = await run();
    expect(left(engine)).toEqual(after);
    expect(changes(engine)).toEqual([]);
    expect(again).toMatchObject({ deleted: [], rounds: 0, reachedTarget: true, bytesToFree: 0 });
  });

  it('plans another round when the measurement after a round is still above --low', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB, freedRatio: 0.5 });
    const result = await run();
    expect(result.rounds).toBe(2);
    expect(left(engine)).toEqual([id('app3'), id('app4')]);
    expect(result.after.usedPct).toBeCloseTo(80);
    expect(result.reachedTarget).toBe(true);
  });

  it('stops after three rounds and says what it left undone', async () => {
    const { engine, run } = host(apps(10, 500 * MB), { baseBytes: 4500 * MB, freedRatio: 0.1 });
    const result = await run();
    expect(result.rounds).toBe(3);
    expect(left(engine)).toEqual([id('app9')]);
    expect(result.kept).toEqual([expect.objectContaining({ id: id('app9'), code: 'not-needed', reason: expect.stringMatching(/gc stops after 3 rounds \(the round limit\); run it again/) })]);
    expect(result.reachedTarget).toBe(false);
  });

  it('does not retry an image the engine refused, and keeps it as in use', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB, freedRatio: 0.5 });
    engine.beforeRemove = (ref) => {
      if (ref === id('app0') && engine.containers.length === 0) engine.containers.push(container('late', 0, 'exited', T0 / 1000));
    };
    const result = await run();
    expect(result.rounds).toBeGreaterThan(1);
    expect(removalsOf(engine, id('app0'))).toBe(1);
    expect(left(engine)).toContain(id('app0'));
    expect(result.kept.find((k) => k.id === id('app0'))).toMatchObject({ code: 'in-use', reason: expect.stringMatching(/^the engine refused: conflict: .* stopped container/) });
    expect(ids(result.deleted)).not.toContain(id('app0'));
  });

  it('reports an image whose deletion failed once, in failed, not also as kept', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB });
    engine.failNext.set('removeImage', new EngineError('The Docker engine at fake answered 500: driver failed.', { status: 500 }));
    const result = await run({ concurrency: 1 });
    expect(ids(result.failed.map((f) => f.image))).toEqual([id('app0')]);
    expect(left(engine)).toContain(id('app0'));
    expect(ids(result.kept)).not.toContain(id('app0'));
  });

  it('does not reach its target when every image is protected', async () => {
    const containers = [0, 1, 2].map((n) => container(`web${n}`, n, 'running', 1_600_000_000));
    const { engine, run } = host(apps(3, 1500 * MB), { baseBytes: 5000 * MB, containers });
    const result = await run();
    expect(left(engine)).toHaveLength(3);
    expect(changes(engine)).toEqual([]);
    expect(result.kept.map((k) => k.code)).toEqual(['in-use', 'in-use', 'in-use']);
    expect(result).toMatchObject({ deleted: [], rounds: 0, reachedTarget: false, after: result.before });
  });
});

describe('runGc with --containers-older-than', () => {
  // app0's only container is old and stopped; app1's is stopped but young; app2's runs.
  const containers = (): FakeContainer[] => [container('old', 0, 'exited', 1_600_000_000), container('young', 1, 'exited', T0 / 1000 - 60), container('server', 2, 'running', 1_600_000_000)];
  const options = { containersOlderThanMs: DAY };

  it('prunes old stopped containers before planning, so their images can go', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB, containers: containers() });
    const result = await run(options);
    expect(engine.calls.indexOf('pruneContainers 86400s')).toBeGreaterThanOrEqual(0);
    expect(engine.calls.indexOf('pruneContainers 86400s')).toBeLessThan(engine.calls.indexOf('listImages'));
    expect(engine.containers.map((c) => c.name)).toEqual(['young', 'server']);
    expect(ids(result.deleted)).toEqual([id('app0'), id('app3')]);
    expect(left(engine)).toEqual([id('app1'), id('app2'), id('app4')]);
    expect(result.containers).toEqual({ removed: 1, bytes: 0 });
  });

  it('in a dry run only treats old stopped containers as gone, without pruning', async () => {
    const { engine, run } = host(apps(5), { baseBytes: 4500 * MB, containers: containers() });
    const result = await run({ ...options, dryRun: true });
    expect(changes(engine)).toEqual([]);
    expect(engine.containers).toHaveLength(3);
    expect(ids(result.deleted)).toEqual([id('app0'), id('app3')]);
    expect(result.kept.filter((k) => k.code === 'in-use').map((k) => k.id)).toEqual([id('app1'), id('app2')]);
    expect(result.containers).toEqual({ removed: 1, bytes: null });
  });

  it('predicts the engine keeping a container made in the second of the cutoff, as dockerd truncates now - until', async () => {
    const now = T0 + 700; // 2 s before is x.7: dockerd prunes what was made before x.0
    const made = (name: string, secondsBefore: number) => container(name, 0, 'exited', T0 / 1000 - secondsBefore);
    const { engine, run } = host(apps(1), { baseBytes: 0, containers: [made('in-cutoff-second', 2), made('older', 3)], now });
    const options = { containersOlderThanMs: 2_000 };
    expect((await run({ ...options, dryRun: true })).containers).toEqual({ removed: 1, bytes: null });
    expect((await run(options)).containers).toEqual({ removed: 1, bytes: 0 });
    expect(engine.containers.map((c) => c.name)).toEqual(['in-cutoff-second']);
  });
});
