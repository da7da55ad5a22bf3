import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ExecResult } from '../host-probe.js';
import { fakeHostProbe, type FakeHostOptions } from '../testing/fake-host-probe.js';
import { gatherRestartForensics } from './restart-forensics.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/forensics/${name}`, import.meta.url)), 'utf8');
const ok =
  (stdout: string, stderr = ''): (() => ExecResult) =>
  () => ({ code: 0, stdout, stderr });
const J = '~ubuntu.22.04~jammy';

/** The Ubuntu 22.04 host of the 06:20 story; docker came back at 06:20:25 UTC. */
function ubuntuHost(overrides: FakeHostOptions = {}): ReturnType<typeof fakeHostProbe> {
  return fakeHostProbe({
    files: {
      '/var/log/apt/history.log': fixture('ubuntu-22.04/history.log'),
      '/var/log/apt/history.log.1': fixture('ubuntu-22.04/history.log.1'),
      '/var/log/dpkg.log': fixture('ubuntu-22.04/dpkg.log'),
    },
    commands: {
      journalctl: ok(fixture('ubuntu-22.04/journalctl.txt')),
      systemctl: ok(fixture('ubuntu-22.04/systemctl-show-timers.txt')),
    },
    ...overrides,
  });
}
const UBUNTU_AT = Date.UTC(2026, 10, 25, 6, 20, 25);

