import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DockerInfo } from '../engine/docker-info.js';
import { factsFromInfoPaste } from '../facts-paste.js';
import { adaptForDockerDesktop, dockerDesktopEvidence } from './desktop.js';
import type { Finding } from '../finding.js';
import { runDoctor } from './run-doctor.js';
import { makeFacts, makeFs, makeLocal, makeSetting } from './testing/build-facts.js';

// Docker Desktop's engine lives in a VM the user cannot format, mount or configure by
// hand: no fix may send them to mkfs, fstab, systemctl or /etc/docker/daemon.json.

const NOW = new Date('2026-11-25T06:20:00Z');
const paste = (name: string, edit: (text: string) => string = (t) => t) => factsFromInfoPaste(edit(readFileSync(new URL(`../../test/fixtures/info/${name}`, import.meta.url), 'utf8')), name, NOW);

/** What a Linux server's fix says and Desktop's VM does not allow. */
const HOST_ADVICE = /mkfs|fstab|blkid|\bu?mount\b|xfs_info|\/etc\/docker|systemctl|journalctl|dockwarden plan|lvextend|zpool|\/dev\/sd|apt\.conf|truncate/;

function expectDesktopFixes(findings: Finding[]): void {
  for (const f of findings) {
    for (const line of [f.fix.summary, ...f.fix.commands]) expect(line, `${f.id}: ${line}`).not.toMatch(HOST_ADVICE);
  }
}

const idsOf = (findings: Finding[]) => findings.map((f) => `${f.id}:${f.severity}`);

describe('Docker Desktop pastes', () => {
  it.each(['docker-desktop-mac.txt', 'docker-desktop-wsl2.json'])('%s: the size-limit note points at the virtual disk, not at mkfs and fstab', (name) => {
    const { findings } = runDoctor(paste(name));
    expect(idsOf(findings)).toEqual(['sizelimit.unavailable:info']);
    expectDesktopFixes(findings);
    expect(findings[0]?.fix.commands.join('\n')).toContain('Settings > Resources > Advanced');
    expect(findings[0]?.evidence).toContain('Operating System: Docker Desktop');
  });

  it('the same paste from a Linux server would get the disk advice Desktop must not', () => {
    const server = paste('docker-desktop-mac.txt', (t) =>
      t
        .replace('Operating System: Docker Desktop', 'Operating System: Ubuntu 24.04.1 LTS')
        .replace('6.10.4-linuxkit', '6.8.0-45-generic')
        .replace(/ com\.docker\.desktop\.address=.*\n/, ''),
    );
    const { findings } = runDoctor(server);
    expect(idsOf(findings)).toEqual(['sizelimit.unavailable:info']);
    expect(findings[0]?.fix.commands.join('\n')).toMatch(/mkfs\.xfs .*\n.*\/etc\/fstab/);
  });
});

