import { posix } from 'node:path';

// The dockerd flags that decide where data lives and how it is stored and logged, read the
// way pflag reads them: `--flag value`, `--flag=value`, `-g value`, `-gvalue`, `-g=value`.
// `-g`/`--graph` are the pre-17.05 names of `--data-root` (removed in Engine 23, still on
// old fleets). Before 1.12 the daemon was `docker daemon ...` (and `docker -d` before 1.8).

export interface DockerdFlag {
  /** Canonical key, as in daemon.json terms: data-root, storage-driver, storage-opt, log-driver, log-opt, live-restore, config-file, containerd, exec-root. */
  key: string;
  value: string;
  /** The words as written, e.g. ['-g', '/data/docker']. */
  words: string[];
  /** Indexes (into the argv given) of the words that make up this flag. */
  indexes: number[];
}

const LONG_WITH_VALUE: Record<string, string> = {
  '--data-root': 'data-root',
  '--graph': 'data-root',
  '--storage-driver': 'storage-driver',
  '--storage-opt': 'storage-opt',
  '--log-driver': 'log-driver',
  '--log-opt': 'log-opt',
  '--config-file': 'config-file',
  // Where containerd's image store lives depends on which containerd dockerd talks to
  // (--containerd: a separate one) and, for its own, on the exec root holding its socket.
  '--containerd': 'containerd',
  '--exec-root': 'exec-root',
};
const SHORT_WITH_VALUE: Record<string, string> = { '-g': 'data-root', '-s': 'storage-driver' };
const GLUED_DRIVER = /^-s(overlay2?|devicemapper|aufs|btrfs|zfs|vfs|fuse-overlayfs)$/;
const LONG_BOOLEAN: Record<string, string> = { '--live-restore': 'live-restore' };

/** Where dockerd's own flags start in a command line: after `dockerd`, or after `docker daemon`. */
export function dockerdFlagsStart(argv: string[]): number {
  const exe = posix.basename(argv[0] ?? '');
  if (exe === 'docker' && argv[1] === 'daemon') return 2;
  return 1;
}

/** The flags dockwarden cares about in a dockerd command line (argv[0] is the program). */
export function parseDockerdFlags(argv: string[]): DockerdFlag[] {
  const flags: DockerdFlag[] = [];
  for (let i = dockerdFlagsStart(argv); i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') break;
    if (!word.startsWith('-')) continue;
    const eq = word.indexOf('=');
    const name = eq > 0 ? word.slice(0, eq) : word;
    const inline = eq > 0 ? word.slice(eq + 1) : undefined;

    const boolKey = LONG_BOOLEAN[name];
    if (boolKey) {
      flags.push({ key: boolKey, value: inline ?? 'true', words: [word], indexes: [i] });
      continue;
    }
    let key = LONG_WITH_VALUE[name] ?? SHORT_WITH_VALUE[name];
    let attached = inline;
    // pflag also takes a shorthand's value glued on: -g/data/docker, -soverlay2. Only
    // values that look the part count, so an old single-dash long flag such as
    // `-selinux-enabled` (accepted before 1.13) is not read as `-s elinux-enabled`.
    if (!key && (/^-g\//.test(word) || GLUED_DRIVER.test(word))) {
      key = SHORT_WITH_VALUE[word.slice(0, 2)];
      attached = word.slice(2);
    }
    if (!key) continue;
    if (attached !== undefined) {
      flags.push({ key, value: attached, words: [word], indexes: [i] });
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined) continue;
    flags.push({ key, value: next, words: [word, next], indexes: [i, i + 1] });
    i++;
  }
  return flags;
}
