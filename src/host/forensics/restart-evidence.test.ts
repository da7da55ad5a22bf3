import { describe, expect, it } from 'vitest';
import type { AptHistoryBlock } from './apt-history.js';
import type { DpkgEntry } from './dpkg-log.js';
import type { UnitChange } from './journal.js';
import { restartEvidence, type RestartEvidenceInput } from './restart-evidence.js';

const at = (h: number, mi: number, s = 0): number => Date.UTC(2026, 10, 25, h, mi, s);
const input = (over: Partial<RestartEvidenceInput>): RestartEvidenceInput => ({
  at: at(6, 20),
  windowMs: 15 * 60_000,
  tzOffsetMinutes: 0,
  apt: [],
  dpkg: [],
  units: [],
  timers: [],
  liveRestore: null,
  ...over,
});
const dpkg = (time: number, action: DpkgEntry['action'], pkg: string, from: string | null, to: string | null): DpkgEntry => ({ at: time, action, package: pkg, arch: 'amd64', from, to });
const block = (over: Partial<AptHistoryBlock>): AptHistoryBlock => ({ start: at(6, 19), end: at(6, 21), commandline: null, requestedBy: null, changes: [], error: null, ...over });
const stop = (unit: string, time: number): UnitChange => ({ kind: 'stop', unit, at: time, upAt: null, automatic: false, result: null, lastWords: null, beforeBoot: false });

describe('restartEvidence', () => {
  it('names dpkg when no apt history exists, and says dpkg ran directly when apt history has no matching run', () => {
    const steps = [dpkg(at(6, 19, 30), 'upgrade', 'containerd.io', '1.6.19-1', '1.6.20-1')];
    expect(restartEvidence(input({ dpkg: steps }))).toEqual(['containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by dpkg at 06:19:30']);
    const other = block({ start: at(5, 0), end: at(5, 1), commandline: 'apt-get install jq', changes: [] });
    expect(restartEvidence(input({ dpkg: steps, apt: [other] }))).toEqual(['containerd.io upgraded 1.6.19-1 -> 1.6.20-1 by dpkg at 06:19:30 (no apt run at that time: dpkg was run directly)']);
  });

  it('words removals, purges, downgrades and reinstalls', () => {
    const steps = [
      dpkg(at(6, 19, 1), 'remove', 'docker.io', '24.0.7-0ubuntu2~22.04.1', null),
      dpkg(at(6, 19, 2), 'purge', 'docker.io', '24.0.7-0ubuntu2~22.04.1', null),
      dpkg(at(6, 19, 3), 'upgrade', 'runc', '1.1.12-1', '1.1.12-1'),
      dpkg(at(6, 19, 4), 'configure', 'runc', '1.1.12-1', null),
    ];
    const apt = [
      block({
        commandline: 'apt-get install --allow-downgrades docker-ce=5:24.0.5-1',
        requestedBy: 'ops (1001)',
        changes: [{ action: 'downgrade', package: 'docker-ce', arch: 'amd64', from: '5:24.0.6-1', to: '5:24.0.5-1', automatic: false }],
      }),
    ];
    expect(restartEvidence(input({ dpkg: steps }))).toEqual([
      'docker.io 24.0.7-0ubuntu2~22.04.1 removed by dpkg at 06:19:01',
      'docker.io 24.0.7-0ubuntu2~22.04.1 purged by dpkg at 06:19:02',
      'runc 1.1.12-1 reinstalled by dpkg at 06:19:03',
    ]);
    expect(restartEvidence(input({ apt }))).toEqual([
      'docker-ce downgraded 5:24.0.6-1 -> 5:24.0.5-1 by apt at 06:19:00 (apt-get install --allow-downgrades docker-ce=5:24.0.5-1, requested by ops (1001))',
    ]);
  });

  it('says when apt failed or did not finish, and does not credit the timer with a run it cannot have started', () => {
    const apt = [
      block({
        commandline: '/usr/bin/unattended-upgrade',
        end: null,
        error: 'Sub-process /usr/bin/dpkg returned an error code (1)',
        changes: [{ action: 'upgrade', package: 'containerd', arch: 'amd64', from: '1.7.2-0ubuntu1~22.04.1', to: '1.7.12-0ubuntu2~22.04.1', automatic: false }],
      }),
    ];
    const timers = [{ unit: 'apt-daily-upgrade.timer', loaded: true, lastTrigger: at(6, 19, 30), nextElapse: Date.UTC(2026, 10, 26, 6, 5) }];
    expect(restartEvidence(input({ apt, timers }))).toEqual([
      'containerd upgraded 1.7.2-0ubuntu1~22.04.1 -> 1.7.12-0ubuntu2~22.04.1 by apt at 06:19:00 (unattended-upgrade, apt reported "Sub-process /usr/bin/dpkg returned an error code (1)", no End-Date: apt was interrupted or is still running)',
      'apt-daily-upgrade.timer last ran 06:19:30, next 2026-11-26 06:05',
    ]);
  });

  it('lists the timer that started an apt run of the window even when it fired before the window', () => {
    const apt = [
      block({
        start: at(5, 58),
        end: at(6, 12),
        commandline: '/usr/bin/unattended-upgrade',
        changes: [{ action: 'upgrade', package: 'runc', arch: 'amd64', from: '1.1.7-1', to: '1.1.12-1', automatic: false }],
      }),
    ];
    const timers = [
      { unit: 'apt-daily-upgrade.timer', loaded: true, lastTrigger: at(5, 49, 12), nextElapse: null },
      { unit: 'apt-daily.timer', loaded: true, lastTrigger: at(5, 30), nextElapse: null },
    ];
    expect(restartEvidence(input({ apt, timers }))).toEqual([
      'apt-daily-upgrade.timer last ran 05:49:12',
      'runc upgraded 1.1.7-1 -> 1.1.12-1 by apt at 05:58:00 (apt-daily-upgrade: unattended-upgrade)',
    ]);
  });

  it('keeps non-engine packages out, and a stop without a start is said as such', () => {
    const apt = [block({ commandline: 'apt install jq', changes: [{ action: 'install', package: 'jq', arch: 'amd64', from: null, to: '1.6-2.1ubuntu3', automatic: false }] })];
    expect(restartEvidence(input({ apt, units: [stop('docker.service', at(6, 20, 5))], liveRestore: false }))).toEqual([
      'docker.service stopped at 06:20:05 and was not started again up to 06:35:00',
      'live-restore is off: containers were stopped with the daemon',
    ]);
    expect(restartEvidence(input({ apt, liveRestore: false }))).toEqual([]);
  });

  it("writes times on the host's clock, with the date when it is another day", () => {
    const steps = [dpkg(at(5, 10), 'upgrade', 'runc', '1', '2'), dpkg(Date.UTC(2026, 10, 24, 23, 10), 'upgrade', 'containerd', '1', '2')];
    expect(restartEvidence(input({ at: at(0, 5), windowMs: 6 * 3600_000, tzOffsetMinutes: -300, dpkg: steps }))).toEqual([
      'containerd upgraded 1 -> 2 by dpkg at 18:10:00',
      'runc upgraded 1 -> 2 by dpkg at 2026-11-25 00:10:00',
    ]);
  });
});
