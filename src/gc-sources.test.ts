import { describe, expect, it } from 'vitest';
import { UsageError } from './core/errors.js';
import type { DockerInfo } from './engine/docker-info.js';
import { chainIds } from './engine/image-layers.js';
import { FakeEngine } from './engine/testing/fake-engine.js';
import { fakeHostProbe, usage } from './host/testing/fake-host-probe.js';
import type { Endpoint } from './engine/endpoint.js';
import { gcSources, usageMeasure, type GcSourcesRequest } from './gc-sources.js';

const info = { DockerRootDir: '/srv/docker', Driver: 'overlay2' } as DockerInfo;
const probe = fakeHostProbe({ statfs: { '/srv': usage(1000, 900) } });
const now = () => new Date('2026-12-01T00:00:00Z');
const sources = (over: Partial<GcSourcesRequest> = {}) => gcSources({ engine: new FakeEngine(), info, probe, socketPath: null, budget: false, now, ...over });

describe('how gc measures usage', () => {
  it('measures the data root filesystem of a local engine with statfs', async () => {
    await expect((await sources()).usage()).resolves.toEqual({ kind: 'filesystem', path: '/srv/docker', sizeBytes: 1000, availBytes: 100 });
  });

  it('counts the images against the budget when --budget is given, even locally', async () => {
    const engine = new FakeEngine({
      images: [
        { id: 'sha256:a', repoTags: ['a:1'], size: 300 },
        { id: 'sha256:b', repoTags: ['b:1'], size: 200 },
      ],
    });
    await expect((await sources({ engine, budget: true })).usage()).resolves.toEqual({ kind: 'budget', imageBytes: 500 });
  });

  it('asks for --budget when the engine is on another machine', async () => {
    await expect(sources({ probe: null })).rejects.toThrow(UsageError);
    await expect(sources({ probe: null })).rejects.toThrow(/not on this machine.*give --budget SIZE/);
  });

  it('says how to fix it when the data root cannot be measured from here', async () => {
    const blind = fakeHostProbe({});
    await expect((await sources({ probe: blind })).usage()).rejects.toThrow(/Cannot measure the filesystem of the data root \/srv\/docker \(ENOSYS\).*--host-root.*--budget/);
  });
});

describe('gc on a graph driver on this host', () => {
  const dir = '/srv/docker/image/overlay2';
  const hex = 'a'.repeat(64);
  const diffs = [`sha256:${'1'.repeat(64)}`, `sha256:${'2'.repeat(64)}`];
  const local = fakeHostProbe({
    statfs: { '/srv': usage(1000, 900) },
    files: {
      [`${dir}/imagedb/content/sha256/${hex}`]: JSON.stringify({ rootfs: { diff_ids: diffs }, history: [{ created_by: 'base' }, { created_by: 'CMD', empty_layer: true }, { created_by: 'own' }] }),
      [`${dir}/layerdb/sha256/${chainIds(diffs)[0]!.slice(7)}/size`]: '300',
      [`${dir}/layerdb/sha256/${chainIds(diffs)[1]!.slice(7)}/size`]: '200',
    },
    mtimes: { [`${dir}/imagedb/content/sha256/${hex}`]: Date.parse('2026-11-30T00:00:00Z') },
  });
  const engine = () =>
    new FakeEngine({
      images: [
        {
          id: `sha256:${hex}`,
          repoTags: ['app:1'],
          size: 500,
          diffIds: diffs,
          history: [
            { createdBy: 'own', size: 200 },
            { createdBy: 'CMD', size: 0 },
            { createdBy: 'base', size: 300 },
          ],
        },
      ],
    });

  it("reads each image's layers from the image store instead of asking the engine, and gets what the engine would say", async () => {
    const e = engine();
    const inv = await (await sources({ engine: e, probe: local })).inventory();
    expect(e.calls.filter((c) => /^(inspectImage|imageHistory)/.test(c))).toEqual([]);
    const remote = await (await sources({ engine: engine(), probe: null, budget: true })).inventory();
    expect(inv.images.map((i) => ({ ...i, storedAt: null }))).toEqual(remote.images);
    expect(inv.images[0]?.layers.map((l) => l.size)).toEqual([300, 200]);
    expect(inv.images[0]?.storedAt).toBe(Date.parse('2026-11-30T00:00:00Z'));
  });

  it('asks the engine when the image store is not readable here', async () => {
    const e = engine();
    await (await sources({ engine: e, probe: fakeHostProbe({ statfs: { '/srv': usage(1000, 900) } }) })).inventory();
    expect(e.calls.filter((c) => /^(inspectImage|imageHistory)/.test(c))).toHaveLength(2);
  });

  it('asks the engine when the image store may not be read (EACCES), and the run says why', async () => {
    const e = engine();
    const denied = fakeHostProbe({ statfs: { '/srv': usage(1000, 900) }, dirs: [`${dir}/imagedb/content/sha256`], denied: { [`${dir}/imagedb/content/sha256`]: 'EACCES' } });
    const s = await sources({ engine: e, probe: denied });
    await s.inventory();
    await s.inventory();
    expect(e.calls.filter((c) => /^(inspectImage|imageHistory)/.test(c))).toHaveLength(4);
    expect(s.notes).toEqual([`The image store under /srv/docker cannot be read here (EACCES): each image's inspect and history were asked of the engine instead.`]);
  });

  it("notes that an image's arrival could not be read, since --min-age then counts from other evidence", async () => {
    const config = `${dir}/imagedb/content/sha256/${hex}`;
    const denied = fakeHostProbe({ statfs: { '/srv': usage(1000, 900) }, mtimes: { [config]: 1 }, denied: { [config]: 'EACCES' } });
    const s = await sources({ engine: engine(), probe: denied });
    const inv = await s.inventory();
    expect(inv.images[0]?.storedAt).toBeNull();
    expect(s.notes).toEqual([
      "When 1 image arrived could not be read under /srv/docker (EACCES): --min-age then counts from what the agent recorded, an event or the last tag, else the image's creation date; run dockwarden as root.",
    ]);
  });
});

