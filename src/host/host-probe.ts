import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, lstat, readdir, readFile, readlink, realpath, stat, statfs } from 'node:fs/promises';
import { posix } from 'node:path';
import { resolveInRoot, type PathEntry } from './resolve-in-root.js';

// The one door through which host/ touches the machine. Paths are logical (as the host
// sees them: /etc/docker/daemon.json); the probe maps them under `rootPrefix`, so tests
// point it at test/fixtures/host/<scenario>/ and fakes replace the commands.

/** Usage of one filesystem, as statfs(2) reports it. */
export interface FsUsage {
  sizeBytes: number;
  usedBytes: number;
  availBytes: number;
  inodesTotal: number;
  inodesFree: number;
}

export interface ExecResult {
  /** Exit status; -1 when the command was killed (timeout) or died by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface HostProbe {
  /** Where the host's `/` is seen from here: '/' in production. */
  readonly rootPrefix: string;
  /** The file's text; null when it does not exist. Other errors (EACCES) throw. */
  readFile(path: string): Promise<string | null>;
  /** Entry names, sorted; null when the directory does not exist. */
  readDir(path: string): Promise<string[] | null>;
  /** The target of `path` when it is itself a symlink; null when absent or not a symlink. */
  readLink(path: string): Promise<string | null>;
  /** `path` with every symlink resolved inside the prefix; null when it does not exist. */
  realPath(path: string): Promise<string | null>;
  statfs(path: string): Promise<FsUsage>;
  /** Size in bytes of a regular file; null when absent. */
  fileSize(path: string): Promise<number | null>;
  /** Modification time (unix ms); null when absent. */
  modifiedAt(path: string): Promise<number | null>;
  /** Runs a host command; null when it is not installed. */
  exec(cmd: string, args: string[]): Promise<ExecResult | null>;
}

/** The errno code of a failed fs call, e.g. 'EACCES'. */
export function errorCode(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

function isAbsent(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Runs a file operation; "not there" (or one of `alsoNull`) is null, anything else throws. */
async function nullIfAbsent<T>(run: () => Promise<T>, alsoNull: string[] = []): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    if (isAbsent(err) || alsoNull.includes(errorCode(err))) return null;
    throw err;
  }
}

/** statfs(2) numbers to bytes: `used` counts reserved blocks, `avail` is what non-root may use (df's view). */
export function usageFromStatfs(s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number }): FsUsage {
  return {
    sizeBytes: s.blocks * s.bsize,
    usedBytes: (s.blocks - s.bfree) * s.bsize,
    availBytes: s.bavail * s.bsize,
    inodesTotal: s.files,
    inodesFree: s.ffree,
  };
}

// lvs, vgs and xfs_info live in /sbin or /usr/sbin, which a non-root user's PATH often
// lacks (Debian): looking only at PATH would call an installed tool "not installed".
const COMMAND_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const EXEC_TIMEOUT_MS = 20_000;

async function locateCommand(cmd: string): Promise<string | null> {
  if (cmd.includes('/')) return cmd;
  for (const dir of COMMAND_DIRS) {
    const candidate = posix.join(dir, cmd);
    try {
      await access(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function runCommand(file: string, args: string[]): Promise<ExecResult | null> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: EXEC_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, stdout, stderr });
      if (err.code === 'ENOENT') return resolve(null);
      const code = typeof err.code === 'number' ? err.code : -1;
      const note = err.killed ? `killed after ${EXEC_TIMEOUT_MS / 1000}s` : '';
      resolve({ code, stdout, stderr: [stderr, note].filter(Boolean).join('\n') });
    });
  });
}

/** The real probe. Commands always run on this machine, whatever the prefix. */
export function localHostProbe(rootPrefix = '/'): HostProbe {
  const prefix = posix.resolve(rootPrefix);
  const physical = (logical: string): string => (prefix === '/' ? logical : posix.join(prefix, logical));

  const inspect = async (logical: string): Promise<PathEntry> => {
    try {
      const st = await lstat(physical(logical));
      return st.isSymbolicLink() ? { kind: 'link', target: await readlink(physical(logical)) } : { kind: 'other' };
    } catch (err) {
      if (isAbsent(err)) return { kind: 'missing' };
      throw err;
    }
  };
  // Without a prefix the kernel resolves symlinks exactly as the host does, and the walk
  // below (an lstat per path component) is pure overhead on every file doctor reads.
  const direct = prefix === '/';
  /** The physical path of an existing logical path, or null. */
  const locate = async (logical: string): Promise<string | null> => {
    if (direct) return posix.resolve('/', logical);
    const r = await resolveInRoot(logical, inspect);
    return r.missing.length > 0 ? null : physical(r.path);
  };
  /** Like `locate` but keeps the last component unresolved (for readLink). */
  const locateParent = async (logical: string): Promise<string | null> => {
    const abs = posix.resolve('/', logical);
    if (abs === '/' || direct) return physical(abs);
    const dir = await locate(posix.dirname(abs));
    return dir === null ? null : posix.join(dir, posix.basename(abs));
  };
  const resolveReal = async (logical: string): Promise<string | null> => {
    if (direct) return nullIfAbsent(() => realpath(posix.resolve('/', logical)));
    const r = await resolveInRoot(logical, inspect);
    return r.missing.length > 0 ? null : r.path;
  };

  return {
    rootPrefix: prefix,
    async readFile(path) {
      const p = await locate(path);
      return p === null ? null : nullIfAbsent(() => readFile(p, 'utf8'));
    },
    async readDir(path) {
      const p = await locate(path);
      return p === null ? null : nullIfAbsent(async () => (await readdir(p)).sort());
    },
    async readLink(path) {
      const p = await locateParent(path);
      // EINVAL: the path exists but is not a symlink.
      return p === null ? null : nullIfAbsent(() => readlink(p), ['EINVAL']);
    },
    realPath: resolveReal,
    async statfs(path) {
      const p = (await locate(path)) ?? physical(path);
      return usageFromStatfs(await statfs(p));
    },
    async fileSize(path) {
      const p = await locate(path);
      if (p === null) return null;
      const st = await nullIfAbsent(() => stat(p));
      return st?.isFile() ? st.size : null;
    },
    async modifiedAt(path) {
      const p = await locate(path);
      if (p === null) return null;
      const st = await nullIfAbsent(() => stat(p));
      return st ? st.mtimeMs : null;
    },
    async exec(cmd, args) {
      const file = await locateCommand(cmd);
      return file === null ? null : runCommand(file, args);
    },
  };
}
