import { parseLocalTime, zoneOffsetMinutes } from './local-time.js';

// When the apt timers last fired and fire next, from
//   systemctl show apt-daily-upgrade.timer apt-daily.timer -p Id -p LoadState -p LastTriggerUSec -p NextElapseUSecRealtime
// which prints one block of Key=Value lines per unit, blank lines between:
//   Id=apt-daily-upgrade.timer
//   LoadState=loaded
//   NextElapseUSecRealtime=Thu 2026-11-26 06:18:42 UTC
//   LastTriggerUSec=Wed 2026-11-25 06:20:01 UTC
// `show` rather than `list-timers`: systemctl(1) calls `show` the output for programs, it
// asks about exactly these units (missing ones say LoadState=not-found), and each value is
// on its own line. `list-timers` is a table for people whose columns changed between
// versions (ACTIVATES was added; LEFT/PASSED wording), whose cells contain spaces, and
// which lists only loaded timers. Both print times the same way: "Day YYYY-MM-DD HH:MM:SS
// ZONE" in the host's zone, `--timestamp=` does not change `show`'s plain properties, and a
// zone abbreviation such as CET or EST is ambiguous, so the caller's UTC offset is used
// unless the zone is UTC/GMT or numeric (+03). An unset time prints as empty (older
// versions: n/a). unattended-upgrades.service is no timer (Ubuntu's runs at shutdown);
// apt-daily-upgrade.timer is what starts unattended-upgrade in the morning.

export const APT_TIMERS = ['apt-daily-upgrade.timer', 'apt-daily.timer'];
export const TIMER_SHOW_ARGS = ['show', ...APT_TIMERS, '-p', 'Id', '-p', 'LoadState', '-p', 'LastTriggerUSec', '-p', 'NextElapseUSecRealtime'];

export interface TimerState {
  unit: string;
  /** False when systemd knows no such unit (LoadState=not-found, masked...). */
  loaded: boolean;
  /** When it last fired (unix ms); null when never, or not said. */
  lastTrigger: number | null;
  /** When it fires next (unix ms), random delay included; null when it is not scheduled. */
  nextElapse: number | null;
}

/** A `show` timestamp ("Wed 2026-11-25 06:20:01 UTC", "@1795587601"), as unix ms; null when unset or unreadable. */
export function parseShowTimestamp(value: string, tzOffsetMinutes: number): number | null {
  const v = value.trim();
  const unix = /^@(\d+)$/.exec(v);
  if (unix) return Number(unix[1]) * 1000;
  const m = /^(?:[A-Za-z]{2,3} )?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?)(?: (\S+))?$/.exec(v);
  if (!m) return null;
  const zone = m[2] === undefined ? null : zoneOffsetMinutes(m[2]);
  return parseLocalTime(m[1] as string, zone ?? tzOffsetMinutes);
}

/** The timers of `systemctl show` output, one per block that has an Id. `tzOffsetMinutes`: the host's offset from UTC, east positive. */
export function parseTimerShow(text: string, tzOffsetMinutes: number): TimerState[] {
  const timers: TimerState[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const props = new Map<string, string>();
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props.set(line.slice(0, eq).trim(), line.slice(eq + 1));
    }
    const unit = props.get('Id');
    if (!unit) continue;
    const time = (key: string): number | null => parseShowTimestamp(props.get(key) ?? '', tzOffsetMinutes);
    timers.push({
      unit,
      loaded: (props.get('LoadState') ?? 'loaded') === 'loaded',
      lastTrigger: time('LastTriggerUSec'),
      nextElapse: time('NextElapseUSecRealtime'),
    });
  }
  return timers;
}
