import { mkdir, open, readFile } from 'node:fs/promises';
import type { SandboxFs } from './options.js';
import { run, sleep } from './proc.js';

// The sandbox's disk: a sparse file, formatted and loop-mounted. `mount -o loop` sets the
// loop device's autoclear flag, so the device detaches by itself on the last umount.

const MKFS_ARGS: Record<SandboxFs, string[]> = {
  ext4: ['-q', '-F'],
  // ftype=1 records the file type in directory entries (d_type); overlay2 refuses xfs
  // without it, which is the CentOS 7 failure dockwarden diagnoses.
  xfs: ['-q', '-f', '-n', 'ftype=1'],
  btrfs: ['-q', '-f'],
};

export async function makeDisk(mkfs: string, fs: SandboxFs, image: string, sizeMb: number, mountPoint: string): Promise<void> {
  // A sparse file: the 1 GiB default costs only what is written to it.
  const handle = await open(image, 'w');
  try {
    await handle.truncate(sizeMb * 1024 * 1024);
  } finally {
    await handle.close();
  }
  await run(mkfs, [...MKFS_ARGS[fs], image]);
  await mkdir(mountPoint, { recursive: true });
  await run('mount', ['-o', 'loop', image, mountPoint]);
}

/** A sparse file on a free loop device, unformatted: what `dockwarden plan` gets as --device. */
export async function attachBlankDisk(image: string, sizeMb: number): Promise<string> {
  const handle = await open(image, 'w');
  try {
    await handle.truncate(sizeMb * 1024 * 1024);
  } finally {
    await handle.close();
  }
  return (await run('losetup', ['-f', '--show', image])).stdout.trim();
}

/** Mount points at or below `dir` (as this process's mount namespace sees them), deepest first. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.split('/').length - a.split('/').length || b.length - a.length);
}

/**
 * Unmounts everything below `dir`: dockerd's overlay and shm mounts and network
 * namespaces if it died without cleaning up, then the loop mount. A mount stays busy
 * for a moment after the last process using it exits, so each is retried before a lazy
 * umount detaches it from the tree (the loop device is then freed when the last user goes).
 */
export async function unmountAll(dir: string, log: (line: string) => void): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    for (const point of points) {
      try {
        await run('umount', [point]);
      } catch {
        // busy or already gone with its parent; retried below
      }
    }
    await sleep(Math.min(50 * (attempt + 1), 500));
  }
  for (const point of await mountsUnder(dir)) {
    log(`sandbox: ${point} is still busy; unmounting it lazily.`);
    await run('umount', ['-l', point]).catch((err: Error) => log(`sandbox: ${err.message}`));
  }
}

/** Detaches loop devices still backed by `image` (autoclear usually did it already). */
export async function detachLoops(image: string, log: (line: string) => void): Promise<void> {
  const { stdout } = await run('losetup', ['-j', image]).catch(() => ({ stdout: '' }));
  for (const line of stdout.split('\n')) {
    const device = line.split(':')[0];
    if (!device) continue;
    await run('losetup', ['-d', device]).catch((err: Error) => log(`sandbox: ${err.message}`));
  }
}
