import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

// The query of GET /api/usage: `since`, `until` (an ISO time, unix milliseconds, or a
// duration back from now such as 24h) and `points` (how many the chart wants). zod
// checks the shape and reports every problem at once; the times resolve against the
// request's `now` afterwards, so the schema is built once.

export const DEFAULT_SINCE_MS = 24 * 3_600_000;
export const DEFAULT_POINTS = 500;
export const MAX_POINTS = 5000;

/** A time as given: absolute, or `ms` before the request's now. */
type TimeRef = { at: number } | { ago: number };

// Unix seconds are ten digits today; read as milliseconds they would land in 1970 and the
// chart would be silently empty, so small numbers are refused with a hint.
const MIN_UNIX_MS = 100_000_000_000; // 1973-03-03

/** The largest time a Date holds (ECMA-262 §21.4.1.1). */
const MAX_DATE_MS = 8.64e15;

const TIME_FORMS = 'use an ISO time (2024-05-01T06:20:00Z), unix milliseconds or a duration back from now (30m, 24h, 7d)';

const timeRef = z
  .string()
  .optional()
  .transform((text, ctx): TimeRef | undefined => {
    if (text === undefined) return undefined;
    const t = text.trim();
    const fail = (why: string) => {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)} ${why}` });
      return z.NEVER;
    };
    if (t === 'now') return { ago: 0 };
    if (/^\d+$/.test(t)) {
      const at = Number(t);
      if (at < MIN_UNIX_MS) return fail('is too small for unix milliseconds (unix seconds? multiply by 1000)');
      return at > MAX_DATE_MS ? fail('is beyond any date JavaScript can represent') : { at };
    }
    if (/^\d+(\.\d+)?(ms|s|m|h|d|w)/.test(t)) {
      try {
        return { ago: parseDuration(t, '') };
      } catch {
        return fail(`is not a time: ${TIME_FORMS}`);
      }
    }
    // Date.parse alone accepts odd strings ("1", "May"): insist on an ISO date first.
    const at = /^\d{4}-\d{2}-\d{2}/.test(t) ? Date.parse(t) : NaN;
    return Number.isNaN(at) ? fail(`is not a time: ${TIME_FORMS}`) : { at };
  });

const querySchema = z.strictObject({
  since: timeRef,
  until: timeRef,
  points: z.coerce
    .number({ error: `must be a whole number from 1 to ${MAX_POINTS}` })
    .int({ error: `must be a whole number from 1 to ${MAX_POINTS}` })
    .min(1, { error: `must be a whole number from 1 to ${MAX_POINTS}` })
    .max(MAX_POINTS, { error: `must be at most ${MAX_POINTS}` })
    .default(DEFAULT_POINTS),
});

export interface UsageQuery {
  since: number;
  until: number;
  points: number;
}

export type UsageQueryResult = { ok: true; query: UsageQuery } | { ok: false; error: string };

const resolve = (ref: TimeRef, now: number): number => ('at' in ref ? ref.at : now - ref.ago);

/** The query string's parameters (last value of each) -> the window to serve, or a one-line error. */
export function parseUsageQuery(params: Record<string, string>, now: number): UsageQueryResult {
  const parsed = querySchema.safeParse(params);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown parameter ${i.keys.join(', ')} (known: since, until, points)`;
      return `${i.path.join('.')} ${i.message}`;
    });
    return { ok: false, error: `bad query: ${problems.join('; ')}.` };
  }
  const { since, until, points } = parsed.data;
  const query = {
    since: since === undefined ? now - DEFAULT_SINCE_MS : resolve(since, now),
    until: until === undefined ? now : resolve(until, now),
    points,
  };
  if (query.since >= query.until) {
    // A huge duration ("99999999w") lands before any representable date: print the number then.
    const iso = (ms: number) => (Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : String(ms));
    return { ok: false, error: `bad query: since (${iso(query.since)}) must be before until (${iso(query.until)}).` };
  }
  return { ok: true, query };
}
