import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { describeEngine, engineProduct, productFromComponents, refuseOnPodman, versionComponents } from './engine-product.js';

// What Debian 12's podman 4.3.1 answers on GET /version and /info (trimmed), and dockerd 20.10's /version.
const PODMAN_VERSION = {
  Platform: { Name: 'linux/amd64/debian-12' },
  Components: [
    { Name: 'Podman Engine', Version: '4.3.1', Details: { APIVersion: '4.3.1', MinAPIVersion: '4.0.0' } },
    { Name: 'Conmon', Version: 'conmon version 2.1.6, commit: unknown' },
    { Name: 'OCI Runtime (crun)', Version: 'crun version 1.8.1' },
  ],
  Version: '4.3.1',
  ApiVersion: '1.41',
};
const DOCKER_VERSION = {
  Platform: { Name: 'Docker Engine - Community' },
  Components: [
    { Name: 'Engine', Version: '20.10.24+dfsg1' },
    { Name: 'containerd', Version: '1.6.20' },
    { Name: 'runc', Version: '1.1.5' },
  ],
  Version: '20.10.24+dfsg1',
};
const PODMAN_INFO = { ServerVersion: '4.3.1', Driver: 'overlay', DockerRootDir: '/tmp/dw-1/mnt/storage', BuildahVersion: '1.28.2', Rootless: false };

describe('engineProduct', () => {
  it('reads Podman from /version components, not from Platform.Name', () => {
    expect(productFromComponents(versionComponents(PODMAN_VERSION))).toBe('podman');
    expect(productFromComponents(versionComponents(DOCKER_VERSION))).toBe('docker');
    expect(versionComponents({ Version: '1.12.6' })).toBeNull();
    expect(productFromComponents(versionComponents({ Components: [{ Name: 'Something' }] }))).toBeNull();
  });

  it("falls back to Podman's own /info fields, then to what a docker info paste keeps", () => {
    expect(engineProduct(PODMAN_INFO)).toBe('podman');
    // `docker info --format json` against Podman drops BuildahVersion; the default root remains.
    expect(engineProduct({ ServerVersion: '4.3.1', Driver: 'overlay', DockerRootDir: '/var/lib/containers/storage' })).toBe('podman');
    expect(engineProduct({ ServerVersion: '5.2.2', Driver: 'overlay' })).toBe('podman');
    expect(engineProduct({ ServerVersion: '1.13.1', Driver: 'overlay', DockerRootDir: '/var/lib/docker' })).toBe('docker');
    expect(engineProduct({ ServerVersion: '17.03.2-ce', Driver: 'overlay' })).toBe('docker');
    expect(engineProduct({ ServerVersion: '28.5.2', Driver: 'overlayfs' })).toBe('docker');
    expect(engineProduct({})).toBe('docker');
  });

  it('lets /version components win over /info', () => {
    expect(engineProduct({ ServerVersion: '4.3.1' }, versionComponents(DOCKER_VERSION))).toBe('docker');
    expect(engineProduct({ ServerVersion: '24.0.7' }, versionComponents(PODMAN_VERSION))).toBe('podman');
  });

  it('names the engine for headers', () => {
    expect(describeEngine(PODMAN_INFO)).toBe('Podman 4.3.1');
    expect(describeEngine({}, versionComponents(PODMAN_VERSION))).toBe('Podman 4.3.1');
    expect(describeEngine({ ServerVersion: '20.10.24+dfsg1' })).toBe('Docker 20.10.24+dfsg1');
  });

  it('refuses what Podman does not offer with one usage error', () => {
    const say = (engine: string) => `--build-cache: ${engine} has no build cache API.`;
    expect(() => refuseOnPodman(PODMAN_INFO, null, say)).toThrow(UsageError);
    expect(() => refuseOnPodman(PODMAN_INFO, null, say)).toThrow('--build-cache: Podman 4.3.1 has no build cache API.');
    expect(() => refuseOnPodman({ ServerVersion: '20.10.24' }, null, say)).not.toThrow();
  });
});
