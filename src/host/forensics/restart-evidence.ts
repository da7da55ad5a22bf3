import type { AptHistoryBlock, AptPackageChange } from './apt-history.js';
import type { DpkgEntry } from './dpkg-log.js';
import { isEnginePackage } from './engine-packages.js';
import type { UnitChange } from './journal.js';
import { formatLocalTime } from './local-time.js';
import type { TimerState } from './timers.js';

// The sentences of restart forensics, from logs already parsed: what changed on the host
// around the moment the engine restarted, who did it, and what it cost. Pure: the window
// and the clock come in as parameters.

export interface RestartEvidenceInput {
  /** The restart (unix ms). */
  at: number;
  /** Entries from `at - windowMs` to `at + windowMs` count. */
  windowMs: number;
  /** The host's offset from UTC in minutes, east positive; sentences use the host's clock. */
  tzOffsetMinutes: number;
  apt: AptHistoryBlock[];
  dpkg: DpkgEntry[];
  units: UnitChange[];
  timers: TimerState[];
  liveRestore: boolean | null;
}

interface Line {
  at: number;
  rank: number;
  text: string;
}

/** apt-daily-upgrade.service runs unattended-upgrade right after the timer fires; it may take this long. */
const TIMER_TO_APT_MS = 60 * 60_000;

function changeWords(action: AptPackageChange['action'], pkg: string, from: string | null, to: string | null): string {
  const words = (...parts: Array<string | null>): string => parts.filter((p) => p !== null && p !== '').join(' ');
  if (action === 'reinstall' || (action === 'upgrade' && from === to)) return words(pkg, to, 'reinstalled');
  if (action === 'upgrade' || action === 'downgrade') return `${pkg} ${action}d ${from ?? '?'} -> ${to ?? '?'}`;
  if (action === 'install') return words(pkg, to, 'installed');
  return words(pkg, from, action === 'remove' ? 'removed' : 'purged');
}

function shorten(text: string, max = 100): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Whether apt-daily-upgrade.timer started this unattended-upgrade run: its last firing shortly before the run began. */
function startedByTimer(block: AptHistoryBlock, timers: TimerState[]): boolean {
  if (block.commandline === null || !/unattended-upgrade/.test(block.commandline)) return false;
  const last = timers.find((t) => t.unit === 'apt-daily-upgrade.timer')?.lastTrigger ?? null;
  return last !== null && block.start >= last && block.start - last <= TIMER_TO_APT_MS;
}

/** Who ran apt: unattended-upgrade (and whether the timer started it), or the command line and the sudo user. */
function actor(block: AptHistoryBlock, timers: TimerState[]): string {
  const parts: string[] = [];
  if (startedByTimer(block, timers)) parts.push('apt-daily-upgrade: unattended-upgrade');
  else if (block.commandline !== null && /unattended-upgrade/.test(block.commandline)) parts.push('unattended-upgrade');
  else if (block.commandline !== null) parts.push(shorten(block.commandline));
  if (block.requestedBy !== null) parts.push(`requested by ${block.requestedBy}`);
  if (block.error !== null) parts.push(`apt reported "${block.error}"`);
  if (block.end === null) parts.push('no End-Date: apt was interrupted or is still running');
  return parts.join(', ');
}

/** The apt run that made a dpkg step: the block whose time span holds it and which lists the package. */
function blockOf(entry: DpkgEntry, blocks: AptHistoryBlock[]): AptHistoryBlock | null {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const b = blocks[i] as AptHistoryBlock;
    const end = b.end ?? blocks[i + 1]?.start ?? Number.POSITIVE_INFINITY;
    // Both logs have whole seconds, apt's start stamp is taken before dpkg runs.
    if (entry.at >= b.start - 1000 && entry.at <= end + 1000 && b.changes.some((c) => c.package === entry.package)) return b;
  }
  return null;
}

