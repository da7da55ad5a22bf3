import { posix } from 'node:path';
import type { ExecResult, FsUsage, HostProbe } from '../host-probe.js';
import { resolveInRoot, type PathEntry } from '../resolve-in-root.js';

// An in-memory host for tests: files, symlinks, statfs answers per mount point, and
// commands as functions. A command that is not listed is "not installed".

export interface FakeHostOptions {
  /** Logical path -> contents. Parent directories exist implicitly. */
  files?: Record<string, string>;
  /** Logical path -> symlink target (absolute targets resolve inside the fake root). */
  links?: Record<string, string>;
  /** Directories that exist without files in them. */
  dirs?: string[];
  /** Logical path -> size, for log files whose contents do not matter. Overrides the text length. */
  sizes?: Record<string, number>;
  /** statfs answers by mount point; a path gets the entry of its longest matching key. */
  statfs?: Record<string, FsUsage>;
  /** Command name -> what it prints; absent commands are not installed. */
  commands?: Record<string, (args: string[]) => ExecResult>;
  /** Logical path -> modification time (unix ms); such paths exist as files. */
  mtimes?: Record<string, number>;
  /** Paths whose reads fail with this errno code, e.g. { '/var/lib/docker/containers': 'EACCES' }. */
  denied?: Record<string, string>;
}

export function usage(sizeBytes: number, usedBytes: number, inodesTotal = 1_000_000, inodesFree = 900_000): FsUsage {
  return { sizeBytes, usedBytes, availBytes: sizeBytes - usedBytes, inodesTotal, inodesFree };
}

export function fakeHostProbe(opts: FakeHostOptions): HostProbe & { calls: string[] } {
  const files = new Map(Object.entries(opts.files ?? {}));
  const sizes = new Map(Object.entries(opts.sizes ?? {}));
  const links = new Map(Object.entries(opts.links ?? {}));
  const dirs = new Set<string>(['/']);
  const mtimes = new Map(Object.entries(opts.mtimes ?? {}));
  for (const p of [...files.keys(), ...sizes.keys(), ...links.keys(), ...mtimes.keys(), ...(opts.dirs ?? [])]) {
    for (let d = posix.dirname(p); d !== '/'; d = posix.dirname(d)) dirs.add(d);
  }
  for (const d of opts.dirs ?? []) dirs.add(d);
  const calls: string[] = [];

  const deny = (path: string): void => {
    const code = opts.denied?.[path];
    if (code) throw Object.assign(new Error(`${code}: ${path}`), { code });
  };
  const inspect = async (p: string): Promise<PathEntry> => {
    const target = links.get(p);
    if (target !== undefined) return { kind: 'link', target };
    return files.has(p) || sizes.has(p) || mtimes.has(p) || dirs.has(p) ? { kind: 'other' } : { kind: 'missing' };
  };
  const real = async (p: string): Promise<string | null> => {
    const r = await resolveInRoot(p, inspect);
    return r.missing.length > 0 ? null : r.path;
  };

  return {
    rootPrefix: '/',
    calls,
    async readFile(path) {
      const p = await real(path);
      if (p === null) return null;
      deny(p);
      return files.get(p) ?? (sizes.has(p) ? '' : null);
    },
    async readDir(path) {
      const p = await real(path);
      if (p === null || !dirs.has(p)) return null;
      deny(p);
      const prefix = p === '/' ? '/' : `${p}/`;
      const names = new Set<string>();
      for (const q of [...files.keys(), ...sizes.keys(), ...links.keys(), ...dirs]) {
        if (q.startsWith(prefix) && q !== p) names.add(q.slice(prefix.length).split('/')[0] as string);
      }
      return [...names].sort();
    },
    async readLink(path) {
      const dir = await real(posix.dirname(path));
      return dir === null ? null : (links.get(posix.join(dir, posix.basename(path))) ?? null);
    },
    realPath: real,
    async statfs(path) {
      const keys = Object.keys(opts.statfs ?? {}).filter((k) => k === '/' || path === k || path.startsWith(`${k}/`));
      const best = keys.sort((a, b) => b.length - a.length)[0];
      if (best === undefined) throw Object.assign(new Error(`no statfs for ${path}`), { code: 'ENOSYS' });
      return opts.statfs?.[best] as FsUsage;
    },
    async fileSize(path) {
      const p = await real(path);
      if (p === null) return null;
      deny(p);
      return sizes.get(p) ?? files.get(p)?.length ?? null;
    },
    async modifiedAt(path) {
      const p = await real(path);
      if (p === null) return null;
      deny(p);
      return mtimes.get(p) ?? null;
    },
    async exec(cmd, args) {
      calls.push([cmd, ...args].join(' '));
      const fn = opts.commands?.[cmd];
      return fn ? fn(args) : null;
    },
  };
}
