import { describe, expect, it } from 'vitest';
import { EngineError } from '../core/errors.js';
import { id, MB, T0 } from '../gc/testing/build-inventory.js';
import type { DockerInfo } from './docker-info.js';
import type { EngineEvent } from './engine-api.js';
import { gatherInventory, type ImageAnswers, type ReadImageAnswers } from './gather-inventory.js';
import { chainIds } from './image-layers.js';
import { FakeEngine, type FakeImage } from './testing/fake-engine.js';

const NOW = new Date(T0);
const info = (swarm?: DockerInfo['Swarm']): DockerInfo => ({ DockerRootDir: '/var/lib/docker', Driver: 'overlay2', ...(swarm ? { Swarm: swarm } : {}) });
const diff = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`;

function event(type: string, action: string, actorId: string, attributes: Record<string, string>, ms: number): EngineEvent {
  return { type, action, actorId, attributes, timeNano: BigInt(ms) * 1_000_000n + 123_456n };
}

describe('gatherInventory lists the images gc decides about', () => {
  it('keeps tagged images and untagged images without children, and records every parent', async () => {
    const engine = new FakeEngine({
      images: [
        { id: id('base'), repoTags: [], size: 10 * MB },
        { id: id('step'), repoTags: [], size: 20 * MB, parentId: id('base') },
        { id: id('app'), repoTags: ['app:1'], repoDigests: ['app@sha256:abc'], size: 30 * MB, parentId: id('step'), created: 1_600_000_000, lastTagTime: T0 - 1000 },
        { id: id('tagged-parent'), repoTags: ['lib:1'], size: 5 * MB },
        { id: id('child'), repoTags: ['child:1'], size: 6 * MB, parentId: id('tagged-parent') },
        { id: id('dangling'), repoTags: [], size: 7 * MB },
      ],
    });
    const inv = await gatherInventory(engine, info(), NOW);
    expect(inv.images.map((i) => i.id).sort()).toEqual([id('app'), id('tagged-parent'), id('child'), id('dangling')].sort());
    expect(inv.parents).toEqual({ [id('step')]: id('base'), [id('app')]: id('step'), [id('child')]: id('tagged-parent') });
    expect(inv.images.find((i) => i.id === id('app'))).toMatchObject({
      repoTags: ['app:1'],
      repoDigests: ['app@sha256:abc'],
      created: 1_600_000_000_000,
      size: 30 * MB,
      parentId: id('step'),
      lastTagTime: T0 - 1000,
      storedAt: null,
      uniqueSize: null,
    });
  });

  it('gives each image its layer chain with sizes from the history, base first', async () => {
    const layered: FakeImage = {
      id: id('layered'),
      repoTags: ['layered:1'],
      size: 60,
      diffIds: [diff(1), diff(2)],
      history: [
        { createdBy: 'CMD ["app"]', size: 0 },
        { createdBy: 'COPY . /app', size: 20 },
        { createdBy: 'ADD rootfs.tar /', size: 40 },
      ],
    };
    const inv = await gatherInventory(new FakeEngine({ images: [layered] }), info(), NOW);
    const [c1, c2] = chainIds([diff(1), diff(2)]);
    expect(inv.images[0]?.layers).toEqual([
      { chainId: c1, size: 40 },
      { chainId: c2, size: 20 },
    ]);
  });

  it('does not ask /system/df when every layer size is known', async () => {
    const engine = new FakeEngine({ images: [{ id: id('a'), repoTags: ['a:1'], size: 50 }] });
    const inv = await gatherInventory(engine, info(), NOW);
    expect(inv.images[0]?.layers.map((l) => l.size)).toEqual([50]);
    expect(engine.calls).not.toContain('systemDf');
  });

  it('asks /system/df for the unique size of images whose layer sizes do not add up', async () => {
    const engine = new FakeEngine({
      images: [
        {
          id: id('odd'),
          repoTags: ['odd:1'],
          size: 100,
          sharedSize: 30,
          diffIds: [diff(1), diff(2)],
          history: [
            { createdBy: 'RUN x', size: 10 },
            { createdBy: 'ADD /', size: 10 },
          ],
        },
        { id: id('plain'), repoTags: ['plain:1'], size: 50, sharedSize: 20 },
      ],
    });
    const inv = await gatherInventory(engine, info(), NOW);
    expect(engine.calls.filter((c) => c === 'systemDf')).toHaveLength(1);
    const odd = inv.images.find((i) => i.id === id('odd'));
    expect(odd?.layers.map((l) => l.size)).toEqual([null, null]);
    expect(odd?.uniqueSize).toBe(70);
    expect(inv.images.find((i) => i.id === id('plain'))?.uniqueSize).toBeNull();
  });

  it('skips an image deleted between the list and its inspect', async () => {
    const engine = new FakeEngine({
      images: [
        { id: id('gone'), repoTags: ['gone:1'], size: 1 },
        { id: id('here'), repoTags: ['here:1'], size: 1 },
      ],
    });
    const list = engine.listImages.bind(engine);
    engine.listImages = async () => {
      const listed = await list();
      engine.images.delete(id('gone'));
      return listed;
    };
    const inv = await gatherInventory(engine, info(), NOW);
    expect(inv.images.map((i) => i.id)).toEqual([id('here')]);
  });

  it('lets other inspect errors through', async () => {
    const engine = new FakeEngine({ images: [{ id: id('a'), repoTags: ['a:1'], size: 1 }] });
    engine.failNext.set('inspectImage', new EngineError('The Docker engine at fake answered 500: boom.', { status: 500 }));
    await expect(gatherInventory(engine, info(), NOW)).rejects.toThrow(/answered 500/);
  });

  it('maps containers with their image, state and creation time in ms', async () => {
    const engine = new FakeEngine({ containers: [{ id: 'c0ffee000000aaaa', name: '/web', imageId: id('app'), image: 'app:1', state: 'exited', created: 1_650_000_000 }] });
    const inv = await gatherInventory(engine, info(), NOW);
    expect(inv.containers).toEqual([{ id: 'c0ffee000000aaaa', name: '/web', imageId: id('app'), imageRef: 'app:1', state: 'exited', created: 1_650_000_000_000 }]);
  });
});

describe('gatherInventory reads swarm services only where the engine can answer', () => {
  const services = [{ id: 's1', name: 'api', image: 'api:2@sha256:abc', previousImage: 'api:1', mode: 'replicated', updateConfig: null, rollbackConfig: null }];

  it('lists services on a manager, with current and previous images', async () => {
    const engine = new FakeEngine({ services });
    const inv = await gatherInventory(engine, info({ LocalNodeState: 'active', ControlAvailable: true }), NOW);
    expect(inv.services).toEqual([{ name: 'api', current: 'api:2@sha256:abc', previous: 'api:1' }]);
    expect(inv.servicesNote).toBeNull();
  });

  it('gives a worker no services and a note saying why', async () => {
    const engine = new FakeEngine({ services });
    const inv = await gatherInventory(engine, info({ LocalNodeState: 'active', ControlAvailable: false }), NOW);
    expect(inv.services).toBeNull();
    expect(inv.servicesNote).toMatch(/swarm worker/);
    expect(engine.calls).not.toContain('listServices');
  });

  it.each([
    ['no swarm section', undefined],
    ['an inactive swarm', { LocalNodeState: 'inactive' }],
    ['a pending node', { LocalNodeState: 'pending', ControlAvailable: true }],
  ])('does not list services with %s', async (_, swarm) => {
    const engine = new FakeEngine({ services });
    const inv = await gatherInventory(engine, info(swarm), NOW);
    expect(inv.services).toEqual([]);
    expect(inv.servicesNote).toBeNull();
    expect(engine.calls).not.toContain('listServices');
  });
});

describe('gatherInventory turns recent events into uses', () => {
  it('keeps container uses by image attribute and image arrivals by actor id, in ms', async () => {
    const engine = new FakeEngine();
    const at = T0 - 60_000;
    engine.eventLog = [
      event('container', 'create', 'c1', { image: 'app:1', name: 'web' }, at),
      event('container', 'start', 'c1', { image: 'app:1' }, at + 1),
      event('container', 'exec_start: sh -c true', 'c1', { image: 'app:1', execID: 'e1' }, at + 2),
      event('image', 'pull', 'busybox:latest', { name: 'busybox' }, at + 3),
      event('image', 'load', 'sha256:feed', {}, at + 4),
      event('image', 'import', 'sha256:beef', {}, at + 5),
      event('image', 'tag', 'sha256:cafe', { name: 'app:2' }, at + 6),
      event('container', 'stop', 'c1', { image: 'app:1' }, at + 7),
      event('container', 'create', 'c2', {}, at + 8),
      event('image', 'delete', 'sha256:dead', {}, at + 9),
      event('network', 'connect', 'n1', { container: 'c1' }, at + 10),
      event('volume', 'mount', 'v1', {}, at + 11),
    ];
    const inv = await gatherInventory(engine, info(), NOW);
    expect(inv.recentEvents).toEqual([
      { action: 'container create', image: 'app:1', at },
      { action: 'container start', image: 'app:1', at: at + 1 },
      { action: 'container exec_start', image: 'app:1', at: at + 2 },
      { action: 'image pull', image: 'busybox:latest', at: at + 3 },
      { action: 'image load', image: 'sha256:feed', at: at + 4 },
      { action: 'image import', image: 'sha256:beef', at: at + 5 },
      { action: 'image tag', image: 'sha256:cafe', at: at + 6 },
    ]);
  });
});

describe('gatherInventory with inspect and history read from the image store', () => {
  const images: FakeImage[] = [
    {
      id: id('a'),
      repoTags: ['a:1'],
      size: 60,
      diffIds: [diff(1), diff(2)],
      lastTagTime: T0 - 5000,
      history: [
        { createdBy: 'CMD', size: 0 },
        { createdBy: 'COPY', size: 20 },
        { createdBy: 'ADD', size: 40 },
      ],
    },
    { id: id('b'), repoTags: ['b:1'], size: 40, diffIds: [diff(1)], history: [{ createdBy: 'ADD', size: 40 }] },
  ];
  /** What a graph store on disk holds: the same answers the fake engine gives. */
  const stored =
    (engine: FakeEngine, only?: string[]): ReadImageAnswers =>
    async (ids) => {
      const out = new Map<string, ImageAnswers>();
      for (const i of ids.filter((i) => !only || only.includes(i))) {
        const { diffIds, lastTagTime } = await engine.inspectImage(i);
        out.set(i, { diffIds, lastTagTime, history: await engine.imageHistory(i) });
      }
      engine.calls.length = 0;
      return out;
    };

  it('gives the same inventory without an inspect or a history request', async () => {
    const engine = new FakeEngine({ images });
    const viaApi = await gatherInventory(engine, info(), NOW);
    const local = await gatherInventory(engine, info(), NOW, stored(engine));
    expect(local).toEqual(viaApi);
    expect(engine.calls.filter((c) => c.startsWith('inspectImage') || c.startsWith('imageHistory'))).toEqual([]);
  });

  it('asks the engine for the images the store could not answer', async () => {
    const engine = new FakeEngine({ images });
    const viaApi = await gatherInventory(engine, info(), NOW);
    const local = await gatherInventory(engine, info(), NOW, stored(engine, [id('a')]));
    expect(local).toEqual(viaApi);
    expect(engine.calls.filter((c) => c.startsWith('inspectImage') || c.startsWith('imageHistory'))).toEqual([`inspectImage ${id('b')}`, `imageHistory ${id('b')}`]);
  });

  it('asks the engine for every image when the store cannot be read at all', async () => {
    const engine = new FakeEngine({ images });
    const local = await gatherInventory(engine, info(), NOW, async () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })));
    expect(local).toEqual(await gatherInventory(engine, info(), NOW));
  });

  it("does not read it for containerd's image store or Podman", async () => {
    for (const fields of [{ DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] }, { DockerRootDir: '/var/lib/containers/storage' }] as Partial<DockerInfo>[]) {
      const engine = new FakeEngine({ images });
      let asked = false;
      await gatherInventory(engine, { ...info(), ...fields }, NOW, async () => ((asked = true), new Map()));
      expect(asked).toBe(false);
    }
  });
});