describe('dockerDesktopEvidence', () => {
  const info = (i: Partial<DockerInfo>) => i as DockerInfo;
  it.each([
    [{ OperatingSystem: 'Docker Desktop', KernelVersion: '6.10.4-linuxkit' }, 'Operating System: Docker Desktop'],
    [{ OperatingSystem: 'Docker for Mac', KernelVersion: '4.9.93-linuxkit-aufs' }, 'Operating System: Docker for Mac'],
    [{ OperatingSystem: 'Docker for Windows', KernelVersion: '4.9.125-linuxkit' }, 'Operating System: Docker for Windows'],
    [{ OperatingSystem: 'Alpine Linux v3.5', KernelVersion: '4.9.12-moby' }, 'Kernel Version: 4.9.12-moby'],
    [
      { Labels: ['com.docker.desktop.address=unix:///Users/dana/Library/Containers/com.docker.docker/Data/docker-cli.sock'] },
      'Labels: com.docker.desktop.address=unix:///Users/dana/Library/Containers/com.docker.docker/Data/docker-cli.sock',
    ],
    [{ Name: 'docker-desktop', KernelVersion: '5.15.167.4-microsoft-standard-WSL2' }, 'Name: docker-desktop (Kernel Version: 5.15.167.4-microsoft-standard-WSL2)'],
  ])('recognises %j', (i, evidence) => {
    expect(dockerDesktopEvidence(info(i))).toBe(evidence);
  });

  it.each([
    { OperatingSystem: 'Ubuntu 22.04.3 LTS', KernelVersion: '5.15.133.1-microsoft-standard-WSL2', Name: 'dana-pc' },
    { OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', KernelVersion: '6.1.0-18-amd64' },
    {},
  ])('leaves %j alone (docker-ce inside a WSL distribution is a Linux host of its own)', (i) => {
    expect(dockerDesktopEvidence(info(i))).toBeUndefined();
  });
});

describe('adaptForDockerDesktop', () => {
  /** A host where every check with host advice fires: data root on / and full, xfs without ftype, conflicting data roots, overlay2.size, no log limits, unattended upgrades. */
  function everything(info: Partial<DockerInfo>) {
    const disk = makeFs({ path: '/var/lib/docker', mountPoint: '/', device: '/dev/vda1', deviceId: '254:1', fsType: 'xfs', xfsFtype: 0, availBytes: 2 * 1024 ** 3 });
    const host = makeLocal(
      {
        dataRootFs: disk,
        rootFs: disk,
        upgrades: { aptDailyUpgradeTimer: 'enabled', unattendedUpgrade: true, packageBlacklist: [], files: ['/etc/apt/apt.conf.d/20auto-upgrades'] },
        containerLogs: { count: 3, totalBytes: 5e9, largest: [{ containerId: 'abc', path: '/var/lib/docker/containers/abc/abc-json.log', bytes: 4e9 }] },
      },
      [
        makeSetting('data-root', '/var/lib/docker'),
        makeSetting('data-root', '/data/docker', {
          origin: 'systemd-drop-in',
          file: '/etc/systemd/system/docker.service.d/override.conf',
          text: 'ExecStart=/usr/bin/dockerd --data-root /data/docker',
        }),
        makeSetting('storage-opt', 'overlay2.size=10G'),
      ],
    );
    return makeFacts({
      host,
      info: {
        DriverStatus: [
          ['Backing Filesystem', 'xfs'],
          ['Supports d_type', 'false'],
        ],
        ...info,
      },
    });
  }
  const DESKTOP = { OperatingSystem: 'Docker Desktop', KernelVersion: '6.10.4-linuxkit', Name: 'docker-desktop' };

  it("gives every finding Desktop's fix and keeps its id, severity, title and detail", () => {
    const server = runDoctor(everything({}));
    expect(server.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['storage.no-dtype', 'data-root.on-root-fs', 'data-root.config-conflict', 'disk.pressure', 'logging.unbounded', 'upgrade.restarts-docker', 'sizelimit.unavailable']),
    );
    const desktop = runDoctor(everything(DESKTOP));
    expect(desktop.findings.map((f) => [f.id, f.severity, f.title, f.detail])).toEqual(server.findings.map((f) => [f.id, f.severity, f.title, f.detail]));
    expectDesktopFixes(desktop.findings);
    const fix = (id: string) => desktop.findings.find((f) => f.id === id)?.fix;
    expect(fix('disk.pressure')?.commands.join('\n')).toMatch(/docker system prune[\s\S]*Settings > Resources > Advanced/);
    expect(fix('storage.no-dtype')?.summary).toContain('Settings > Docker Engine');
    expect(fix('data-root.config-conflict')?.commands.join('\n')).toContain('Disk image location');
    expect(fix('sizelimit.unavailable')?.commands[0]).toContain('delete "overlay2.size=…" in "storage-opts"');
    expect(fix('logging.unbounded')?.commands).toEqual([
      '# Docker Desktop: Settings > Docker Engine: merge { "log-driver": "json-file", "log-opts": { "max-size": "20m", "max-file": "5" } } into the JSON there, then Apply & restart (it restarts the engine)',
    ]);
  });

  it('turns a daemon.json edit into Settings > Docker Engine for findings it has no family for', () => {
    const { findings } = runDoctor(makeFacts({ info: { ...DESKTOP, LoggingDriver: 'none' } }));
    const none = findings.find((f) => f.id === 'logging.none');
    expect(none?.fix.commands[0]).toMatch(/^# Docker Desktop: Settings > Docker Engine: merge \{ "log-driver": "local"/);
    expectDesktopFixes(findings);
  });

  it('leaves every other engine as it is', () => {
    const result = runDoctor(everything({}));
    expect(adaptForDockerDesktop(everything({}), result)).toBe(result);
  });
});
