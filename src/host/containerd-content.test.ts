import { describe, expect, it } from 'vitest';
import { readImageContent, readImagesContent } from './containerd-content.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const ROOT = '/var/lib/containerd';
const BLOBS = `${ROOT}/io.containerd.content.v1.content/blobs/sha256`;
const d = (c: string) => `sha256:${c.repeat(64)}`;
const at = (c: string) => `${BLOBS}/${c.repeat(64)}`;
const manifest = (config: string, layer: string) =>
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(config), size: 5 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(layer), size: 1000 }],
  });
const entry = (m: string, arch: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d(m), size: 200, platform: { os: 'linux', architecture: arch } });

// A pulled multi-platform image: the index names amd64 (all here), arm64 (never pulled:
// its manifest is not in the store) and s390x (manifest here, its layer not: a pull that stopped).
const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry('1', 'amd64'), entry('2', 'arm64'), entry('3', 's390x')] });
const probe = fakeHostProbe({
  files: { [at('0')]: index, [at('1')]: manifest('a', 'b'), [at('3')]: manifest('c', 'e'), [at('7')]: manifest('a', 'b') },
  sizes: { [at('a')]: 5, [at('b')]: 1000, [at('c')]: 5 },
  mtimes: { [at('0')]: 1_700_000_000_000 },
});

describe("containerd's content store", () => {
  it('lists every blob an image holds, treats a platform never pulled as whole, and a half-stored one as missing blobs', async () => {
    const content = await readImageContent(probe, ROOT, d('0'));
    expect(content.blobs.map((b) => b.digest)).toEqual([d('0'), d('1'), d('a'), d('b'), d('3'), d('c')]);
    expect(content.blobs.find((b) => b.digest === d('0'))?.size).toBe(index.length);
    expect(content.missing).toEqual([d('e')]);
    expect(content.platforms).toEqual({ named: 3, present: 2, complete: 1 });
    expect(content.storedAt).toBe(1_700_000_000_000);
  });

  it('reads a single-platform image from its manifest', async () => {
    const content = await readImageContent(probe, ROOT, d('7'));
    expect(content).toMatchObject({ missing: [], platforms: { named: 1, present: 1, complete: 1 }, storedAt: null });
    expect(content.blobs.map((b) => b.digest)).toEqual([d('7'), d('a'), d('b')]);
  });

  it('says when the store is not there or not readable, instead of failing', async () => {
    expect((await readImagesContent(fakeHostProbe({}), ROOT, [d('0')])).gap).toMatch(/does not exist here/);
    const denied = fakeHostProbe({ dirs: [`${ROOT}/io.containerd.content.v1.content/blobs`], denied: { [`${ROOT}/io.containerd.content.v1.content/blobs`]: 'EACCES' } });
    expect((await readImagesContent(denied, ROOT, [d('0')])).gap).toMatch(/cannot be read \(EACCES\).*run dockwarden as root/);
  });
});
