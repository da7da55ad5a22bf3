import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { unixRequest } from '../src/sandbox/unix-http.js';
import { compare } from './measure.js';

// bench/doctor: `dockwarden doctor --json` against `docker system df` on an engine holding
// 200 images and 500 containers. Target: ratio <= 1.5.

const IMAGES = 200;
const CONTAINERS = 500;
const RUNS = 15;
const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));

/** POST /containers/create on the sandbox's socket: 500 `docker create` processes would take longer than the benchmark. */
async function createContainer(socketPath: string, name: string, image: string): Promise<void> {
  const body = JSON.stringify({ Image: image, Cmd: ['sleep', '1'], HostConfig: { NetworkMode: 'none' } });
  const res = await unixRequest(socketPath, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, {
    body: Readable.from([Buffer.from(body)]),
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
  });
  if (res.status !== 201) throw new Error(`creating container ${name} failed: HTTP ${res.status} ${res.body.trim()}`);
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

export async function benchDoctor(): Promise<{ name: string; oursMs: number; peerMs: number; ratio: number }> {
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 2048 });
  try {
    const started = Date.now();
    const refs = Array.from({ length: IMAGES }, (_, i) => `bench/img-${i}:v1`);
    await inBatches(refs, 4, (ref) => sandbox.importImage(ref, { sizeBytes: 64 * 1024 }));
    const names = Array.from({ length: CONTAINERS }, (_, i) => `c-${i}`);
    await inBatches(names, 8, (name) => createContainer(sandbox.socketPath, name, refs[Number(name.slice(2)) % IMAGES]!));
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