describe('gatherRestartForensics', () => {
  it('tells the 06:20 story: the timer, unattended-upgrade upgrading containerd and docker, both restarts, live-restore', async () => {
    const probe = ubuntuHost();
    const result = await gatherRestartForensics(probe, { at: UBUNTU_AT, tzOffsetMinutes: 0, liveRestore: false });
    expect(result).toEqual({
      evidence: [
        'apt-daily-upgrade.timer last ran 06:20:01, next 2026-11-26 06:18',
        'containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by apt at 06:20:14 (apt-daily-upgrade: unattended-upgrade)',
        'containerd.service restarted at 06:20:15',
        `docker-ce-cli upgraded 5:24.0.5-1${J} -> 5:24.0.6-1${J} by apt at 06:20:18 (apt-daily-upgrade: unattended-upgrade)`,
        `docker-ce upgraded 5:24.0.5-1${J} -> 5:24.0.6-1${J} by apt at 06:20:20 (apt-daily-upgrade: unattended-upgrade)`,
        'docker.service restarted at 06:20:22 (back up at 06:20:24)',
        'live-restore is off: containers were stopped with the daemon',
      ],
      gaps: [],
    });
    // journalctl gets the window as epoch seconds, which needs no time zone.
    expect(probe.calls).toContain('journalctl -u docker -u containerd -o short-iso --no-pager --since @1795586725 --until @1795588525');
  });

  it("tells the Debian story in the host's local time: who ran apt, the kernel, the reboot and the failed start", async () => {
    const probe = fakeHostProbe({
      files: { '/var/log/apt/history.log': fixture('debian-12/history.log'), '/var/log/dpkg.log': fixture('debian-12/dpkg.log') },
      commands: { journalctl: ok(fixture('debian-12/journalctl.txt')) },
    });
    const result = await gatherRestartForensics(probe, { at: Date.UTC(2026, 2, 12, 13, 6, 5), tzOffsetMinutes: 60, liveRestore: true });
    const who = '(apt upgrade, requested by admin (1000))';
    expect(result.evidence).toEqual([
      `runc upgraded 1.1.5+ds1-1+b1 -> 1.1.5+ds1-1+deb12u1 by apt at 14:02:24 ${who}`,
      `containerd upgraded 1.6.20~ds1-1+b1 -> 1.6.20~ds1-1+deb12u1 by apt at 14:02:25 ${who}`,
      `docker.io upgraded 20.10.24+dfsg1-1+b3 -> 20.10.24+dfsg1-1+deb12u1 by apt at 14:02:26 ${who}`,
      `linux-image-6.1.0-33-amd64 6.1.133-1 installed by apt at 14:02:28 ${who}`,
      `linux-image-amd64 upgraded 6.1.129-1 -> 6.1.133-1 by apt at 14:02:29 ${who}`,
      'containerd.service restarted at 14:02:31',
      'docker.service restarted at 14:02:33 (back up at 14:02:35)',
      'docker.service stopped at 14:05:10, before the reboot',
      'containerd.service stopped at 14:05:12, before the reboot',
      'The host rebooted: a new boot starts in the journal at 14:05:58',
      'containerd.service started at 14:05:58',
      expect.stringMatching(
        /^docker\.service failed at 14:06:01 \(exit-code\), its last log line: "failed to start daemon: Error initializing network controller: .*Invalid argument \(exit status 4\)"$/,
      ),
      'docker.service was restarted by systemd after it died, at 14:06:03 (back up at 14:06:05)',
      'live-restore is on: running containers should have kept running through the daemon restart',
    ]);
    expect(result.gaps).toEqual(['systemctl is not available: when the apt timers last ran is unknown.']);
  });

  it('finds nothing outside the window and says where it looked', async () => {
    const result = await gatherRestartForensics(ubuntuHost({ commands: { journalctl: ok('-- No entries --\n'), systemctl: ok(fixture('ubuntu-22.04/systemctl-show-timers.txt')) } }), {
      at: Date.UTC(2026, 10, 25, 12, 0, 0),
      tzOffsetMinutes: 0,
      liveRestore: false,
    });
    expect(result.evidence).toEqual([]);
    expect(result.gaps).toEqual([
      'Nothing explains the restart at 12:00:00: no package change, unit restart or apt timer run between 11:45:00 and 12:15:00 was found in /var/log/apt/history.log.1, /var/log/apt/history.log, /var/log/dpkg.log, systemctl show apt-daily-upgrade.timer apt-daily.timer, the journal of docker.service and containerd.service.',
    ]);
  });

  it('narrows to the window it is given: the docker restart alone in 1 s around 06:20:23', async () => {
    const result = await gatherRestartForensics(ubuntuHost(), { at: Date.UTC(2026, 10, 25, 6, 20, 22), windowMs: 1000, tzOffsetMinutes: 0, liveRestore: null });
    expect(result.evidence).toEqual(['docker.service restarted at 06:20:22 (back up at 06:20:24)']);
    expect(result.gaps).toEqual(['Whether live-restore is on is unknown: whether containers survived the restart cannot be told.']);
  });

  it('with neither logs nor commands, says so: evidence empty, one gap per missing source', async () => {
    const result = await gatherRestartForensics(fakeHostProbe({}), { at: UBUNTU_AT, liveRestore: false });
    expect(result).toEqual({
      evidence: [],
      gaps: [
        'systemctl is not available: when the apt timers last ran is unknown.',
        'journalctl is not available: docker and containerd stops and starts are not in the evidence.',
        'Nothing explains the restart at 06:20:25: no package change, unit restart or apt timer run between 06:05:25 and 06:35:25 was found anywhere: there is no apt or dpkg log and neither journalctl nor systemctl answered.',
      ],
    });
  });

  it('reads apt and dpkg as UTC without an offset, and says so', async () => {
    const result = await gatherRestartForensics(ubuntuHost(), { at: UBUNTU_AT, liveRestore: false });
    expect(result.evidence).toHaveLength(7);
    expect(result.gaps).toEqual(["The host's UTC offset was not given: apt and dpkg log times, which carry no zone, were read as UTC."]);
  });

  it('reports unreadable logs, failing commands and a journal it may not read, and keeps what it has', async () => {
    const probe = ubuntuHost({
      denied: { '/var/log/dpkg.log': 'EACCES' },
      commands: {
        systemctl: () => ({ code: 1, stdout: '', stderr: "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\n" }),
        journalctl: ok('-- No entries --\n', "Hint: You are currently not seeing messages from other users and the system.\n      Users in groups 'adm', 'systemd-journal' can see all messages.\n"),
      },
    });
    const result = await gatherRestartForensics(probe, { at: UBUNTU_AT, tzOffsetMinutes: 0, liveRestore: false });
    // Without dpkg's times, apt's block start stands in, and without the timer the runner is plain unattended-upgrade.
    expect(result.evidence).toEqual([
      'containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by apt at 06:20:09 (unattended-upgrade)',
      `docker-ce-cli upgraded 5:24.0.5-1${J} -> 5:24.0.6-1${J} by apt at 06:20:17 (unattended-upgrade)`,
      `docker-ce upgraded 5:24.0.5-1${J} -> 5:24.0.6-1${J} by apt at 06:20:17 (unattended-upgrade)`,
      'live-restore is off: containers were stopped with the daemon',
    ]);
    expect(result.gaps).toEqual([
      '/var/log/dpkg.log cannot be read (EACCES): the dpkg log in it is not in the evidence; run dockwarden as root.',
      'systemctl show failed (Failed to connect to bus: Host is down): when the apt timers last ran is unknown.',
      'journalctl cannot read the system journal as this user: docker and containerd stops and starts may be missing; run dockwarden as root or in group adm or systemd-journal.',
    ]);
  });

  it('says when the window reaches back before the plain logs and older ones are gzipped', async () => {
    const probe = fakeHostProbe({
      files: {
        '/var/log/apt/history.log': 'Start-Date: 2026-11-25  06:20:20\nCommandline: apt-get install -y runc\nInstall: runc:amd64 (1.1.12-0ubuntu2~22.04.1)\nEnd-Date: 2026-11-25  06:20:21\n',
        '/var/log/apt/history.log.2.gz': '',
      },
      commands: { journalctl: ok(''), systemctl: ok('') },
    });
    const result = await gatherRestartForensics(probe, { at: UBUNTU_AT, tzOffsetMinutes: 0, liveRestore: false });
    expect(result.evidence[0]).toBe('runc 1.1.12-0ubuntu2~22.04.1 installed by apt at 06:20:20 (apt-get install -y runc)');
    expect(result.gaps).toEqual(['The apt history reaches back only to 06:20:20; older entries are in /var/log/apt/history.log.2.gz and other gzip files, which are not read.']);
  });

  it('says when it may not list the log directory to see whether older entries were rotated away', async () => {
    const probe = fakeHostProbe({
      files: { '/var/log/apt/history.log': 'Start-Date: 2026-11-25  06:20:20\nCommandline: apt-get install -y runc\nInstall: runc:amd64 (1.1.12-0ubuntu2~22.04.1)\nEnd-Date: 2026-11-25  06:20:21\n' },
      denied: { '/var/log/apt': 'EACCES' },
      commands: { journalctl: ok(''), systemctl: ok('') },
    });
    const result = await gatherRestartForensics(probe, { at: UBUNTU_AT, tzOffsetMinutes: 0, liveRestore: false });
    expect(result.gaps).toEqual(['The apt history reaches back only to 06:20:20, and /var/log/apt cannot be listed (EACCES) to see whether older entries were rotated away.']);
  });
});