describe("gc on containerd's image store", () => {
  const containerdInfo = { DockerRootDir: '/var/lib/docker', Driver: 'overlayfs', DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']] } as DockerInfo;
  const blobs = '/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256';
  const hex = (c: string) => c.repeat(64);
  const manifest = (config: string, layers: [string, number][]) =>
    JSON.stringify({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { digest: `sha256:${hex(config)}`, size: 10 },
      layers: layers.map(([d, size]) => ({ digest: `sha256:${hex(d)}`, size })),
    });
  // Two images sharing the base blob `b`; `m` is the partial one: its layer `9` was never stored.
  const packagedHost = fakeHostProbe({
    files: {
      '/run/containerd/containerd.sock': '',
      '/proc/812/cmdline': 'containerd\0',
      '/etc/containerd/config.toml': 'root = "/var/lib/containerd"\n',
      [`${blobs}/${hex('1')}`]: manifest('c', [
        ['b', 400],
        ['d', 100],
      ]),
      [`${blobs}/${hex('2')}`]: manifest('e', [
        ['b', 400],
        ['f', 50],
      ]),
      [`${blobs}/${hex('3')}`]: manifest('a', [['9', 70]]),
    },
    sizes: { [`${blobs}/${hex('b')}`]: 400, [`${blobs}/${hex('d')}`]: 100, [`${blobs}/${hex('f')}`]: 50, [`${blobs}/${hex('c')}`]: 10, [`${blobs}/${hex('e')}`]: 10, [`${blobs}/${hex('a')}`]: 10 },
    mtimes: { [`${blobs}/${hex('1')}`]: Date.parse('2026-11-30T00:00:00Z') },
    statfs: { '/var/lib/containerd': usage(10_000, 9_900), '/': usage(100_000, 1_000) },
  });
  const engine = () => {
    const e = new FakeEngine({
      images: [
        // list Size: content of every platform plus unpacked snapshots; history: the snapshots.
        {
          id: `sha256:${hex('1')}`,
          repoTags: ['app:1'],
          size: 2_000,
          history: [
            { createdBy: 'own', size: 300 },
            { createdBy: 'base', size: 1_000 },
          ],
          diffIds: ['sha256:base', 'sha256:own1'],
        },
        {
          id: `sha256:${hex('2')}`,
          repoTags: ['app:2'],
          size: 2_000,
          history: [
            { createdBy: 'own', size: 200 },
            { createdBy: 'base', size: 1_000 },
          ],
          diffIds: ['sha256:base', 'sha256:own2'],
        },
        { id: `sha256:${hex('3')}`, repoTags: ['half:1'], size: 500, history: [{ createdBy: 'x', size: 400 }], diffIds: ['sha256:x'] },
      ],
    });
    e.infoFields = containerdInfo;
    return e;
  };

  it("measures containerd's root, where image content lives, and says so", async () => {
    const s = await sources({ engine: engine(), info: containerdInfo, probe: packagedHost });
    await expect(s.usage()).resolves.toEqual({ kind: 'filesystem', path: '/var/lib/containerd', sizeBytes: 10_000, availBytes: 100 });
    expect(s.notes[0]).toBe("Images live in containerd's image store: measuring containerd's root /var/lib/containerd (`root` in /etc/containerd/config.toml of containerd pid 812).");
  });

  it("takes every blob from the content store, the arrival from the image's own blob, and marks what is missing", async () => {
    const s = await sources({ engine: engine(), info: containerdInfo, probe: packagedHost });
    const inv = await s.inventory();
    const [a, b, half] = inv.images;
    // The manifest, its config, the shared base blob and its own layer.
    expect(a?.content?.map((c) => c.size)).toEqual([
      manifest('c', [
        ['b', 400],
        ['d', 100],
      ]).length,
      10,
      400,
      100,
    ]);
    expect(a?.layers.map((l) => l.size)).toEqual([1_000, 300]);
    expect(a?.storedAt).toBe(Date.parse('2026-11-30T00:00:00Z'));
    expect(b?.partial).toBeNull();
    expect(half?.partial).toBe("1 blob it names not in containerd's content store");
  });

  it("counts what the engine's size holds beyond blobs and the host's snapshots: other platforms unpacked (Engine 26)", async () => {
    const e = engine();
    e.images.get(`sha256:${hex('1')}`)!.size = 2_000 + 700_000;
    const [a] = (await (await sources({ engine: e, info: containerdInfo, probe: packagedHost })).inventory()).images;
    expect(a?.content?.at(-1)).toEqual({
      digest: `other-platforms-unpacked:sha256:${hex('1')}`,
      size:
        2_000 +
        700_000 -
        1_300 -
        (manifest('c', [
          ['b', 400],
          ['d', 100],
        ]).length +
          10 +
          400 +
          100),
    });
  });

  it('estimates the content from the engine alone when the store cannot be read, and says so', async () => {
    const denied = fakeHostProbe({
      files: { '/run/containerd/containerd.sock': '' },
      dirs: [blobs.replace(/\/sha256$/, '')],
      denied: { [blobs.replace(/\/sha256$/, '')]: 'EACCES' },
      statfs: { '/': usage(1000, 10) },
    });
    const s = await sources({ engine: engine(), info: containerdInfo, probe: denied });
    const [a] = (await s.inventory()).images;
    expect(a?.content).toEqual([{ digest: `all-content-of:sha256:${hex('1')}`, size: 700 }]);
    expect(s.notes.join('\n')).toMatch(/content store \/var\/lib\/containerd\/io.containerd.content.v1.content cannot be read \(EACCES\)/);
  });

  it('counts a budget by what the plan counts: content and snapshots, shared ones once', async () => {
    const s = await sources({ engine: engine(), info: containerdInfo, probe: null, budget: true });
    // Snapshots: base 1000 + 300 + 200 + 400; content estimated per image: 700 + 800 + 100.
    await expect(s.usage()).resolves.toEqual({ kind: 'budget', imageBytes: 1_900 + 1_600 });
  });
});

describe('usageMeasure', () => {
  const unix: Endpoint = { kind: 'unix', url: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' };
  const tcp: Endpoint = { kind: 'tcp', url: 'tcp://10.0.0.5:2375', host: '10.0.0.5', port: 2375, tls: null };
  const loopback: Endpoint = { kind: 'tcp', url: 'tcp://127.0.0.1:2375', host: '127.0.0.1', port: 2375, tls: null };

  it('measures the filesystem of an engine on this host', () => {
    expect(usageMeasure({ endpoint: unix, budgetBytes: null, hostReadable: true })).toEqual({
      kind: 'filesystem',
      onHost: true,
      reason: 'the engine at unix:///run/docker.sock is on this host: the filesystem holding its images is measured',
    });
    expect(usageMeasure({ endpoint: loopback, budgetBytes: null, hostReadable: true })).toMatchObject({ kind: 'filesystem', onHost: true });
  });

  it('counts against --budget when one is given, even on this host (which may still be read)', () => {
    expect(usageMeasure({ endpoint: unix, budgetBytes: 500, hostReadable: true })).toEqual({
      kind: 'budget',
      onHost: true,
      reason: "--budget 500 bytes is given: the images' total bytes are counted against it, though the engine is on this host",
    });
    expect(usageMeasure({ endpoint: tcp, budgetBytes: 500, hostReadable: true })).toMatchObject({ kind: 'budget', onHost: false });
  });

  it('has no measure for a remote engine without --budget, and says why', () => {
    expect(usageMeasure({ endpoint: tcp, budgetBytes: null, hostReadable: true })).toEqual({
      kind: 'none',
      onHost: false,
      reason: 'the engine at tcp://10.0.0.5:2375 is not on this host, so its disk cannot be measured',
    });
    const ssh: Endpoint = { kind: 'ssh', url: 'ssh://me@box', host: 'box', port: undefined, username: 'me' };
    expect(usageMeasure({ endpoint: ssh, budgetBytes: null, hostReadable: true })).toMatchObject({ kind: 'none', onHost: false });
  });

  it('has no measure for a local engine when this host cannot be read', () => {
    expect(usageMeasure({ endpoint: unix, budgetBytes: null, hostReadable: false })).toMatchObject({ kind: 'none', onHost: false, reason: expect.stringMatching(/this host cannot be read/) });
  });
});
