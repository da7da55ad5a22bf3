import { errorCode, type ExecResult, type HostProbe } from '../host-probe.js';
import { parseAptHistory, type AptHistoryBlock } from './apt-history.js';
import { parseDpkgLog, type DpkgEntry } from './dpkg-log.js';
import { parseJournal, unitChanges, type UnitChange } from './journal.js';
import { formatLocalTime, parseLocalTime } from './local-time.js';
import { restartEvidence } from './restart-evidence.js';
import { parseTimerShow, TIMER_SHOW_ARGS, type TimerState } from './timers.js';

// Restart forensics: when the engine restarted (or its data root moved under it), what on
// the host did it. Reads apt's and dpkg's logs through the probe, asks journalctl about
// docker.service and containerd.service and systemctl about the apt timers, and turns what
// falls in a window around the restart into sentences (restart-evidence.ts). Everything
// that could not be looked at is a gap, never an error.

export interface RestartForensicsOptions {
  /** When the engine restarted (unix ms). */
  at: number;
  /** How far before and after `at` to look; default 15 minutes. */
  windowMs?: number;
  /**
   * The host's offset from UTC in minutes, east positive (+60 for CET, -300 for EST), for
   * apt and dpkg, which log wall-clock time without a zone, and for the sentences' times.
   * Without it those logs are read as UTC and a gap says so.
   */
  tzOffsetMinutes?: number;
  /** daemon.json's live-restore as the engine runs it; null when unknown. */
  liveRestore: boolean | null;
}

export interface RestartForensics {
  evidence: string[];
  gaps: string[];
}

export const DEFAULT_WINDOW_MS = 15 * 60_000;

const LOGS = [
  { dir: '/var/log/apt', base: 'history.log', what: 'apt history' },
  { dir: '/var/log', base: 'dpkg.log', what: 'dpkg log' },
] as const;

/** The first wall-clock stamp of an apt or dpkg log: how far back it reaches. */
function firstStamp(text: string, tz: number): number | null {
  const m = /^(?:Start-Date: )?(\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d)/m.exec(text);
  return m ? parseLocalTime(m[1] as string, tz) : null;
}

function lastLine(result: ExecResult): string {
  return (result.stderr.trim().split('\n').at(-1) ?? '').trim() || `exit ${result.code}`;
}

async function run(probe: HostProbe, cmd: string, args: string[], gaps: string[], loses: string): Promise<ExecResult | null> {
  let result: ExecResult | null;
  try {
    result = await probe.exec(cmd, args);
  } catch (err) {
    gaps.push(`${cmd} could not be run (${errorCode(err)}): ${loses}.`);
    return null;
  }
  if (result === null) gaps.push(`${cmd} is not available: ${loses}.`);
  else if (result.code !== 0) gaps.push(`${cmd} ${args[0] === 'show' ? 'show ' : ''}failed (${lastLine(result)}): ${loses}.`);
  return result?.code === 0 ? result : null;
}

export async function gatherRestartForensics(probe: HostProbe, opts: RestartForensicsOptions): Promise<RestartForensics> {
  const gaps: string[] = [];
  const looked: string[] = [];
  const tz = opts.tzOffsetMinutes ?? 0;
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const from = opts.at - windowMs;
  const clock = (ms: number): string => formatLocalTime(ms, tz, opts.at);

  // Rotated logs: .1 is the previous month in plain text, older ones are gzip, which the
  // probe (text only) cannot read; oldest first so entries stay in time order.
  const texts: Record<(typeof LOGS)[number]['base'], string[]> = { 'history.log': [], 'dpkg.log': [] };
  for (const log of LOGS) {
    let oldest: number | null = null;
    for (const path of [`${log.dir}/${log.base}.1`, `${log.dir}/${log.base}`]) {
      try {
        const text = await probe.readFile(path);
        if (text === null) continue;
        looked.push(path);
        texts[log.base].push(text);
        oldest ??= firstStamp(text, tz);
      } catch (err) {
        gaps.push(`${path} cannot be read (${errorCode(err)}): the ${log.what} in it is not in the evidence; run dockwarden as root.`);
      }
    }
    if (oldest !== null && oldest > from) {
      let names: string[];
      try {
        names = (await probe.readDir(log.dir)) ?? [];
      } catch (err) {
        gaps.push(`The ${log.what} reaches back only to ${clock(oldest)}, and ${log.dir} cannot be listed (${errorCode(err)}) to see whether older entries were rotated away.`);
        continue;
      }
      const gz = names.filter((n) => n.startsWith(`${log.base}.`) && n.endsWith('.gz'));
      if (gz.length > 0) gaps.push(`The ${log.what} reaches back only to ${clock(oldest)}; older entries are in ${log.dir}/${gz[0]} and other gzip files, which are not read.`);
    }
  }
  if (opts.tzOffsetMinutes === undefined && looked.length > 0) {
    gaps.push("The host's UTC offset was not given: apt and dpkg log times, which carry no zone, were read as UTC.");
  }
  const apt: AptHistoryBlock[] = texts['history.log'].flatMap((t) => parseAptHistory(t, tz));
  const dpkg: DpkgEntry[] = texts['dpkg.log'].flatMap((t) => parseDpkgLog(t, tz));

  let timers: TimerState[] = [];
  const shown = await run(probe, 'systemctl', TIMER_SHOW_ARGS, gaps, 'when the apt timers last ran is unknown');
  if (shown) {
    looked.push('systemctl show apt-daily-upgrade.timer apt-daily.timer');
    timers = parseTimerShow(shown.stdout, tz);
  }

  let units: UnitChange[] = [];
  const since = Math.floor(from / 1000);
  const until = Math.ceil((opts.at + windowMs) / 1000);
  const journalArgs = ['-u', 'docker', '-u', 'containerd', '-o', 'short-iso', '--no-pager', '--since', `@${since}`, '--until', `@${until}`];
  const journal = await run(probe, 'journalctl', journalArgs, gaps, 'docker and containerd stops and starts are not in the evidence');
  if (journal) {
    looked.push('the journal of docker.service and containerd.service');
    units = unitChanges(parseJournal(journal.stdout));
    // Without group adm or systemd-journal journalctl shows only the caller's own entries and says so on stderr.
    if (/not seeing messages from other users|insufficient permissions/i.test(journal.stderr)) {
      gaps.push('journalctl cannot read the system journal as this user: docker and containerd stops and starts may be missing; run dockwarden as root or in group adm or systemd-journal.');
    }
  }

  const evidence = restartEvidence({ at: opts.at, windowMs, tzOffsetMinutes: tz, apt, dpkg, units, timers, liveRestore: opts.liveRestore });
  if (evidence.length === 0) {
    const where = looked.length > 0 ? `in ${looked.join(', ')}` : 'anywhere: there is no apt or dpkg log and neither journalctl nor systemctl answered';
    gaps.push(`Nothing explains the restart at ${clock(opts.at)}: no package change, unit restart or apt timer run between ${clock(from)} and ${clock(opts.at + windowMs)} was found ${where}.`);
  } else if (opts.liveRestore === null) {
    gaps.push('Whether live-restore is on is unknown: whether containers survived the restart cannot be told.');
  }
  return { evidence, gaps };
}
