import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { makeGcPolicy, type GcPolicyInput } from './gc-policy.js';
import { DAY, MINUTE } from './testing/build-inventory.js';

/** The message of the UsageError that `input` must cause. */
function rejection(input: GcPolicyInput): string {
  try {
    makeGcPolicy(input);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`makeGcPolicy(${JSON.stringify(input)}) did not throw`);
}

describe('makeGcPolicy defaults', () => {
  it("uses kubelet's 85% / 80% and 2m min-age, with no max-age, keep list or budget", () => {
    expect(makeGcPolicy()).toEqual({ highPct: 85, lowPct: 80, minAgeMs: 2 * MINUTE, maxAgeMs: null, keep: [], budgetBytes: null });
  });

  it('keeps each --keep pattern as written beside its compiled regex', () => {
    const [keep] = makeGcPolicy({ keep: ['^registry\\.local/'] }).keep;
    expect(keep?.pattern).toBe('^registry\\.local/');
    expect(keep?.regex.test('registry.local/app:1')).toBe(true);
    expect(keep?.regex.test('app:1')).toBe(false);
  });

  it('accepts the boundaries: --low equal to --high, 0% and 100%', () => {
    expect(makeGcPolicy({ highPct: 100, lowPct: 100 })).toMatchObject({ highPct: 100, lowPct: 100 });
    expect(makeGcPolicy({ highPct: 0, lowPct: 0 })).toMatchObject({ highPct: 0, lowPct: 0 });
  });

  it('accepts a max-age longer than the min-age and a positive budget', () => {
    expect(makeGcPolicy({ maxAgeMs: 7 * DAY, budgetBytes: 20e9 })).toMatchObject({ maxAgeMs: 7 * DAY, budgetBytes: 20e9 });
  });
});

describe('makeGcPolicy validation', () => {
  it.each<[string, GcPolicyInput, string]>([
    ['a --high above 100', { highPct: 120 }, '--high 120 must be a percentage between 0 and 100.'],
    ['a negative --low', { lowPct: -1 }, '--low -1 must be a percentage between 0 and 100.'],
    ['a --high that is not a number', { highPct: Number.NaN }, '--high NaN must be a percentage between 0 and 100.'],
    ['a --low above --high', { highPct: 70, lowPct: 75 }, '--low 75 cannot be higher than --high 70: gc starts above --high and stops at --low.'],
    ['a --max-age equal to the default --min-age', { maxAgeMs: 2 * MINUTE }, '--max-age 2m must be longer than --min-age 2m.'],
    ['a --max-age shorter than --min-age', { minAgeMs: DAY, maxAgeMs: 60 * MINUTE }, '--max-age 60m must be longer than --min-age 24h.'],
    ['a zero --budget', { budgetBytes: 0 }, '--budget must be a size above zero, such as 20GB.'],
    ['a negative --budget', { budgetBytes: -5 }, '--budget must be a size above zero, such as 20GB.'],
  ])('rejects %s with a UsageError that explains the rule', (_what, input, message) => {
    expect(rejection(input)).toBe(message);
  });

  it('rejects an invalid --keep regex with a UsageError that names the regex', () => {
    expect(rejection({ keep: ['^ok$', 'app:(1'] })).toMatch(/^--keep "app:\(1" is not a valid regular expression \(.+\)\.$/);
  });
});
