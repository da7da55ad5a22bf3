import { describe, expect, it } from 'vitest';
import { dataRootContents } from './data-root-contents.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const IMAGES = '/var/lib/docker/image/overlay2/imagedb/content/sha256';

describe('dataRootContents', () => {
  it('counts image configs and container directories; an absent directory is an unknown count, not a failure', async () => {
    const probe = fakeHostProbe({ files: { [`${IMAGES}/a`]: '{}', [`${IMAGES}/b`]: '{}' } });
    expect(await dataRootContents(probe, '/var/lib/docker', 'overlay2')).toEqual({ images: 2, containers: null, unreadable: [] });
  });

  it('says which directory it may not list, so an unknown count is not read as empty', async () => {
    const probe = fakeHostProbe({ files: { [`${IMAGES}/a`]: '{}' }, dirs: ['/var/lib/docker/containers'], denied: { '/var/lib/docker/containers': 'EACCES' } });
    expect(await dataRootContents(probe, '/var/lib/docker', 'overlay2')).toEqual({ images: 1, containers: null, unreadable: ['/var/lib/docker/containers: EACCES'] });
  });
});
