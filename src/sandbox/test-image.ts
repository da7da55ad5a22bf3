import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { imageArchive } from './image-archive.js';
import type { TarEntry } from './tar-writer.js';
import { unixRequest } from './unix-http.js';

// Test images without a registry: a static busybox plus a block of pseudo-random padding
// in one layer, loaded like `docker load`. The padding is pseudo-random so that nothing
// (btrfs compression, gzip in `docker save`) shrinks it and two seeds never share a
// layer; the same seed and date give the same layer digest and the same image id.

export const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'sleep', 'true', 'false', 'cat', 'echo', 'ls', 'env', 'ps', 'top', 'du', 'df', 'dd', 'head', 'tail', 'wc', 'rm', 'mkdir', 'touch', 'id', 'hostname'];
const MiB = 1024 * 1024;

export interface TestImageOptions {
  /** Bytes of random padding in `/pad`, on top of busybox (~2 MiB). @default 1 MiB */
  sizeBytes?: number;
  /** Seed of the padding. @default derived from the reference, so two refs share no layer */
  seed?: number;
  /** The image's `Created`; old dates make "freshly pulled old image" cases. @default 2024-01-01 */
  created?: Date;
  /** Extra image labels (`dockwarden.test-image=1` is always set). */
  labels?: Record<string, string>;
  /**
   * Put busybox and this much padding in a base layer of its own, under the image's own
   * padding layer: images given the same base share it on disk, as images built FROM the
   * same base do.
   */
  base?: { sizeBytes: number; seed: number };
}

/** Refuses a dynamically linked busybox: it would fail in the image with a bare "no such file". */
async function readStaticBusybox(): Promise<Buffer> {
  let bin: Buffer;
  try {
    bin = await readFile(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} is missing; run \`bash scripts/install-test-deps.sh\` as root (package busybox-static).`);
  }
  if (hasInterpreter(bin)) {
    throw new Error(`${BUSYBOX} is dynamically linked and cannot run in a bare test image; install busybox-static (\`bash scripts/install-test-deps.sh\`).`);
  }
  return bin;
}

/** Whether BUSYBOX can go into a bare image: only a statically linked one runs there. */
export async function busyboxState(): Promise<'missing' | 'dynamic' | 'static'> {
  const bin = await readFile(BUSYBOX).catch(() => null);
  if (!bin) return 'missing';
  return hasInterpreter(bin) ? 'dynamic' : 'static';
}

/** ELF64 little-endian: does any program header say PT_INTERP (needs ld.so)? */
function hasInterpreter(elf: Buffer): boolean {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 <= elf.length && elf.readUInt32LE(at) === 3) return true;
  }
  return false;
}

export function seedFromRef(ref: string): number {
  return createHash('sha256').update(ref).digest().readUInt32LE(0);
}

/** xorshift32 in 1 MiB chunks (a few hundred MiB/s); the same seed gives the same bytes. */
export function* randomBytes(size: number, seed: number): Generator<Buffer> {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let left = size; left > 0; left -= MiB) {
    const n = Math.min(MiB, left);
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    yield Buffer.from(words.buffer, 0, n);
  }
}

function busyboxEntries(busybox: Buffer): TarEntry[] {
  return [
    { type: 'dir', name: 'bin', mode: 0o755 },
    { type: 'file', name: 'bin/busybox', mode: 0o755, size: busybox.length, content: () => [busybox] },
    ...APPLETS.map((a): TarEntry => ({ type: 'symlink', name: `bin/${a}`, target: 'busybox' })),
    { type: 'dir', name: 'tmp', mode: 0o1777 },
  ];
}

function padEntry(name: string, padBytes: number, seed: number): TarEntry {
  return { type: 'file', name, mode: 0o644, size: padBytes, content: () => randomBytes(padBytes, seed) };
}

function layers(busybox: Buffer, padBytes: number, seed: number, base: TestImageOptions['base']): TarEntry[][] {
  if (!base) return [[...busyboxEntries(busybox), padEntry('pad', padBytes, seed)]];
  return [[...busyboxEntries(busybox), padEntry('base-pad', base.sizeBytes, base.seed)], [padEntry('pad', padBytes, seed)]];
}

/**
 * Loads a test image tagged `ref` and returns its id as the engine names it. STOPSIGNAL SIGKILL because `sleep`
 * as PID 1 ignores SIGTERM (the kernel drops default-action signals sent to a pid
 * namespace's init): without it every `docker stop` and daemon restart would wait the
 * full 10 s stop timeout.
 */
export async function loadTestImage(socketPath: string, ref: string, opts: TestImageOptions = {}): Promise<string> {
  // `docker load` wants `name:tag` in the manifest; a colon before the last slash is a registry port.
  if (ref.lastIndexOf(':') <= ref.lastIndexOf('/')) ref = `${ref}:latest`;
  const sizeBytes = opts.sizeBytes ?? MiB;
  const seed = opts.seed ?? seedFromRef(ref);
  const archive = await imageArchive(ref, layers(await readStaticBusybox(), sizeBytes, seed, opts.base), {
    cmd: ['sh'],
    env: ['PATH=/bin'],
    stopSignal: 'SIGKILL',
    labels: { ...opts.labels, 'dockwarden.test-image': '1' },
    created: opts.created ?? new Date('2024-01-01T00:00:00Z'),
    comment: `dockwarden sandbox test image: busybox + ${sizeBytes} bytes of padding (seed ${seed})`,
  });
  const res = await unixRequest(socketPath, 'POST', '/images/load?quiet=1', {
    body: Readable.from(archive.stream()),
    headers: { 'Content-Type': 'application/x-tar' },
    timeoutMs: 300_000,
  });
  // The answer is a stream of JSON messages; an error may come with HTTP 200.
  for (const line of res.body.split('\n').filter((l) => l.trim() !== '')) {
    const msg = JSON.parse(line) as { error?: string };
    if (msg.error) throw new Error(`Loading test image ${ref} failed: ${msg.error}`);
  }
  if (res.status !== 200) throw new Error(`Loading test image ${ref} failed: HTTP ${res.status} ${res.body.trim()}`);
  // A graph driver names the image by its config's digest; containerd's image store by
  // the digest of the manifest it made on load. Ask rather than guess.
  const loaded = await unixRequest(socketPath, 'GET', `/images/${ref}/json`);
  if (loaded.status !== 200) throw new Error(`Test image ${ref} is not there after loading it: HTTP ${loaded.status} ${loaded.body.trim()}`);
  return (JSON.parse(loaded.body) as { Id: string }).Id;
}
