import { describe, expect, it } from 'vitest';
import type { InventoryImage } from '../engine/inventory.js';
import { makeGcPolicy } from './gc-policy.js';
import { planGc, type GcPlan, type GcUsage, type PlanInput } from './plan-gc.js';
import { container, DAY, fsUsage, id, image, inventory, MB, MINUTE, T0, type ImageSpec } from './testing/build-inventory.js';

// The planner on synthetic inventories. Unless a test says otherwise: now is T0, the
// policy is the default (85% / 80% / 2m), the filesystem is at 90% with 1000 MB to free,
// and every image is a 100 MB, month-old, unused, collectable image.

function plan(parts: Parameters<typeof inventory>[0], input: Partial<Omit<PlanInput, 'inventory'>> = {}): GcPlan {
  return planGc({ inventory: inventory(parts), usage: fsUsage(90), policy: makeGcPolicy(), now: T0, ...input });
}

/** A filesystem at 90% whose way down to --low 80% is exactly `bytes`. */
function needing(bytes: number): GcUsage {
  return { kind: 'filesystem', path: '/var/lib/docker', sizeBytes: 10 * bytes, availBytes: bytes };
}

const daysAgo = (n: number): number => T0 - n * DAY;
/** An image last tagged `n` days ago: the evidence of its last use. */
const usedDaysAgo = (name: string, n: number, spec: ImageSpec = {}): InventoryImage => image(name, { lastTagTime: daysAgo(n), ...spec });
/** An image on a base layer of 90 MB shared by every image made this way, with 10 MB of its own. */
const onBase = (name: string, spec: ImageSpec = {}): InventoryImage =>
  image(name, {
    layers: [
      ['base', 90 * MB],
      [`${name}-own`, 10 * MB],
    ],
    ...spec,
  });

const deleted = (p: GcPlan): string[] => p.delete.map((d) => d.id);
const entryOf = (p: GcPlan, name: string) => [...p.delete, ...p.keep].find((e) => e.id === id(name));
const why = (p: GcPlan, ...names: string[]) => names.map((n) => [entryOf(p, n)?.code, entryOf(p, n)?.reason]);

describe('planGc deletion order', () => {
  it('deletes the least recently used images first and keeps the rest as not needed', () => {
    const p = plan({ images: [usedDaysAgo('new', 2), usedDaysAgo('old', 20), usedDaysAgo('mid', 10)] }, { usage: needing(150 * MB) });
    expect(deleted(p)).toEqual([id('old'), id('mid')]);
    expect(why(p, 'old', 'mid', 'new')).toEqual([
      ['unused', 'least recently used; last used 20d ago (last tagged)'],
      ['unused', 'least recently used; last used 10d ago (last tagged)'],
      ['not-needed', 'not needed: the target is reached without it'],
    ]);
  });

  it('breaks a tie in last use by deleting the image first seen earlier', () => {
    const images = [usedDaysAgo('later', 5, { storedAt: daysAgo(10) }), usedDaysAgo('earlier', 5, { storedAt: daysAgo(20) })];
    expect(deleted(plan({ images }, { usage: needing(50 * MB) }))).toEqual([id('earlier')]);
  });

  it('deletes dangling images before tagged ones, even when they were used more recently', () => {
    const p = plan({ images: [image('stale', { storedAt: daysAgo(300) }), image('dangling', { tags: [], storedAt: daysAgo(1) })] }, { usage: needing(50 * MB) });
    expect(deleted(p)).toEqual([id('dangling')]);
    expect(why(p, 'dangling')).toEqual([['dangling', 'dangling (untagged); last used 24h ago (no use seen since stored on this host)']]);
  });
});

describe('planGc predictions count shared layers once', () => {
  it('predicts that deleting one of two images sharing a base frees only its own layer', () => {
    const p = plan({ images: [onBase('a', { lastTagTime: daysAgo(20) }), onBase('b', { lastTagTime: daysAgo(10) })] }, { usage: needing(5 * MB) });
    expect(p.delete.map((d) => [d.id, d.bytes, d.size])).toEqual([[id('a'), 10 * MB, 100 * MB]]);
    expect(p.predictedFreed).toBe(10 * MB);
  });

  it('deletes the second sharer when the first is not enough, predicting the base goes with it, then stops', () => {
    const images = [onBase('a', { lastTagTime: daysAgo(20) }), onBase('b', { lastTagTime: daysAgo(10) }), usedDaysAgo('c', 5)];
    const p = plan({ images }, { usage: needing(15 * MB) });
    expect(p.delete.map((d) => [d.id, d.bytes])).toEqual([
      [id('a'), 10 * MB],
      [id('b'), 100 * MB],
    ]);
    expect(p.predictedFreed).toBe(110 * MB);
    expect(p.reachesTarget).toBe(true);
    expect(why(p, 'c')).toEqual([['not-needed', 'not needed: the target is reached without it']]);
  });

  it('predicts only its own layer for an image whose base an in-use image still holds', () => {
    const p = plan({ images: [onBase('a'), onBase('web')], containers: [container('web', 'web')] });
    expect(p.delete.map((d) => [d.id, d.bytes])).toEqual([[id('a'), 10 * MB]]);
    expect(entryOf(p, 'web')).toMatchObject({ code: 'in-use', bytes: 10 * MB, size: 100 * MB });
  });
});

