import { isEnginePackage } from './engine-packages.js';
import { parseLocalTime } from './local-time.js';

// /var/log/dpkg.log: one line per step, wall-clock time without a zone (dpkg(1), "FILES"):
//   2026-11-25 06:20:14 startup archives unpack
//   2026-11-25 06:20:14 upgrade containerd.io:amd64 1.6.19-1 1.6.20-1
//   2026-11-25 06:20:14 status half-configured containerd.io:amd64 1.6.19-1
//   2026-11-25 06:20:15 configure containerd.io:amd64 1.6.20-1 <none>
//   2026-11-25 06:20:15 status installed containerd.io:amd64 1.6.20-1
//   2026-11-25 06:20:15 trigproc man-db:amd64 2.10.2-1 <none>
//   2026-11-25 06:20:15 conffile /etc/containerd/config.toml keep
// Action lines are `<action> <pkg> <installed-version> <available-version>`, `<none>` for a
// missing one. `upgrade`/`install` is the unpack of the new version; `configure` runs the
// maintainer script that restarts the service, so it is the moment docker goes down.
// dpkg writes every package it touches, `dpkg -i` included, which apt's history does not.

export type DpkgAction = 'install' | 'upgrade' | 'remove' | 'purge' | 'configure' | 'trigproc';

export interface DpkgEntry {
  /** unix ms. */
  at: number;
  action: DpkgAction;
  /** Package name without the architecture. */
  package: string;
  arch: string | null;
  /** The installed version before this step; null for `<none>`. */
  from: string | null;
  /** The version this step leads to; null for `<none>` (removals, and configure/trigproc, which name it in `from`). */
  to: string | null;
}

const ACTIONS = new Set<string>(['install', 'upgrade', 'remove', 'purge', 'configure', 'trigproc']);

function version(v: string | undefined): string | null {
  return v === undefined || v === '<none>' ? null : v;
}

/**
 * The action lines of a dpkg log about packages that `keep` accepts (by default the ones
 * that restart docker or containerd or change the kernel), in file order. `status`,
 * `startup` and `conffile` lines, and lines that do not parse (a torn last line), are
 * skipped. `tzOffsetMinutes`: the host's offset from UTC in minutes, east positive.
 */
export function parseDpkgLog(text: string, tzOffsetMinutes: number, keep: (name: string) => boolean = isEnginePackage): DpkgEntry[] {
  const entries: DpkgEntry[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+) (\S+) (\S+) (\S+)\s*$/.exec(line);
    if (!m || !ACTIONS.has(m[2] as string)) continue;
    const at = parseLocalTime(m[1] as string, tzOffsetMinutes);
    const [name, arch] = (m[3] as string).split(':') as [string, string | undefined];
    if (at === null || !keep(name)) continue;
    entries.push({ at, action: m[2] as DpkgAction, package: name, arch: arch ?? null, from: version(m[4]), to: version(m[5]) });
  }
  return entries;
}
