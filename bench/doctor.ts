import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import { startSandbox } from '../src/sandbox/index.js';
import { compare } from './measure.js';

// bench/doctor: `dockwarden doctor --json` against `docker system df` on an engine holding
// 200 images and 500 containers. Target: ratio <= 1.5.

const IMAGES = 200;
const CONTAINERS = 500;
const RUNS = 15;
const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

export async function benchDoctor(): Promise<{ name: string; oursMs: number; peerMs: number; ratio: number }> {
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 2048 });
  try {
    const started = Date.now();
    const refs = Array.from({ length: IMAGES }, (_, i) => `bench/img-${i}:v1`);
    await inBatches(refs, 4, (ref) => sandbox.importImage(ref, { sizeBytes: 64 * 1024 }));
    const docker = new Docker({ socketPath: sandbox.socketPath });
    const names = Array.from({ length: CONTAINERS }, (_, i) => `c-${i}`);
    await inBatches(names, 8, (name) =>
      docker.createContainer({ name, Image: refs[Number(name.slice(2)) % IMAGES], Cmd: ['sleep', '1'], HostConfig: { NetworkMode: 'none' } }),
    );
    console.error(`bench/doctor: ${IMAGES} images and ${CONTAINERS} containers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const env = { ...process.env, DOCKER_HOST: sandbox.dockerHost, NO_COLOR: '1' };
    const result = await compare(
      RUNS,
      { cmd: process.execPath, args: [CLI, 'doctor', '--json'] },
      { cmd: 'docker', args: ['system', 'df'] },
      env,
    );
    return { name: `doctor --json vs docker system df (${IMAGES} images, ${CONTAINERS} containers)`, ...result };
  } finally {
    await sandbox.stop();
  }
}
