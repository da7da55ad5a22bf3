import { describe, expect, it } from 'vitest';
import { aptReadsPart, parseAptConf } from './apt-conf.js';
import { evaluateAptConf } from './unattended-upgrades.js';

describe('parseAptConf', () => {
  it('reads the one-line form', () => {
    expect(parseAptConf('APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n')).toEqual([
      { kind: 'set', name: 'apt::periodic::update-package-lists', value: '1' },
      { kind: 'set', name: 'apt::periodic::unattended-upgrade', value: '1' },
    ]);
  });
  it('reads nested scopes and list items, skipping every comment style', () => {
    const text = `APT {
  Periodic { Unattended-Upgrade "0"; };  // off
};
/* a block
   comment */
Unattended-Upgrade::Package-Blacklist {
    // The following matches all packages starting with linux-
//  "linux-";
    "docker.io";
    # hash comments too
    "containerd";
};`;
    expect(parseAptConf(text)).toEqual([
      { kind: 'set', name: 'apt::periodic::unattended-upgrade', value: '0' },
      { kind: 'append', name: 'unattended-upgrade::package-blacklist', value: 'docker.io' },
      { kind: 'append', name: 'unattended-upgrade::package-blacklist', value: 'containerd' },
    ]);
  });
  it("reads Debian's 01autoremove without confusing its nested lists with unattended-upgrade", () => {
    const text = 'APT\n{\n  VersionedKernelPackages\n  {\n\t# kernels\n\t"linux-.*";\n  };\n};\n';
    expect(parseAptConf(text)).toEqual([{ kind: 'append', name: 'apt::versionedkernelpackages', value: 'linux-.*' }]);
  });
  it('reads `Name:: "value";` as a list item and #clear as a reset', () => {
    expect(parseAptConf('#clear Unattended-Upgrade::Package-Blacklist;\nUnattended-Upgrade::Package-Blacklist:: "runc";\n')).toEqual([
      { kind: 'clear', name: 'unattended-upgrade::package-blacklist' },
      { kind: 'append', name: 'unattended-upgrade::package-blacklist', value: 'runc' },
    ]);
  });
});

describe('aptReadsPart', () => {
  it('takes names without extension or with .conf, and skips package-manager leftovers', () => {
    expect(['20auto-upgrades', '50unattended-upgrades', '99docker.conf'].every(aptReadsPart)).toBe(true);
    expect(['50unattended-upgrades.ucf-dist', '20auto-upgrades.dpkg-old', 'bad name', 'x.bak'].some(aptReadsPart)).toBe(false);
  });
});

describe('evaluateAptConf', () => {
  it('lets a later file override the interval and adds up blacklist entries (Blocklist too)', () => {
    const result = evaluateAptConf([
      { path: '/etc/apt/apt.conf.d/20auto-upgrades', text: 'APT::Periodic::Unattended-Upgrade "1";' },
      { path: '/etc/apt/apt.conf.d/50unattended-upgrades', text: 'Unattended-Upgrade::Package-Blacklist { "docker.io"; };' },
      { path: '/etc/apt/apt.conf.d/51docker', text: 'Unattended-Upgrade::Package-Blocklist { "containerd"; };' },
      { path: '/etc/apt/apt.conf.d/99off', text: 'APT::Periodic::Unattended-Upgrade "0";' },
    ]);
    expect(result).toEqual({
      unattendedUpgrade: false,
      packageBlacklist: ['docker.io', 'containerd'],
      files: ['/etc/apt/apt.conf.d/99off', '/etc/apt/apt.conf.d/50unattended-upgrades', '/etc/apt/apt.conf.d/51docker'],
    });
  });
  it('knows "always", and that APT::Periodic::Enable "0" turns it off', () => {
    expect(evaluateAptConf([{ path: 'a', text: 'APT::Periodic::Unattended-Upgrade "always";' }]).unattendedUpgrade).toBe(true);
    expect(evaluateAptConf([{ path: 'a', text: 'APT::Periodic::Unattended-Upgrade "1"; APT::Periodic::Enable "0";' }]).unattendedUpgrade).toBe(false);
  });
  it('says unknown (null) when nothing sets it', () => {
    expect(evaluateAptConf([]).unattendedUpgrade).toBeNull();
  });
});
