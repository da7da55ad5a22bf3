// apt and dpkg write wall-clock time without a zone ("2026-11-25  06:20:09"), systemctl
// writes it with a zone abbreviation ("Wed 2026-11-25 06:20:01 UTC", "CET"), journalctl
// with a numeric offset. Everything here turns those into unix ms given the host's offset
// from UTC in minutes (east positive: +60 for CET, -300 for EST), and back for sentences.
// One fixed offset is an approximation across a DST change; a restart window is minutes long.

const MINUTE_MS = 60_000;

/** `YYYY-MM-DD HH:MM:SS` (any run of spaces or a `T` between) in the host's local time, as unix ms; null when it is not one. */
export function parseLocalTime(text: string, tzOffsetMinutes: number): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:\s+|T)(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) return null;
  const n = (i: number): number => Number(m[i]);
  const fraction = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(n(1), n(2) - 1, n(3), n(4), n(5), n(6)) + fraction - tzOffsetMinutes * MINUTE_MS;
}

/** A numeric zone (`+0100`, `+01:00`, `-05`, `Z`, `UTC`, `GMT`) in minutes; null for names like `CET` that do not say. */
export function zoneOffsetMinutes(zone: string): number | null {
  if (/^(?:Z|UTC|GMT)$/i.test(zone)) return 0;
  const m = /^([+-])(\d\d):?(\d\d)?$/.exec(zone);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function localParts(ms: number, tzOffsetMinutes: number): { date: string; hm: string; hms: string } {
  const d = new Date(ms + tzOffsetMinutes * MINUTE_MS);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return { date, hm, hms: `${hm}:${pad(d.getUTCSeconds())}` };
}

/**
 * Host-local clock time for a sentence: `06:20:14` on the same local day as `refMs`,
 * `2026-11-26 06:20:14` on another; `seconds: false` drops the seconds.
 */
export function formatLocalTime(ms: number, tzOffsetMinutes: number, refMs: number, seconds = true): string {
  const t = localParts(ms, tzOffsetMinutes);
  const time = seconds ? t.hms : t.hm;
  return t.date === localParts(refMs, tzOffsetMinutes).date ? time : `${t.date} ${time}`;
}
