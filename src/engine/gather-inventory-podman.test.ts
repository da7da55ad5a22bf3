import { describe, expect, it } from 'vitest';
import { id, T0 } from '../gc/testing/build-inventory.js';
import type { DockerInfo } from './docker-info.js';
import { gatherInventory } from './gather-inventory.js';
import { chainIds } from './image-layers.js';
import { FakeEngine, type FakeImage } from './testing/fake-engine.js';

// Podman's /images/json Size is the layers plus what containers/storage keeps beside them
// (the config, the manifest, signatures: 1,300 bytes for a test image), so the history's
// layer sizes never add up to it. Seen on podman 4.3.1: Size 31997716, history 31996416.
const diff = `sha256:${'9'.repeat(64)}`;
const image: FakeImage = { id: id('podman'), repoTags: ['localhost/app:2'], size: 31_997_716, diffIds: [diff], history: [{ createdBy: 'padding', size: 31_996_416 }] };
const podman: DockerInfo = { DockerRootDir: '/var/lib/containers/storage', Driver: 'overlay', ServerVersion: '4.3.1', BuildahVersion: '1.28.2' };

describe('gatherInventory on Podman', () => {
  it("takes layer sizes from the history although the list's Size counts more than the layers", async () => {
    const engine = new FakeEngine({ images: [image] });
    const inv = await gatherInventory(engine, podman, new Date(T0));
    expect(inv.images[0]?.layers).toEqual([{ chainId: chainIds([diff])[0], size: 31_996_416 }]);
    expect(engine.calls).not.toContain('systemDf');
  });

  it('still checks the total on Docker, where it must add up', async () => {
    const engine = new FakeEngine({ images: [image] });
    const inv = await gatherInventory(engine, { DockerRootDir: '/var/lib/docker', Driver: 'overlay2', ServerVersion: '20.10.24' }, new Date(T0));
    expect(inv.images[0]?.layers.map((l) => l.size)).toEqual([null]);
  });
});