describe('planGc keeps what must stay', () => {
  it('keeps a freshly pulled old image under the default 2m min-age', () => {
    const p = plan({ images: [image('fresh', { storedAt: T0 - MINUTE, created: daysAgo(5 * 365) }), image('stale')] });
    expect(deleted(p)).toEqual([id('stale')]);
    expect(why(p, 'fresh')).toEqual([['min-age', 'first seen 60s ago (stored on this host), younger than --min-age 2m']]);
  });

  it.each([
    ['tag', '^app:1$'],
    ['digest', '^app@sha256:d'],
    ['id', `^${id('app').slice(0, 19)}`],
    ['short id, as `docker images` shows it', `^${id('app').slice(7, 19)}`],
  ])('keeps an image whose %s matches --keep', (_what, pattern) => {
    const images = [image('app', { tags: ['app:1'], digests: [`app@sha256:${'d'.repeat(64)}`] }), image('other')];
    const p = plan({ images }, { policy: makeGcPolicy({ keep: [pattern] }) });
    expect(deleted(p)).toEqual([id('other')]);
    expect(why(p, 'app')).toEqual([['keep', `matches --keep ${pattern}`]]);
  });

  it('keeps the images of running and stopped containers, naming the container', () => {
    const images = [image('served'), image('stopped'), image('shared'), image('free')];
    const containers = [
      container('web', 'served'),
      container('job', 'stopped', { state: 'exited' }),
      container('a', 'shared'),
      container('b', 'shared', { state: 'created' }),
      container('c', 'shared', { state: 'exited' }),
    ];
    const p = plan({ images, containers });
    expect(deleted(p)).toEqual([id('free')]);
    expect(why(p, 'served', 'stopped', 'shared')).toEqual([
      ['in-use', 'in use by container web (running)'],
      ['in-use', 'in use by container job (exited)'],
      ['in-use', 'in use by container a (running) and 2 more containers'],
    ]);
  });

  it("keeps swarm services' current and previous images, resolving the references services use", () => {
    const pinned = `sha256:${'2'.repeat(64)}`;
    const images = [image('app2', { tags: ['app:2'], digests: [`app@${pinned}`] }), image('app1', { tags: ['app:1'] }), image('nginx', { tags: ['nginx:1.25'] }), image('app0', { tags: ['app:0'] })];
    const services = [
      // The previous spec pins a digest this host never pulled: its tag still finds the image.
      { name: 'api', current: `app:2@${pinned}`, previous: `app:1@sha256:${'1'.repeat(64)}` },
      { name: 'proxy', current: 'docker.io/library/nginx:1.25', previous: null },
    ];
    const p = plan({ images, services });
    expect(deleted(p)).toEqual([id('app0')]);
    expect(why(p, 'app2', 'app1', 'nginx')).toEqual([
      ['service', 'image of service api'],
      ['previous-spec', 'previous spec of service api, needed for rollback'],
      ['service', 'image of service proxy'],
    ]);
  });

  it('keeps an image that another image is built on, through intermediate images', () => {
    const images = [image('base', { tags: ['base:1'] }), image('child', { tags: ['child:1'] })];
    const p = plan({ images, parents: { [id('child')]: id('step'), [id('step')]: id('base') } });
    expect(deleted(p)).toEqual([id('child')]);
    expect(why(p, 'base')).toEqual([['parent', 'parent of image child:1; the engine refuses to delete an image others build on']]);
  });

  it('keeps an image the engine refused to delete in an earlier round, with the reason it gave', () => {
    const said = 'conflict: unable to delete 62757379 (cannot be forced) - image is being used by stopped container 1f2e';
    const p = plan({ images: [image('busy'), image('free')] }, { refused: new Map([[id('busy'), said]]) });
    expect(deleted(p)).toEqual([id('free')]);
    expect(why(p, 'busy')).toEqual([['in-use', said]]);
  });

  it('gives the reason an operator must act on first when several protect an image', () => {
    const p = plan({ images: [image('app', { storedAt: T0 })], containers: [container('web', 'app')] }, { policy: makeGcPolicy({ keep: ['app'] }) });
    expect(why(p, 'app')).toEqual([['in-use', 'in use by container web (running)']]);
  });
});

