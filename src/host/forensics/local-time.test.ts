import { describe, expect, it } from 'vitest';
import { formatLocalTime, parseLocalTime, zoneOffsetMinutes } from './local-time.js';

describe('local time', () => {
  it("reads apt's and dpkg's wall-clock stamps with the host's offset", () => {
    expect(parseLocalTime('2026-11-25  06:20:09', 0)).toBe(Date.UTC(2026, 10, 25, 6, 20, 9));
    expect(parseLocalTime('2026-11-25 06:20:09', 330)).toBe(Date.UTC(2026, 10, 25, 0, 50, 9));
    expect(parseLocalTime('2026-11-25T06:20:09.5', 0)).toBe(Date.UTC(2026, 10, 25, 6, 20, 9, 500));
    expect(parseLocalTime('25/11/2026 06:20', 0)).toBeNull();
  });
  it('reads numeric zones and UTC, and not zone names', () => {
    expect(['+0100', '+01:00', '-05', 'Z', 'UTC', 'GMT', 'CET'].map(zoneOffsetMinutes)).toEqual([60, 60, -300, 0, 0, 0, null]);
  });
  it("writes the host's clock, with the date when the day differs from the reference", () => {
    const ref = Date.UTC(2026, 10, 25, 6, 20);
    expect(formatLocalTime(Date.UTC(2026, 10, 25, 6, 20, 14), 0, ref)).toBe('06:20:14');
    expect(formatLocalTime(Date.UTC(2026, 10, 26, 6, 18, 42), 0, ref, false)).toBe('2026-11-26 06:18');
    expect(formatLocalTime(Date.UTC(2026, 10, 25, 23, 30), 60, ref)).toBe('2026-11-26 00:30:00');
  });
});
