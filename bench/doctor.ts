import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { unixRequest } from '../src/sandbox/unix-http.js';
import { compare } from './measure.js';

// bench/doctor: `dockwarden doctor --json` against `docker system df` on an engine holding
// 200 images and 500 containers, a hundred of which ran and wrote to their layer and log
// (what `docker system df` must size, and doctor's log check walks). Target: ratio <= 1.0.

const IMAGES = 200;
const CONTAINERS = 500;
const RUNS = 15;
const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));

async function post(socketPath: string, path: string, body: unknown, expect: number): Promise<string> {
  const text = JSON.stringify(body ?? {});
  const res = await unixRequest(socketPath, 'POST', path, {
    body: Readable.from([Buffer.from(text)]),
    headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) },
    timeoutMs: 60_000,
  });
  if (res.status !== expect) throw new Error(`POST ${path} failed: HTTP ${res.status} ${res.body.trim()}`);
  return res.body;
}

/**
 * POST /containers/create and, with `start`, /start on the sandbox's socket (500 `docker
 * run` processes would take longer than the benchmark): a started one writes 64 KiB into
 * its layer and a line to its log, then exits.
 */
async function makeContainer(socketPath: string, name: string, image: string, start: boolean): Promise<void> {
  const created = JSON.parse(
    await post(
      socketPath,
      `/containers/create?name=${encodeURIComponent(name)}`,
      { Image: image, Cmd: ['sh', '-c', 'dd if=/dev/zero of=/written bs=1k count=64 && echo done'], HostConfig: { NetworkMode: 'none' } },
      201,
    ),
  ) as { Id: string };
  if (start) await post(socketPath, `/containers/${created.Id}/start`, null, 204);
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

/** The bench host: 200 images, 500 containers, every fifth of which ran and wrote (starting all 500 takes minutes on 2 cores). */
export async function fillDoctorBenchEngine(sandbox: Sandbox): Promise<void> {
  const started = Date.now();
  const refs = Array.from({ length: IMAGES }, (_, i) => `bench/img-${i}:v1`);
  await inBatches(refs, 4, (ref) => sandbox.importImage(ref, { sizeBytes: 64 * 1024 }));
  const names = Array.from({ length: CONTAINERS }, (_, i) => `c-${i}`);
  await inBatches(names, 8, (name) => makeContainer(sandbox.socketPath, name, refs[Number(name.slice(2)) % IMAGES]!, Number(name.slice(2)) % 5 === 0));
  console.error(`bench/doctor: ${IMAGES} images and ${CONTAINERS} containers ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export async function benchDoctor(): Promise<{ name: string; oursMs: number; peerMs: number; ratio: number }> {
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 2048 });
  try {
    await fillDoctorBenchEngine(sandbox);
    const env = { ...process.env, DOCKER_HOST: sandbox.dockerHost, NO_COLOR: '1' };
    const result = await compare(RUNS, { cmd: process.execPath, args: [CLI, 'doctor', '--json'] }, { cmd: 'docker', args: ['system', 'df'] }, env);
    return { name: `doctor --json vs docker system df (${IMAGES} images, ${CONTAINERS} containers)`, ...result };
  } finally {
    await sandbox.stop();
  }
}