describe('planGc frees what kubelet would, and no more', () => {
  it('frees capacity*(100-low)/100 - available and stops as soon as the prediction reaches --low', () => {
    const usage = fsUsage(90);
    const images = [25, 20, 15, 10].map((n) => usedDaysAgo(`d${n}`, n, { size: 400 * MB }));
    const p = plan({ images }, { usage });
    expect(p.bytesToFree).toBe((usage.sizeBytes * (100 - 80)) / 100 - usage.availBytes);
    expect(p.bytesToFree).toBe(1000 * MB);
    expect(deleted(p)).toEqual([id('d25'), id('d20'), id('d15')]);
    expect(p.predictedFreed).toBe(1200 * MB);
    expect(p.reachesTarget).toBe(true);
    expect(p.before).toEqual({ usedPct: 90, imageBytes: null });
    expect(p.after.usedPct).toBeCloseTo(78, 9);
    expect(p.summary).toBe('Usage 90.0% is above --high 85%, 954 MiB must go to reach --low 80%: deleting 3 images frees about 1.12 GiB, to usage 78.0%.');
  });

  it.each([85, 50])('deletes nothing at %d%%, not above --high, and says each image is not needed', (pct) => {
    const p = plan({ images: [image('a'), image('b', { tags: [] })] }, { usage: fsUsage(pct) });
    expect([p.bytesToFree, p.delete, p.reachesTarget]).toEqual([0, [], true]);
    expect(p.keep.map((k) => [k.code, k.reason])).toEqual([
      ['not-needed', `not needed: usage ${pct}.0% is within the limit`],
      ['not-needed', `not needed: usage ${pct}.0% is within the limit`],
    ]);
    expect(p.after).toEqual(p.before);
    expect(p.summary).toBe(`Nothing to free: usage ${pct}.0% is not above --high 85%.`);
  });

  it('collects down to --low in a later round although usage is already below --high', () => {
    const images = [usedDaysAgo('a', 30), usedDaysAgo('b', 20), usedDaysAgo('c', 10)];
    expect(plan({ images }, { usage: fsUsage(82) }).delete).toEqual([]);
    const p = plan({ images }, { usage: fsUsage(82), collecting: true });
    expect(p.bytesToFree).toBe(200 * MB);
    expect(deleted(p)).toEqual([id('a'), id('b')]);
    expect(plan({ images }, { usage: fsUsage(80), collecting: true }).bytesToFree).toBe(0);
  });

  it('falls short when every image is protected, and the summary says what holds them', () => {
    const images = [image('web'), image('job'), image('api', { tags: ['api:1'] })];
    const containers = [container('web', 'web'), container('job', 'job', { state: 'exited' })];
    const p = plan({ images, containers, services: [{ name: 'api', current: 'api:1', previous: null }] });
    expect([p.delete, p.predictedFreed, p.reachesTarget]).toEqual([[], 0, false]);
    expect(p.after).toEqual(p.before);
    expect(p.summary).toBe(
      'Usage 90.0% is above --high 85%, 954 MiB must go to reach --low 80%, but deleting 0 images frees about 0 B, to usage 90.0%: ' +
        'every other image must stay: 2 in use by containers (191 MiB), 1 image of a service (95.4 MiB); ' +
        'the rest of the filesystem is not images (container layers, volumes, logs, other files).',
    );
  });
});

