// A throwaway private dockerd on a loop-mounted ext4/xfs/btrfs filesystem, for the
// integration tests, the benchmarks and `dockwarden demo`. It never touches the host's
// Docker: own data root, exec root, socket, daemon.json, containerd namespaces and
// network namespace, all under /tmp/dw-<id>/. Needs root.
//
//   const s = await startSandbox({ fs: 'xfs' });         // afterAll(stopAllSandboxes)
//   await s.importImage('app:1', { sizeBytes: 5 << 20 }); // busybox + random padding
//   await s.docker(['run', '-d', '--network', 'none', 'app:1', 'sleep', '1000']);
//   await s.fillTo(90);                                   // disk pressure
//   await s.stop();
//
// Sandboxes left by a killed run are removed by the next startSandbox, or by hand with
// scripts/sandbox-cleanup.sh.
export { startSandbox, stopAllSandboxes, type Sandbox, type RestartOptions } from './sandbox.js';
export { MIN_SIZE_MB, type SandboxFs, type SandboxOptions } from './options.js';
export { cleanupStaleSandboxes, teardownDir } from './teardown.js';
export { podmanUnavailable, startPodmanSandbox, stopAllPodmanSandboxes, type PodmanSandbox, type PodmanSandboxOptions } from './podman.js';
export type { FsUsage, ImportUntilOptions } from './fill.js';
export type { TestImageOptions } from './test-image.js';
export type { DockerCliOptions, DockerCliResult } from './docker-cli.js';
