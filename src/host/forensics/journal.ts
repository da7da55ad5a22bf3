import { zoneOffsetMinutes } from './local-time.js';

// `journalctl -u docker -u containerd -o short-iso --no-pager --since @S --until @U`:
//   2026-11-25T06:20:22+0000 web-03 systemd[1]: Stopping Docker Application Container Engine...
//   2026-11-25T06:20:23+0000 web-03 systemd[1]: docker.service: Deactivated successfully.
//   -- Boot 9b8a7c6d5e4f40318293a4b5c6d7e8f9 --
//   2026-11-25T07:21:08+0100 web-03 systemd[1]: Started docker.service - Docker Application Container Engine.
// journalctl 252 writes the offset as +0000, newer ones as +00:00 (RFC 3339); short-iso-precise
// adds microseconds. Before systemd 252 PID 1 names a unit by its Description alone
// ("Started Docker Application Container Engine."), from 252 as "docker.service - <Description>".
// Older journalctl marks a boot change "-- Reboot --", newer "-- Boot <id> --"; headers like
// "-- Journal begins at ... --" and "-- No entries --" carry no events. Continuation lines
// of a multi-line message are indented.

export interface JournalEntry {
  /** unix ms. */
  at: number;
  host: string;
  /** SYSLOG_IDENTIFIER: `systemd`, `dockerd`, `containerd`... */
  ident: string;
  pid: number | null;
  message: string;
}

/** A line of journal output: an entry, or the start of another boot. */
export type JournalLine = ({ kind: 'entry' } & JournalEntry) | { kind: 'boot'; bootId: string | null };

export type UnitEventKind = 'stopping' | 'stopped' | 'starting' | 'started' | 'failed' | 'auto-restart';

export interface UnitEvent {
  at: number;
  /** e.g. `docker.service`; the Description itself when it is not a known one. */
  unit: string;
  kind: UnitEventKind;
  /** For `failed`: systemd's reason (`exit-code`, `signal`, `start-limit-hit`); for `auto-restart`: the restart counter. */
  detail: string | null;
}

/** Descriptions of the units dockwarden asks journalctl about, as their packages ship them. */
export const UNIT_DESCRIPTIONS: ReadonlyMap<string, string> = new Map([
  ['Docker Application Container Engine', 'docker.service'],
  ['containerd container runtime', 'containerd.service'],
]);

const TIME = String.raw`(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)`;
const ENTRY = new RegExp(String.raw`^${TIME} (\S+) ([^\s\[:]+)(?:\[(\d+)\])?: ?(.*)$`);

/** The time of a short-iso stamp (`2026-11-25T06:20:14+0000`, `...14.123456+00:00`) as unix ms; null when it is not one. */
export function parseIsoStamp(stamp: string): number | null {
  const m = new RegExp(`^${TIME}$`).exec(stamp);
  if (!m) return null;
  const n = (i: number): number => Number(m[i]);
  const fraction = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)) + fraction - (zoneOffsetMinutes(m[8] as string) ?? 0) * 60_000;
}

/** The entries and boot changes of journalctl short-iso output, in order. Unparsable lines are skipped. */
export function parseJournal(text: string): JournalLine[] {
  const lines: JournalLine[] = [];
  let last: JournalEntry | null = null;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const boot = /^-- (?:Boot ([0-9a-f]{32}) |Reboot )--$/.exec(raw.trim());
    if (boot) {
      lines.push({ kind: 'boot', bootId: boot[1] ?? null });
      last = null;
      continue;
    }
    const m = ENTRY.exec(raw);
    const at = m ? parseIsoStamp(raw.slice(0, raw.indexOf(' '))) : null;
    if (m && at !== null) {
      const entry = { kind: 'entry' as const, at, host: m[9] as string, ident: m[10] as string, pid: m[11] ? Number(m[11]) : null, message: m[12] as string };
      lines.push(entry);
      last = entry;
    } else if (last && /^\s+\S/.test(raw)) {
      last.message += `\n${raw.trim()}`;
    }
  }
  return lines;
}

/** Unit name from PID 1's wording: "docker.service - Docker ..." (systemd >= 252) or a known Description. */
function unitOf(subject: string): string {
  const combined = /^(\S+\.(?:service|socket|timer)) - /.exec(subject);
  return combined ? (combined[1] as string) : (UNIT_DESCRIPTIONS.get(subject) ?? subject);
}

/** What PID 1 says about a unit, as an event; null for anything else (the daemons' own lines, CPU accounting...). */
export function unitEvent(entry: JournalEntry): UnitEvent | null {
  if (entry.ident !== 'systemd') return null;
  const msg = entry.message.trim();
  const ev = (unit: string, kind: UnitEventKind, detail: string | null = null): UnitEvent => ({ at: entry.at, unit, kind, detail });
  let m: RegExpExecArray | null;
  if ((m = /^(Stopping|Starting) (.+)\.\.\.$/.exec(msg))) return ev(unitOf(m[2] as string), m[1] === 'Stopping' ? 'stopping' : 'starting');
  if ((m = /^(Stopped|Started) (.+)\.$/.exec(msg))) return ev(unitOf(m[2] as string), m[1] === 'Stopped' ? 'stopped' : 'started');
  if ((m = /^Failed to start (.+)\.$/.exec(msg))) return ev(unitOf(m[1] as string), 'failed');
  // "Succeeded." is systemd < 248's word for "Deactivated successfully.".
  if ((m = /^(\S+): (?:Deactivated successfully|Succeeded)\.$/.exec(msg))) return ev(m[1] as string, 'stopped');
  if ((m = /^(\S+): Failed with result '([^']+)'\.$/.exec(msg))) return ev(m[1] as string, 'failed', m[2] as string);
  if ((m = /^(\S+): Scheduled restart job, restart counter is at (\d+)\.$/.exec(msg))) return ev(m[1] as string, 'auto-restart', m[2] as string);
  return null;
}