function unitLine(c: UnitChange, clock: (ms: number) => string, windowEnd: number): string {
  const unit = c.unit ?? '';
  if (c.kind === 'boot') return `The host rebooted: a new boot starts in the journal at ${clock(c.at)}`;
  if (c.kind === 'start') return `${unit} started at ${clock(c.at)}`;
  if (c.kind === 'stop') {
    return `${unit} stopped at ${clock(c.at)}${c.beforeBoot ? ', before the reboot' : ` and was not started again up to ${clock(windowEnd)}`}`;
  }
  if (c.kind === 'failed') {
    const result = c.result === null ? '' : ` (${c.result})`;
    return `${unit} failed at ${clock(c.at)}${result}${c.lastWords === null ? '' : `, its last log line: "${shorten(c.lastWords, 300)}"`}`;
  }
  const up = c.upAt !== null && clock(c.upAt) !== clock(c.at) ? ` (back up at ${clock(c.upAt)})` : '';
  return c.automatic ? `${unit} was restarted by systemd after it died, at ${clock(c.at)}${up}` : `${unit} restarted at ${clock(c.at)}${up}`;
}

/** Evidence sentences ordered by time; live-restore last. Empty when nothing in the window. */
export function restartEvidence(input: RestartEvidenceInput): string[] {
  const { at, windowMs, tzOffsetMinutes: tz } = input;
  const from = at - windowMs;
  const to = at + windowMs;
  const inWindow = (ms: number): boolean => ms >= from && ms <= to;
  const clock = (ms: number): string => formatLocalTime(ms, tz, at);
  const lines: Line[] = [];

  const usedBlocks = new Set<AptHistoryBlock>();
  const explained = new Set<string>();
  for (const e of input.dpkg) {
    if (!['install', 'upgrade', 'remove', 'purge'].includes(e.action)) continue;
    const block = blockOf(e, input.apt);
    if (block) explained.add(`${input.apt.indexOf(block)}:${e.package}`);
    if (!inWindow(e.at)) continue;
    if (block) usedBlocks.add(block);
    const who = block ? actor(block, input.timers) : input.apt.length > 0 ? 'no apt run at that time: dpkg was run directly' : '';
    const words = changeWords(e.action as AptPackageChange['action'], e.package, e.from, e.to);
    lines.push({ at: e.at, rank: 1, text: `${words} by ${block ? 'apt' : 'dpkg'} at ${clock(e.at)}${who ? ` (${who})` : ''}` });
  }
  // apt runs whose dpkg lines are not at hand (dpkg.log rotated away or unreadable).
  input.apt.forEach((b, i) => {
    if (b.start > to || (b.end ?? b.start) < from) return;
    for (const c of b.changes) {
      if (!isEnginePackage(c.package) || explained.has(`${i}:${c.package}`)) continue;
      usedBlocks.add(b);
      lines.push({ at: b.start, rank: 1, text: `${changeWords(c.action, c.package, c.from, c.to)} by apt at ${clock(b.start)} (${actor(b, input.timers)})` });
    }
  });

  for (const t of input.timers) {
    if (t.lastTrigger === null) continue;
    // A timer that started an apt run of the window counts even when it fired before the window.
    const drove = [...usedBlocks].some((b) => startedByTimer(b, [t]));
    if (!inWindow(t.lastTrigger) && !drove) continue;
    const next = t.nextElapse === null ? '' : `, next ${formatLocalTime(t.nextElapse, tz, at, false)}`;
    lines.push({ at: t.lastTrigger, rank: 0, text: `${t.unit} last ran ${clock(t.lastTrigger)}${next}` });
  }

  for (const c of input.units) {
    if (inWindow(c.at)) lines.push({ at: c.at, rank: 2, text: unitLine(c, clock, to) });
  }

  lines.sort((a, b) => a.at - b.at || a.rank - b.rank);
  const evidence = lines.map((l) => l.text);
  if (evidence.length > 0 && input.liveRestore !== null) {
    evidence.push(input.liveRestore ? 'live-restore is on: running containers should have kept running through the daemon restart' : 'live-restore is off: containers were stopped with the daemon');
  }
  return evidence;
}
