import { describe, expect, it } from 'vitest';
import { chainIds } from '../engine/image-layers.js';
import { readGraphImages } from './graph-image-store.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const DIR = '/srv/docker/image/overlay2';
const hex = (c: string) => c.repeat(64);
const diff = (c: string) => `sha256:${hex(c)}`;
const layerSize = (diffs: string[], n: number) => `${DIR}/layerdb/sha256/${(chainIds(diffs)[n] as string).slice(7)}/size`;

/** A config as `docker build` writes it: ENV and CMD steps make no layer. */
const BUILT = {
  rootfs: { type: 'layers', diff_ids: [diff('1'), diff('2')] },
  history: [{ created_by: '/bin/sh -c #(nop) ADD file:… in /' }, { created_by: 'ENV A=1', empty_layer: true }, { created_by: 'RUN make' }, { created_by: 'CMD ["app"]', empty_layer: true }],
};

function store(files: Record<string, string>, extra: { denied?: Record<string, string> } = {}) {
  return fakeHostProbe({ files, dirs: [`${DIR}/imagedb/content/sha256`], ...extra });
}

describe('readGraphImages', () => {
  it('answers inspect and history as the engine does: newest first, a layer size for each step that made one', async () => {
    const probe = store({
      [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(BUILT),
      [`${DIR}/imagedb/metadata/sha256/${hex('a')}/lastUpdated`]: '2026-11-30T10:00:00.123456789+01:00',
      [layerSize([diff('1'), diff('2')], 0)]: '5000',
      [layerSize([diff('1'), diff('2')], 1)]: '70\n',
    });
    const read = await readGraphImages(probe, '/srv/docker', 'overlay2', [`sha256:${hex('a')}`]);
    expect(read.get(`sha256:${hex('a')}`)).toEqual({
      diffIds: [diff('1'), diff('2')],
      lastTagTime: Date.parse('2026-11-30T09:00:00.123Z'),
      history: [
        { createdBy: 'CMD ["app"]', size: 0 },
        { createdBy: 'RUN make', size: 70 },
        { createdBy: 'ENV A=1', size: 0 },
        { createdBy: '/bin/sh -c #(nop) ADD file:… in /', size: 5000 },
      ],
    });
  });

  it('reads each shared layer once, and gives no tag time to an image never tagged here', async () => {
    const one = { rootfs: { diff_ids: [diff('1')] }, history: [{ created_by: 'base' }] };
    const two = { rootfs: { diff_ids: [diff('1'), diff('3')] }, history: [{ created_by: 'base' }, { created_by: 'own' }] };
    const probe = store({
      [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(one),
      [`${DIR}/imagedb/content/sha256/${hex('b')}`]: JSON.stringify(two),
      [layerSize([diff('1')], 0)]: '10',
      [layerSize([diff('1'), diff('3')], 1)]: '20',
    });
    const reads: string[] = [];
    const counting = { ...probe, readFile: (p: string) => (reads.push(p), probe.readFile(p)) };
    const read = await readGraphImages(counting, '/srv/docker', 'overlay2', [`sha256:${hex('a')}`, `sha256:${hex('b')}`]);
    expect(read.get(`sha256:${hex('a')}`)).toEqual({ diffIds: [diff('1')], lastTagTime: null, history: [{ createdBy: 'base', size: 10 }] });
    expect(read.get(`sha256:${hex('b')}`)?.history).toEqual([
      { createdBy: 'own', size: 20 },
      { createdBy: 'base', size: 10 },
    ]);
    expect(reads.filter((p) => p.endsWith('/size'))).toHaveLength(2);
    expect(reads.some((p) => p.includes('/metadata/'))).toBe(false);
  });

  it('answers an image whose config has no history with none, as the engine does', async () => {
    const probe = store({ [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify({ rootfs: { diff_ids: [diff('1')] } }) });
    expect((await readGraphImages(probe, '/srv/docker', 'overlay2', [`sha256:${hex('a')}`])).get(`sha256:${hex('a')}`)?.history).toEqual([]);
  });

  it.each([
    ['its config is gone (deleted since the list)', {}],
    ['its config is not JSON', { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: '{"rootfs":' }],
    ['a layer size is missing', { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(BUILT), [layerSize([diff('1'), diff('2')], 0)]: '5000' }],
    [
      'a layer size is not a number',
      { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(BUILT), [layerSize([diff('1'), diff('2')], 0)]: '5000', [layerSize([diff('1'), diff('2')], 1)]: 'x' },
    ],
    ['its history names more layers than it has', { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify({ ...BUILT, rootfs: { diff_ids: [diff('1')] } }), [layerSize([diff('1')], 0)]: '5' }],
    [
      'its tag time does not parse',
      { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify({ rootfs: { diff_ids: [] } }), [`${DIR}/imagedb/metadata/sha256/${hex('a')}/lastUpdated`]: 'yesterday' },
    ],
  ])('leaves an image to the engine when %s', async (_why, files) => {
    const read = await readGraphImages(store(files), '/srv/docker', 'overlay2', [`sha256:${hex('a')}`]);
    expect(read.has(`sha256:${hex('a')}`)).toBe(false);
  });

  it('leaves one unreadable image to the engine and reads the others', async () => {
    const ok = { rootfs: { diff_ids: [] }, history: [] };
    const probe = store(
      { [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(ok), [`${DIR}/imagedb/content/sha256/${hex('b')}`]: JSON.stringify(ok) },
      { denied: { [`${DIR}/imagedb/content/sha256/${hex('b')}`]: 'EACCES' } },
    );
    const read = await readGraphImages(probe, '/srv/docker', 'overlay2', [`sha256:${hex('a')}`, `sha256:${hex('b')}`]);
    expect([...read.keys()]).toEqual([`sha256:${hex('a')}`]);
  });

  it('reads nothing without the graph driver image store (containerd store, Podman, another driver)', async () => {
    const probe = store({ [`${DIR}/imagedb/content/sha256/${hex('a')}`]: JSON.stringify(BUILT) });
    expect((await readGraphImages(probe, '/srv/docker', 'btrfs', [`sha256:${hex('a')}`])).size).toBe(0);
  });

  it('fails as a whole when the store cannot be listed (not root)', async () => {
    const probe = store({}, { denied: { [`${DIR}/imagedb/content/sha256`]: 'EACCES' } });
    await expect(readGraphImages(probe, '/srv/docker', 'overlay2', [`sha256:${hex('a')}`])).rejects.toThrow(/EACCES/);
  });
});
