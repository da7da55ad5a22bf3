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
    const times = await imageStoredTimes(probe, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_B}`], []);
    expect(times).toEqual(
      new Map([
        [`sha256:${HEX_A}`, 1_700_000_000_000],
        [`sha256:${HEX_B}`, 1_750_000_000_000],
      ]),
    );
  });

  it('leaves out images whose config file is missing', async () => {
    const probe = fakeHostProbe({ mtimes: { [`${DIR}/${HEX_A}`]: 1_700_000_000_000 } });
    const times = await imageStoredTimes(probe, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_C}`], []);
    expect(times).toEqual(new Map([[`sha256:${HEX_A}`, 1_700_000_000_000]]));
  });

  it('looks under the directory of the storage driver the engine uses', async () => {
    const probe = fakeHostProbe({ mtimes: { [`/var/lib/docker/image/overlay2/imagedb/content/sha256/${HEX_A}`]: 1 } });
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'btrfs', [`sha256:${HEX_A}`], [])).toEqual(new Map());
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'overlay2', [`sha256:${HEX_A}`], [])).toEqual(new Map([[`sha256:${HEX_A}`, 1]]));
  });

  it('gives an empty map when the engine has no classic image store (containerd snapshotter)', async () => {
    const probe = fakeHostProbe({ dirs: ['/var/lib/docker/containerd'] });
    expect(await imageStoredTimes(probe, '/var/lib/docker', 'overlayfs', [`sha256:${HEX_A}`], [])).toEqual(new Map());
  });

  it('leaves out a file it may not stat, and says in the gaps how many and why', async () => {
    const probe = fakeHostProbe({ mtimes: { [`${DIR}/${HEX_A}`]: 5, [`${DIR}/${HEX_B}`]: 6, [`${DIR}/${HEX_C}`]: 7 }, denied: { [`${DIR}/${HEX_B}`]: 'EACCES', [`${DIR}/${HEX_C}`]: 'EACCES' } });
    const gaps: string[] = [];
    expect(await imageStoredTimes(probe, '/srv/docker', 'overlay2', [`sha256:${HEX_A}`, `sha256:${HEX_B}`, `sha256:${HEX_C}`], gaps)).toEqual(new Map([[`sha256:${HEX_A}`, 5]]));
    expect(gaps).toEqual([
      "When 2 images arrived could not be read under /srv/docker (EACCES): --min-age then counts from what the agent recorded, an event or the last tag, else the image's creation date; run dockwarden as root.",
    ]);
  });

  it('has no gap for images that simply are not in this store', async () => {
    const gaps: string[] = [];
    await imageStoredTimes(fakeHostProbe({}), '/srv/docker', 'overlay2', [`sha256:${HEX_A}`], gaps);
    expect(gaps).toEqual([]);
  });
});
