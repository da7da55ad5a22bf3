import { posix } from 'node:path';

// Resolving a path as the host would, when the host's files are seen under a prefix (a
// fixture tree in tests, `--host-root /host` in a container). An absolute symlink such as
// /var/lib/docker -> /data/docker must land on <prefix>/data/docker, not on this machine's
// /data/docker, so the kernel's own resolution cannot be used.

/** What one path component is, asked of the filesystem with lstat semantics. */
export type PathEntry = { kind: 'missing' } | { kind: 'link'; target: string } | { kind: 'other' };

/** Looks at one logical path whose parent directories are already free of symlinks. */
export type InspectPath = (logicalPath: string) => Promise<PathEntry>;

/** Linux gives up after 40 links (ELOOP); so do we, instead of looping on a cycle. */
const MAX_LINKS = 40;

export interface Resolved {
  /** The longest existing prefix of the path, with every symlink in it resolved. */
  path: string;
  /** Components after `path` that do not exist (empty when the whole path exists). */
  missing: string[];
}

function components(path: string): string[] {
  return path.split('/').filter((part) => part !== '' && part !== '.');
}

/**
 * Resolves `logicalPath` component by component. `..` never climbs above the root, which
 * is what keeps a relative link like ../../../etc inside the prefix, as chroot does.
 */
export async function resolveInRoot(logicalPath: string, inspect: InspectPath): Promise<Resolved> {
  let pending = components(posix.resolve('/', logicalPath));
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = `/${[...resolved, part].join('/')}`;
    const entry = await inspect(candidate);
    if (entry.kind === 'missing') return { path: `/${resolved.join('/')}`, missing: [part, ...pending] };
    if (entry.kind === 'link') {
      links += 1;
      if (links > MAX_LINKS) {
        throw Object.assign(new Error(`Too many levels of symbolic links resolving ${logicalPath}`), { code: 'ELOOP' });
      }
      if (entry.target.startsWith('/')) resolved.length = 0;
      pending = [...components(entry.target), ...pending];
      continue;
    }
    resolved.push(part);
  }
  return { path: `/${resolved.join('/')}`, missing: [] };
}