describe('planGc with --max-age, --budget and the agent', () => {
  const maxAge = makeGcPolicy({ maxAgeMs: 7 * DAY });

  it('deletes images unused for longer than --max-age even below --high', () => {
    const p = plan({ images: [image('idle', { storedAt: daysAgo(30) }), usedDaysAgo('recent', 2)] }, { usage: fsUsage(50), policy: maxAge });
    expect(p.bytesToFree).toBe(0);
    expect(p.delete.map((d) => [d.id, d.code, d.bytes, d.reason])).toEqual([
      [id('idle'), 'max-age', 100 * MB, 'unused for 30d, longer than --max-age 7d; last used 30d ago (no use seen since stored on this host)'],
    ]);
    expect(why(p, 'recent')).toEqual([['not-needed', 'not needed: usage 50.0% is within the limit']]);
    expect(p.summary).toMatch(/^Nothing to free: usage 50\.0% is not above --high 85%\. Images unused for longer than --max-age go anyway: deleting 1 image frees about /);
  });

  it('deletes --max-age images first and counts them towards what must be freed', () => {
    const images = [usedDaysAgo('recent', 3), image('dangling', { tags: [], storedAt: daysAgo(1) }), image('idle', { storedAt: daysAgo(30) })];
    const p = plan({ images }, { usage: needing(150 * MB), policy: maxAge });
    expect(p.delete.map((d) => [d.id, d.code])).toEqual([
      [id('idle'), 'max-age'],
      [id('dangling'), 'dangling'],
    ]);
    expect(why(p, 'recent')).toEqual([['not-needed', 'not needed: the target is reached without it']]);
  });

  it('in budget mode, deletes until the images fit in --budget', () => {
    const images = [25, 20, 15, 10, 5].map((n) => usedDaysAgo(`d${n}`, n));
    const p = plan({ images }, { usage: { kind: 'budget', imageBytes: 500 * MB }, policy: makeGcPolicy({ budgetBytes: 300 * MB }) });
    expect(p.bytesToFree).toBe(200 * MB);
    expect(deleted(p)).toEqual([id('d25'), id('d20')]);
    expect(p.before).toEqual({ usedPct: null, imageBytes: 500 * MB });
    expect(p.after).toEqual({ usedPct: null, imageBytes: 300 * MB });
    expect(p.summary).toContain('191 MiB must go to reach --budget 286 MiB: deleting 2 images frees about 191 MiB');
  });

  it('in budget mode, deletes nothing while the images fit in --budget', () => {
    const p = plan({ images: [image('a')] }, { usage: { kind: 'budget', imageBytes: 100 * MB }, policy: makeGcPolicy({ budgetBytes: 300 * MB }) });
    expect([p.bytesToFree, p.delete, p.reachesTarget]).toEqual([0, [], true]);
  });

  it('in budget mode, words the summary and reasons as sentences', () => {
    // Filesystem mode's level is a noun ("usage 90.0%"); budget mode's must read as one too.
    const policy = makeGcPolicy({ budgetBytes: 300 * MB });
    const texts = [100, 500].flatMap((mb) => {
      const p = plan({ images: [usedDaysAgo('a', 20), usedDaysAgo('b', 10)] }, { usage: { kind: 'budget', imageBytes: mb * MB }, policy });
      return [p.summary, ...p.keep.map((k) => k.reason)];
    });
    expect(texts.filter((t) => /images take .* is (over|within)|to images take/i.test(t))).toEqual([]);
  });

  it("lets the agent's record of last use reorder the deletions", () => {
    const images = [image('a', { storedAt: daysAgo(30) }), image('b', { storedAt: daysAgo(20) })];
    expect(deleted(plan({ images }, { usage: needing(50 * MB) }))).toEqual([id('a')]);
    const p = plan({ images }, { usage: needing(50 * MB), recorded: new Map([[id('a'), { lastUsed: T0 - 60 * MINUTE }]]) });
    expect(deleted(p)).toEqual([id('b')]);
    expect(entryOf(p, 'a')?.lastUsed).toEqual({ at: T0 - 60 * MINUTE, source: 'recorded by the agent' });
  });

  it('protects an image the agent first saw within --min-age, whatever the store time says', () => {
    const p = plan({ images: [image('a', { storedAt: daysAgo(30) })] }, { recorded: new Map([[id('a'), { firstSeen: T0 - MINUTE }]]) });
    expect(why(p, 'a')).toEqual([['min-age', 'first seen 60s ago (first seen by the agent), younger than --min-age 2m']]);
  });
});

describe('planGc accounts for every image', () => {
  it('places every image exactly once, with a reason, and predicts usage from the freed bytes', () => {
    const usage = needing(250 * MB);
    const images = [
      image('used'),
      image('served', { tags: ['served:1'] }),
      image('pinned'),
      image('fresh', { storedAt: T0 }),
      image('dangling', { tags: [] }),
      ...[25, 20, 15, 10, 5].map((n) => usedDaysAgo(`d${n}`, n)),
    ];
    const p = plan({ images, containers: [container('web', 'used')], services: [{ name: 'svc', current: 'served:1', previous: null }] }, { usage, policy: makeGcPolicy({ keep: ['^pinned'] }) });
    const placed = [...p.delete, ...p.keep];
    expect(placed.map((e) => e.id).sort()).toEqual(images.map((i) => i.id).sort());
    expect(placed.filter((e) => e.reason.trim() === '')).toEqual([]);
    expect(deleted(p)).toEqual([id('dangling'), id('d25'), id('d20')]);
    expect(p.after.usedPct).toBeCloseTo(100 - ((250 * MB + p.predictedFreed) * 100) / (2500 * MB), 9);
  });
});
