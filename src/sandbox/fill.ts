import { open, rm, stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { usedPercent } from '../core/thresholds.js';
import { run } from './proc.js';
import { loadTestImage } from './test-image.js';
import { getJson } from './unix-http.js';

// Disk pressure on demand. Usage is measured the way gc and doctor measure it
// (core/thresholds: 100 - available/size, root-reserved blocks count as used), after a
// filesystem sync: btrfs and xfs account delayed allocations lazily, and statfs right
// after a write can lag by the size of that write.

export interface FsUsage {
  sizeBytes: number;
  availBytes: number;
  usedPct: number;
}

export async function fsUsage(path: string): Promise<FsUsage> {
  await run('sync', ['-f', path]);
  const s = await statfs(path);
  const fs = { sizeBytes: s.blocks * s.bsize, availBytes: s.bavail * s.bsize };
  return { ...fs, usedPct: usedPercent(fs) };
}

const MiB = 1024 * 1024;

function checkPercent(percent: number): void {
  if (!(percent > 0 && percent < 100)) throw new Error(`Fill target must be a percentage between 0 and 100, got ${percent}.`);
}

async function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** Appends `bytes` to the filler: fallocate where the filesystem can, written zeros where not. */
async function grow(filler: string, bytes: number): Promise<void> {
  const offset = await sizeOf(filler);
  try {
    await run('fallocate', ['-o', String(offset), '-l', String(bytes), filler]);
    return;
  } catch (err) {
    if (/No space left/i.test((err as Error).message)) throw err;
  }
  const handle = await open(filler, 'a');
  try {
    const zeros = Buffer.alloc(Math.min(bytes, 8 * MiB));
    for (let left = bytes; left > 0; left -= zeros.length) await handle.write(zeros, 0, Math.min(left, zeros.length));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Grows `filler` (a plain file outside the data root, which dockerd never looks at) until
 * the filesystem holding it is at least `percent` full. Never shrinks it; see clearFill.
 */
export async function fillTo(filler: string, percent: number): Promise<FsUsage> {
  checkPercent(percent);
  for (let round = 0; round < 10; round++) {
    const u = await fsUsage(dirname(filler));
    if (u.usedPct >= percent) return u;
    const targetAvail = (u.sizeBytes * (100 - percent)) / 100;
    const bytes = Math.max(MiB, Math.ceil((u.availBytes - targetAvail) / MiB) * MiB);
    await grow(filler, Math.min(bytes, u.availBytes));
  }
  throw new Error(`Could not fill ${filler}'s filesystem to ${percent}%: it stopped growing.`);
}

export async function clearFill(filler: string): Promise<void> {
  await rm(filler, { force: true });
}

export interface ImportUntilOptions {
  /** Images are tagged `<prefix>:<n>`. @default 'fill/img' */
  prefix?: string;
  /** Padding per image. @default 32 MiB */
  sizeBytes?: number;
}

/**
 * Imports distinct test images (no shared layers) until the data root's filesystem is at
 * least `percent` full; returns their references, oldest first. Slower than fillTo but
 * the space is reclaimable by GC, which is what the gc tests and the demo need.
 */
export async function importImagesUntil(socketPath: string, dataRoot: string, percent: number, opts: ImportUntilOptions = {}): Promise<string[]> {
  checkPercent(percent);
  const prefix = opts.prefix ?? 'fill/img';
  const sizeBytes = opts.sizeBytes ?? 32 * MiB;
  const refs: string[] = [];
  // Numbering continues after earlier calls: re-importing `fill/img:1` would give the same
  // layer (the seed comes from the ref) and take no space.
  for (let n = (await highestTag(socketPath, prefix)) + 1; (await fsUsage(dataRoot)).usedPct < percent; n++) {
    if (refs.length >= 10_000) throw new Error(`Imported 10000 images and ${dataRoot} is still below ${percent}%.`);
    const ref = `${prefix}:${n}`;
    await loadTestImage(socketPath, ref, { sizeBytes });
    refs.push(ref);
  }
  return refs;
}

/**
 * Imports distinct test images until the engine refuses one for want of space, as a pull
 * fails on a full disk; returns the references loaded and the engine's refusal.
 */
export async function importImagesUntilFull(socketPath: string, mountPoint: string, opts: ImportUntilOptions = {}): Promise<{ refs: string[]; refusal: string }> {
  const prefix = opts.prefix ?? 'fill/img';
  const sizeBytes = opts.sizeBytes ?? 32 * MiB;
  const refs: string[] = [];
  for (let n = (await highestTag(socketPath, prefix)) + 1; refs.length < 10_000; n++) {
    const ref = `${prefix}:${n}`;
    try {
      await loadTestImage(socketPath, ref, { sizeBytes });
    } catch (err) {
      const message = (err as Error).message;
      if (!/no space left|disk quota|ENOSPC/i.test(message)) throw err;
      return { refs, refusal: message };
    }
    refs.push(ref);
  }
  throw new Error(`Imported 10000 images and ${mountPoint} still has room.`);
}

async function highestTag(socketPath: string, prefix: string): Promise<number> {
  const images = await getJson<Array<{ RepoTags?: string[] | null }>>(socketPath, '/images/json');
  const numbers = images
    .flatMap((i) => i.RepoTags ?? [])
    .filter((t) => t.startsWith(`${prefix}:`))
    .map((t) => Number(t.slice(prefix.length + 1)))
    .filter((n) => Number.isInteger(n));
  return Math.max(0, ...numbers);
}
