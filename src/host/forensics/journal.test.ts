import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIsoStamp, parseJournal, unitChanges, unitEvent, type JournalEntry, type UnitChange } from './journal.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/forensics/${name}`, import.meta.url)), 'utf8');
/** A change as `HH:MM:SS kind unit` in UTC, plus the fields that matter for it. */
const brief = (c: UnitChange): string => {
  const t = (ms: number): string => new Date(ms).toISOString().slice(11, 19);
  const extra = [c.upAt !== null ? `up ${t(c.upAt)}` : '', c.automatic ? 'automatic' : '', c.result ?? '', c.beforeBoot ? 'before boot' : ''].filter(Boolean);
  return [t(c.at), c.kind, c.unit ?? '', ...extra].filter(Boolean).join(' ');
};
const entry = (message: string, ident = 'systemd'): JournalEntry => ({ at: 0, host: 'h', ident, pid: 1, message });

describe('parseIsoStamp', () => {
  it('reads both offset styles, fractions and negative offsets', () => {
    const at = Date.UTC(2026, 10, 25, 6, 20, 14);
    expect(parseIsoStamp('2026-11-25T06:20:14+0000')).toBe(at);
    expect(parseIsoStamp('2026-11-25T06:20:14+00:00')).toBe(at);
    expect(parseIsoStamp('2026-11-25T07:20:14+01:00')).toBe(at);
    expect(parseIsoStamp('2026-11-25T01:20:14-0500')).toBe(at);
    expect(parseIsoStamp('2026-11-25T06:20:14.123456+0000')).toBe(at + 123);
    expect(parseIsoStamp('Nov 25 06:20:14')).toBeNull();
  });
});

describe('parseJournal', () => {
  it('reads every line of the Ubuntu restart as an entry', () => {
    const lines = parseJournal(fixture('ubuntu-22.04/journalctl.txt'));
    expect(lines).toHaveLength(23);
    expect(lines[0]).toEqual({ kind: 'entry', at: Date.UTC(2026, 10, 25, 6, 20, 15), host: 'web-03', ident: 'systemd', pid: 1, message: 'Stopping containerd container runtime...' });
  });

  it('reads a boot change and joins an indented continuation line to its message', () => {
    const lines = parseJournal(fixture('debian-12/journalctl.txt'));
    expect(lines.filter((l) => l.kind === 'boot')).toEqual([{ kind: 'boot', bootId: '9b8a7c6d5e4f40318293a4b5c6d7e8f9' }]);
    const failed = lines.find((l) => l.kind === 'entry' && l.message.startsWith('failed to start daemon'));
    expect(failed).toMatchObject({ ident: 'dockerd', pid: 702, at: Date.UTC(2026, 2, 12, 13, 6, 1) });
    expect(failed?.kind === 'entry' && failed.message.endsWith('Invalid argument\n(exit status 4)')).toBe(true);
  });

  it('skips headers and "-- No entries --", knows "-- Reboot --", and reads CRLF and +00:00 output', () => {
    expect(parseJournal('-- No entries --\n')).toEqual([]);
    const text = [
      '-- Journal begins at Mon 2026-10-26 09:14:51 UTC, ends at Wed 2026-11-25 06:35:02 UTC. --',
      '2026-11-25T06:20:22+00:00 web-03 systemd[1]: Stopping Docker Application Container Engine...',
      '-- Reboot --',
      '2026-11-25T06:21:40+00:00 web-03 systemd[1]: Started Docker Application Container Engine.',
      '',
    ].join('\r\n');
    expect(parseJournal(text).map((l) => l.kind)).toEqual(['entry', 'boot', 'entry']);
    expect(parseJournal(text)[1]).toEqual({ kind: 'boot', bootId: null });
  });
});

describe('unitEvent', () => {
  it("reads PID 1's wording before and after systemd 252, and the older 'Succeeded.'", () => {
    expect(unitEvent(entry('Stopping Docker Application Container Engine...'))).toMatchObject({ unit: 'docker.service', kind: 'stopping' });
    expect(unitEvent(entry('Started docker.service - Docker Application Container Engine.'))).toMatchObject({ unit: 'docker.service', kind: 'started' });
    expect(unitEvent(entry('docker.service: Succeeded.'))).toMatchObject({ unit: 'docker.service', kind: 'stopped' });
    expect(unitEvent(entry("docker.service: Failed with result 'start-limit-hit'."))).toMatchObject({ kind: 'failed', detail: 'start-limit-hit' });
    expect(unitEvent(entry('Started Some Other Thing.'))).toMatchObject({ unit: 'Some Other Thing' });
  });
  it("ignores accounting lines and the daemons' own lines", () => {
    expect(unitEvent(entry('docker.service: Consumed 4min 12.335s CPU time.'))).toBeNull();
    expect(unitEvent(entry('time="2026-11-25T06:20:24Z" level=info msg="Started Docker"', 'dockerd'))).toBeNull();
  });
});

describe('unitChanges', () => {
  it('turns the Ubuntu journal into a containerd restart and a docker restart', () => {
    expect(unitChanges(parseJournal(fixture('ubuntu-22.04/journalctl.txt'))).map(brief)).toEqual(['06:20:15 restart containerd.service up 06:20:15', '06:20:22 restart docker.service up 06:20:24']);
  });

  it('follows restarts, a shutdown, a boot, a failed start with its last words, and the automatic restart', () => {
    const changes = unitChanges(parseJournal(fixture('debian-12/journalctl.txt')));
    expect(changes.map(brief)).toEqual([
      '13:02:31 restart containerd.service up 13:02:31',
      '13:02:33 restart docker.service up 13:02:35',
      '13:05:10 stop docker.service before boot',
      '13:05:12 stop containerd.service before boot',
      '13:05:58 boot',
      '13:05:58 start containerd.service',
      '13:06:01 failed docker.service exit-code',
      '13:06:03 restart docker.service up 13:06:05 automatic',
    ]);
    expect(changes[6]?.lastWords).toMatch(/^failed to start daemon: Error initializing network controller: .* Invalid argument \(exit status 4\)$/);
  });

  it('keeps a stop without a start, counts a crash as a failure, and takes the msg of logfmt lines', () => {
    const text = [
      '2026-11-25T06:20:22+0000 h dockerd[902]: time="2026-11-25T06:20:22.1Z" level=error msg="failed to start containerd" error="timeout waiting for containerd to start"',
      '2026-11-25T06:20:22+0000 h systemd[1]: docker.service: Main process exited, code=killed, status=9/KILL',
      "2026-11-25T06:20:22+0000 h systemd[1]: docker.service: Failed with result 'signal'.",
      '2026-11-25T06:30:00+0000 h systemd[1]: Stopping containerd container runtime...',
      '2026-11-25T06:30:01+0000 h systemd[1]: containerd.service: Deactivated successfully.',
    ].join('\n');
    const changes = unitChanges(parseJournal(text));
    expect(changes.map(brief)).toEqual(['06:20:22 failed docker.service signal', '06:30:00 stop containerd.service']);
    expect(changes[0]?.lastWords).toBe('failed to start containerd: timeout waiting for containerd to start');
  });
});
