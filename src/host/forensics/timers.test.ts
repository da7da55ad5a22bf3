import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseShowTimestamp, parseTimerShow, TIMER_SHOW_ARGS } from './timers.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/forensics/${name}`, import.meta.url)), 'utf8');

describe('parseTimerShow', () => {
  it('reads both apt timers from systemctl show', () => {
    expect(parseTimerShow(fixture('ubuntu-22.04/systemctl-show-timers.txt'), 0)).toEqual([
      { unit: 'apt-daily-upgrade.timer', loaded: true, lastTrigger: Date.UTC(2026, 10, 25, 6, 20, 1), nextElapse: Date.UTC(2026, 10, 26, 6, 18, 42) },
      { unit: 'apt-daily.timer', loaded: true, lastTrigger: Date.UTC(2026, 10, 24, 21, 39, 50), nextElapse: Date.UTC(2026, 10, 25, 14, 2, 17) },
    ]);
    expect(TIMER_SHOW_ARGS.slice(0, 3)).toEqual(['show', 'apt-daily-upgrade.timer', 'apt-daily.timer']);
  });

  it('knows a timer that never ran, one that is not installed, and CRLF', () => {
    const text = 'NextElapseUSecRealtime=\r\nLastTriggerUSec=\r\nId=apt-daily-upgrade.timer\r\nLoadState=not-found\r\n\r\nLastTriggerUSec=n/a\r\nId=apt-daily.timer\r\nLoadState=loaded\r\n';
    expect(parseTimerShow(text, 0)).toEqual([
      { unit: 'apt-daily-upgrade.timer', loaded: false, lastTrigger: null, nextElapse: null },
      { unit: 'apt-daily.timer', loaded: true, lastTrigger: null, nextElapse: null },
    ]);
    expect(parseTimerShow('', 0)).toEqual([]);
    expect(parseTimerShow("System has not been booted with systemd as init system (PID 1). Can't operate.\n", 0)).toEqual([]);
  });
});

describe('parseShowTimestamp', () => {
  it('uses the offset given for zone names, and the zone itself when it is UTC or numeric', () => {
    const at = Date.UTC(2026, 10, 25, 5, 20, 1);
    expect(parseShowTimestamp('Wed 2026-11-25 06:20:01 CET', 60)).toBe(at);
    expect(parseShowTimestamp('Wed 2026-11-25 08:20:01 +03', 60)).toBe(at);
    expect(parseShowTimestamp('Wed 2026-11-25 05:20:01 UTC', 60)).toBe(at);
    expect(parseShowTimestamp('Wed 2026-11-25 05:20:01.123456 UTC', 0)).toBe(at + 123);
    expect(parseShowTimestamp('@1795584001', 60)).toBe(Date.UTC(2026, 10, 25, 5, 20, 1));
    expect(parseShowTimestamp('[not set]', 0)).toBeNull();
  });
});
