import { parseLocalTime } from './local-time.js';

// /var/log/apt/history.log: one block per apt run, blank lines between blocks:
//   Start-Date: 2026-11-25  06:20:09
//   Commandline: /usr/bin/unattended-upgrade
//   Requested-By: ubuntu (1000)                    (only when run through sudo)
//   Install: docker-ce:amd64 (5:24.0.6-1~ubuntu.22.04~jammy), pigz:amd64 (2.6-1, automatic)
//   Upgrade: containerd.io:amd64 (1.6.19-1, 1.6.20-1)
//   Downgrade: / Reinstall: / Remove: runc:amd64 (1.1.7-1) / Purge: ...
//   Error: Sub-process /usr/bin/dpkg returned an error code (1)
//   End-Date: 2026-11-25  06:20:16
// Dates are the host's wall clock without a zone (hence tzOffsetMinutes). A block without
// End-Date is an apt run that was killed or is still running, or a log cut short by rotation.
// `dpkg -i` never appears here: only apt, apt-get, aptitude, unattended-upgrade and other
// python-apt/libapt front ends write this log. logrotate keeps history.log.1 plain and
// gzips older ones (history.log.2.gz ...), which the probe cannot read as text.

export type AptAction = 'install' | 'upgrade' | 'downgrade' | 'reinstall' | 'remove' | 'purge';

export interface AptPackageChange {
  action: AptAction;
  /** Package name without the architecture, e.g. `containerd.io`. */
  package: string;
  /** `amd64`, `all`...; null when the log does not say (apt before 1.0 wrote bare names). */
  arch: string | null;
  /** The version before the change; null for an install. */
  from: string | null;
  /** The version after the change; null for a removal or purge. */
  to: string | null;
  /** apt installed it as a dependency (`automatic`), not because it was asked for. */
  automatic: boolean;
}

export interface AptHistoryBlock {
  /** Start-Date as unix ms. */
  start: number;
  /** End-Date as unix ms; null when the block has none. */
  end: number | null;
  /** The apt command line as written, e.g. `apt-get install docker-ce`; null when absent. */
  commandline: string | null;
  /** The sudo user, e.g. `ubuntu (1000)`; null when apt ran as root directly (timers, root shells). */
  requestedBy: string | null;
  changes: AptPackageChange[];
  /** The `Error:` line, when apt reported one. */
  error: string | null;
}

const ACTIONS = new Map<string, AptAction>(['install', 'upgrade', 'downgrade', 'reinstall', 'remove', 'purge'].map((a) => [a, a as AptAction]));

/** `name:arch (v1, v2, automatic), ...` of one action line; an item cut off mid-way is dropped. */
export function parseAptPackageList(action: AptAction, list: string): AptPackageChange[] {
  const changes: AptPackageChange[] = [];
  // Debian package names and versions contain neither spaces, commas nor parentheses.
  for (const m of list.matchAll(/([^\s,()]+) \(([^()]*)\)/g)) {
    const [name, arch] = (m[1] as string).split(':') as [string, string | undefined];
    const parts = (m[2] as string)
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const automatic = parts.includes('automatic');
    const versions = parts.filter((p) => p !== 'automatic');
    const twoVersions = action === 'upgrade' || action === 'downgrade';
    const from = twoVersions || action === 'remove' || action === 'purge' ? (versions[0] ?? null) : null;
    const to = twoVersions ? (versions[1] ?? null) : action === 'install' || action === 'reinstall' ? (versions[0] ?? null) : null;
    changes.push({ action, package: name, arch: arch ?? null, from, to, automatic });
  }
  return changes;
}

/**
 * The blocks of an apt history log in file order. `tzOffsetMinutes` is the host's offset
 * from UTC in minutes, east positive (+60 for CET): apt writes local time without a zone.
 * Lines before the first Start-Date (the top of a file cut by rotation) are skipped.
 */
export function parseAptHistory(text: string, tzOffsetMinutes: number): AptHistoryBlock[] {
  const blocks: AptHistoryBlock[] = [];
  let current: AptHistoryBlock | null = null;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(': ');
    if (colon < 0) continue;
    const key = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 2).trim();
    if (key === 'start-date') {
      const start = parseLocalTime(value, tzOffsetMinutes);
      current = start === null ? null : { start, end: null, commandline: null, requestedBy: null, changes: [], error: null };
      if (current) blocks.push(current);
      continue;
    }
    if (current === null) continue;
    if (key === 'end-date') {
      current.end = parseLocalTime(value, tzOffsetMinutes);
      current = null;
    } else if (key === 'commandline') current.commandline = value;
    else if (key === 'requested-by') current.requestedBy = value;
    else if (key === 'error') current.error = value;
    else {
      const action = ACTIONS.get(key);
      if (action) current.changes.push(...parseAptPackageList(action, value));
    }
  }
  return blocks;
}
