import { describe, expect, it } from 'vitest';
import { imageStoredTimes } from './image-store-times.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);
const HEX_C = 'c'.repeat(64);
const DIR = '/srv/docker/image/overlay2/imagedb/content/sha256';

describe('imageStoredTimes', () => {
  it('reads when each image config was written to the image store, by image id', async () => {
    const probe = fakeHostProbe({ mtimes: { [`${DIR}/${HEX_A}`]: 1_700_000_000_000, [`${DIR}/${HEX_B}`]: 1_750_000_000_000 } });
    const times = await imageStoredTimes(probe, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_B}`]);
    expect(times).toEqual(new Map([[`sha256:${HEX_A}`, 1_700_000_000_000], [`sha256:${HEX_B}`, 1_750_000_000_000]]));
  });

  it('leaves out images whose config file is missing', async () => {
    const probe = fakeHostProbe({ mtimes: { [`${DIR}/${HEX_A}`]: 1_700_000_000_000 } });
    const times = await imageStoredTimes(probe, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_C}`]);
    expect(times).toEqual(new Map([[`sha256:${HEX_A}`, 1_700_000_000_000]]));
  });

  it('looks under the directory of the storage driver the engine uses', async () => {
    const probe = fakeHostProbe({ mtimes: { [`/var/lib/docker/image/overlay2/imagedb/content/sha256/${HEX_A}`]: 1 } });
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'btrfs', [`sha256:${HEX_A}`])).toEqual(new Map());
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'overlay2', [`sha256:${HEX_A}`])).toEqual(new Map([[`sha256:${HEX_A}`, 1]]));
  });

  it('gives an empty map when the engine has no classic image store (containerd snapshotter)', async () => {
    const probe = fakeHostProbe({ dirs: ['/var/lib/docker/containerd'] });
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'overlayfs', [`sha256:${HEX_A}`])).toEqual(new Map());
  });

  it('treats a file it cannot stat as missing', async () => {
    const probe = fakeHostProbe({ mtimes: { [`${DIR}/${HEX_A}`]: 5 } });
    const failing = { ...probe, modifiedAt: async (path: string) => (path.endsWith(HEX_B) ? Promise.reject(new Error('EACCES')) : probe.modifiedAt(path)) };
    expect(await imageStoredTimes(failing, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_B}`])).toEqual(new Map([[`sha256:${HEX_A}`, 5]]));
  });
});
