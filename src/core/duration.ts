import { UsageError } from './errors.js';

// Durations as operators type them for --min-age, --max-age and --containers-older-than:
// Go's style ("90s", "2m", "1h30m", "168h", as kubelet and `docker ... prune --filter until=`
// take them) plus days and weeks ("7d", "2w"), which Go lacks and cron-minded people expect.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

/** Milliseconds in "90s", "2m", "1h30m", "7d"; "0" is zero. Throws UsageError naming the flag. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  let total = 0;
  let at = 0;
  PART.lastIndex = 0;
  for (let m = PART.exec(t); m; m = PART.exec(t)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    at = PART.lastIndex;
  }
  if (t === '' || at !== t.length) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a duration: use a number with a unit, such as 90s, 2m, 1h30m, 24h or 7d.`);
  }
  return Math.round(total);
}

/** A compact, readable age: "45s", "12m", "3h", "5d", "2y". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h}h`;
  const d = Math.round(h / 24);
  if (d < 730) return `${d}d`;
  return `${Math.round(d / 365)}y`;
}
