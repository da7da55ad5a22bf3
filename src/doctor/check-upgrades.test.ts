import { describe, expect, it } from 'vitest';
import { checkUpgrades } from './check-upgrades.js';
import { makeFacts, makeLocal } from './testing/build-facts.js';
import type { UpgradeFacts } from '../host/local-facts.js';

const upgrades = (overrides: Partial<UpgradeFacts> = {}): UpgradeFacts => ({
  aptDailyUpgradeTimer: 'enabled',
  unattendedUpgrade: true,
  packageBlacklist: [],
  files: ['/etc/apt/apt.conf.d/20auto-upgrades'],
  ...overrides,
});
const facts = (u: UpgradeFacts, liveRestore = false) => makeFacts({ host: makeLocal({ upgrades: u }), info: { LiveRestoreEnabled: liveRestore } });

describe('upgrade.restarts-docker', () => {
  it('warns when the timer runs unattended upgrades, docker is not held, and live-restore is off', () => {
    const [finding] = checkUpgrades(facts(upgrades())).findings;
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence).toContain('not blacklisted: docker.io, docker-ce, containerd, containerd.io, runc');
    expect(finding?.fix.commands.join('\n')).toContain('"live-restore": true');
  });
  it('treats blacklist entries as regular expressions, as unattended-upgrades does', () => {
    expect(checkUpgrades(facts(upgrades({ packageBlacklist: ['docker', 'containerd', 'runc'] }))).findings).toEqual([]);
  });
  it('is quiet with live-restore on', () => {
    expect(checkUpgrades(facts(upgrades(), true)).findings).toEqual([]);
  });
  it('is quiet when the timer is disabled or unattended upgrades are off', () => {
    expect(checkUpgrades(facts(upgrades({ aptDailyUpgradeTimer: 'masked' }))).findings).toEqual([]);
    expect(checkUpgrades(facts(upgrades({ unattendedUpgrade: false }))).findings).toEqual([]);
  });
  it('in swarm mode recommends the blacklist, not live-restore (they are incompatible)', () => {
    const f = makeFacts({ host: makeLocal({ upgrades: upgrades() }), info: { LiveRestoreEnabled: false, Swarm: { LocalNodeState: 'active' } } });
    expect(checkUpgrades(f).findings[0]?.fix.commands.join('\n')).not.toContain('live-restore');
  });
});
