import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['168h', 604_800_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text, '--min-age')).toBe(ms);
  });

  it.each(['', '2', 'm', '2x', '-1h', '1h 30m', '2m!'])('rejects %j with the flag in the message', (text) => {
    expect(() => parseDuration(text, '--max-age')).toThrow(/^--max-age .* is not a duration/);
  });
});

describe('formatDuration', () => {
  it.each([
    [45_000, '45s'],
    [12 * 60_000, '12m'],
    [3 * 3_600_000, '3h'],
    [5 * 86_400_000, '5d'],
    [800 * 86_400_000, '2y'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