export interface UnitChange {
  kind: 'restart' | 'stop' | 'start' | 'failed' | 'boot';
  /** The unit; null for a boot. */
  unit: string | null;
  /** When it began: the first stop message of a restart, the failure, a boot's first entry. */
  at: number;
  /** For a restart: when it was up again. */
  upAt: number | null;
  /** For a restart: systemd restarted it on its own (Restart=) after it died. */
  automatic: boolean;
  /** For a failure: systemd's result (`exit-code`, `signal`, `start-limit-hit`), when it said. */
  result: string | null;
  /** For a failure: the daemon's last line in the 30 s before it (dockerd's, containerd's). */
  lastWords: string | null;
  /** For a stop: the next thing in the journal is another boot (the host was shutting down). */
  beforeBoot: boolean;
}

/** The SYSLOG_IDENTIFIER of each unit's daemon, whose last words explain a failure. */
const DAEMON_UNITS = new Map([
  ['dockerd', 'docker.service'],
  ['containerd', 'containerd.service'],
]);

/** logfmt's msg="..." (plus error="...") when the daemon wrote logfmt, as dockerd and containerd do; else the line. */
function gist(message: string): string {
  const field = (name: string): string | null => {
    const m = new RegExp(`\\b${name}="((?:[^"\\\\]|\\\\.)*)"`).exec(message);
    return m ? (m[1] as string).replace(/\\"/g, '"') : null;
  };
  const msg = field('msg');
  const error = field('error');
  const text = msg === null ? message : error === null ? msg : `${msg}: ${error}`;
  return text.replace(/\s*\n\s*/g, ' ');
}

function change(kind: UnitChange['kind'], unit: string | null, at: number, extra: Partial<UnitChange> = {}): UnitChange {
  return { kind, unit, at, upAt: null, automatic: false, result: null, lastWords: null, beforeBoot: false, ...extra };
}

/**
 * Unit stops, starts, restarts (a stop then a start with no boot between) and failures, in
 * journal order, plus the boots that begin inside the output. A stop without a start
 * before the output ends, or before a boot, stays a stop.
 */
export function unitChanges(lines: JournalLine[]): UnitChange[] {
  const changes: UnitChange[] = [];
  const open = new Map<string, { stopAt: number | null; startingAt: number | null; automatic: boolean }>();
  const lastWords = new Map<string, { at: number; text: string }>();
  let bootPending = false;
  const closeStop = (unit: string, beforeBoot = false): void => {
    const stopAt = open.get(unit)?.stopAt;
    if (stopAt !== null && stopAt !== undefined) changes.push(change('stop', unit, stopAt, { beforeBoot }));
    open.delete(unit);
  };
  for (const line of lines) {
    if (line.kind === 'boot') {
      for (const unit of [...open.keys()]) closeStop(unit, true);
      bootPending = true;
      continue;
    }
    if (bootPending) changes.push(change('boot', null, line.at));
    bootPending = false;
    const daemonUnit = DAEMON_UNITS.get(line.ident);
    if (daemonUnit) lastWords.set(daemonUnit, { at: line.at, text: gist(line.message) });
    const ev = unitEvent(line);
    if (!ev) continue;
    const o = open.get(ev.unit) ?? { stopAt: null, startingAt: null, automatic: false };
    open.set(ev.unit, o);
    if (ev.kind === 'stopping' || ev.kind === 'stopped') o.stopAt ??= ev.at;
    else if (ev.kind === 'auto-restart') {
      o.automatic = true;
      o.stopAt ??= ev.at;
    } else if (ev.kind === 'starting') o.startingAt ??= ev.at;
    else if (ev.kind === 'started') {
      changes.push(o.stopAt !== null ? change('restart', ev.unit, o.stopAt, { upAt: ev.at, automatic: o.automatic }) : change('start', ev.unit, o.startingAt ?? ev.at));
      open.delete(ev.unit);
    } else {
      // "<unit>: Failed with result '...'." and "Failed to start <unit>." are one failure.
      const prev = [...changes].reverse().find((c) => c.unit === ev.unit);
      if (prev?.kind === 'failed' && ev.at - prev.at <= 5_000 && o.startingAt === null && o.stopAt === null) {
        prev.result ??= ev.detail;
        open.delete(ev.unit);
        continue;
      }
      closeStop(ev.unit);
      const words = lastWords.get(ev.unit);
      changes.push(change('failed', ev.unit, ev.at, { result: ev.detail, lastWords: words && ev.at - words.at <= 30_000 ? words.text : null }));
    }
  }
  for (const unit of [...open.keys()]) closeStop(unit);
  return changes;
}
