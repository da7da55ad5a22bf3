import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readFile, realpath, rename, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorCode } from './host-probe.js';

// Writing a config file that a daemon reads at start (daemon.json, a systemd drop-in, an
// init defaults file). A half-written daemon.json stops dockerd at its next restart, so
// the text goes to a temp file in the same directory (rename(2) is atomic only within one
// filesystem), is fsynced, and only then renamed over the old file. The directory is
// fsynced too, or a power cut can bring back the old name after the rename.

export interface AtomicWriteResult {
  path: string;
  backupPath: string | null;
  changed: boolean;
}

/** UTC 20261125T101500Z */
export function backupStamp(now: Date): string {
  return now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `data` to a new file (never over an existing one), fsynced, with this mode; on failure the new file is removed. */
async function writeNew(path: string, data: string | Buffer, mode: number, owner: { uid: number; gid: number } | null): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    // The umask trims the mode given to open(2); chmod sets it exactly.
    await handle.chmod(mode);
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) await handle.chown(owner.uid, owner.gid);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw err;
  }
  await handle.close();
}

/** `${path}.dockwarden-${stamp}`, or with -2, -3... when a backup of the same second exists. */
async function writeBackup(path: string, data: Buffer, mode: number, stamp: string): Promise<string> {
  for (let n = 1; ; n++) {
    const candidate = `${path}.dockwarden-${stamp}${n === 1 ? '' : `-${n}`}`;
    try {
      await writeNew(candidate, data, mode, null);
      return candidate;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

/** Writes text to path atomically: temp file in the same directory, fsync, rename. If path exists and differs, it is first copied to `${path}.dockwarden-${stamp}` (stamp = backupStamp(now)), and the new file keeps the old mode and owner (new file: 0644). Same text: nothing written, changed false. The directory is created (0755) when missing. A failure at any point leaves the old file untouched and no temp file behind. */
export async function writeFileAtomically(path: string, text: string, opts: { now: Date; hooks?: { beforeRename?: () => Promise<void> } }): Promise<AtomicWriteResult> {
  // A symlinked config (/etc/docker/daemon.json -> /srv/conf/daemon.json) is written where
  // it points; renaming over the link would silently replace it with a plain file.
  const target = await realpath(path).catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return path;
    throw err;
  });
  const dir = posix.dirname(target);
  await mkdir(dir, { recursive: true, mode: 0o755 });

  const old = await readFile(target).catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return null;
    throw err;
  });
  const data = Buffer.from(text, 'utf8');
  if (old !== null && old.equals(data)) return { path: target, backupPath: null, changed: false };

  const st = old === null ? null : await lstat(target);
  const mode = st ? st.mode & 0o7777 : 0o644;
  const backupPath = old === null ? null : await writeBackup(target, old, mode, backupStamp(opts.now));

  const temp = posix.join(dir, `.${posix.basename(target)}.dockwarden-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeNew(temp, data, mode, st ? { uid: st.uid, gid: st.gid } : null);
    await opts.hooks?.beforeRename?.();
    await rename(temp, target);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dir);
  return { path: target, backupPath, changed: true };
}
