import { describe, expect, it } from 'vitest';
import type { DockerInfo } from '../engine/docker-info.js';
import { doctorExitCode, runDoctor } from './run-doctor.js';
import { adaptForPodman } from './podman.js';
import { makeFacts, makeFs, makeLocal, makeSetting } from './testing/build-facts.js';

// A rootful Podman 4.3 (Debian 12) behind podman.socket, on a host that also has dockerd's
// config: daemon.json with another data root, unattended upgrades on, the graph root on /.
const PODMAN_INFO: Partial<DockerInfo> = {
  Name: 'vm',
  ServerVersion: '4.3.1',
  Driver: 'overlay',
  DriverStatus: [
    ['Backing Filesystem', 'extfs'],
    ['Supports d_type', 'true'],
    ['Native Overlay Diff', 'true'],
    ['Using metacopy', 'false'],
  ],
  DockerRootDir: '/var/lib/containers/storage',
  LoggingDriver: '',
  LiveRestoreEnabled: false,
  CgroupDriver: 'cgroupfs',
  Swarm: { LocalNodeState: 'inactive' },
  BuildahVersion: '1.28.2',
  Rootless: false,
};
const upgrades = { aptDailyUpgradeTimer: 'enabled' as const, unattendedUpgrade: true, packageBlacklist: [], files: ['/etc/apt/apt.conf.d/20auto-upgrades'] };
const rootFs = makeFs({ path: '/', mountPoint: '/', device: '/dev/sda1', deviceId: '8:1' });

function podmanFacts(info: Partial<DockerInfo> = {}, fs = rootFs) {
  const host = makeLocal({ dataRoot: '/var/lib/containers/storage', dataRootFs: { ...fs, path: '/var/lib/containers/storage' }, rootFs, upgrades }, [makeSetting('data-root', '/data/docker')]);
  return makeFacts({ info: { ...PODMAN_INFO, ...info }, host });
}

const doctor = (facts: ReturnType<typeof makeFacts>) => adaptForPodman(facts, runDoctor(facts));

describe('doctor on Podman', () => {
  it("does not call containers/storage's overlay deprecated, nor judge Podman by dockerd's config", () => {
    const result = doctor(podmanFacts());
    const ids = result.findings.map((f) => f.id);
    expect(ids).not.toContain('storage.deprecated-driver');
    expect(ids).not.toContain('data-root.config-conflict');
    expect(ids).not.toContain('upgrade.restarts-docker');
    const skipped = new Map(result.notChecked.map((n) => [n.id, n.reason]));
    expect(skipped.get('data-root.config-conflict')).toMatch(/^Podman takes its graph root \(\/var\/lib\/containers\/storage\) from \/etc\/containers\/storage\.conf/);
    expect(skipped.get('upgrade.restarts-docker')).toMatch(/conmon/);
    expect(skipped.get('logging.none')).toMatch(/^Podman's \/info reports no default logging driver/);
    expect(skipped.get('swarm.no-rollback')).toBe('Podman has no swarm mode and no services.');
    expect(result.notChecked.filter((n) => n.id === 'logging.none')).toHaveLength(1);
  });

  it("keeps what holds for Podman too, with fixes in Podman's terms: the graph root on /, without d_type", () => {
    const xfs0 = makeFs({ path: '/', mountPoint: '/', device: '/dev/sda1', deviceId: '8:1', fsType: 'xfs', xfsFtype: 0 });
    const result = doctor(
      podmanFacts(
        {
          DriverStatus: [
            ['Backing Filesystem', 'xfs'],
            ['Supports d_type', 'false'],
          ],
        },
        xfs0,
      ),
    );
    const byId = new Map(result.findings.map((f) => [f.id, f]));
    expect([...byId.keys()].sort()).toEqual(['data-root.on-root-fs', 'storage.no-dtype']);
    expect(doctorExitCode(result.findings)).toBe(2);
    for (const f of result.findings) {
      expect(f.evidence).toContain('Engine: Podman 4.3.1 (Docker-compatible API)');
      const text = [f.fix.summary, ...f.fix.commands].join('\n');
      expect(text).toMatch(/storage\.conf/);
      expect(text).not.toMatch(/daemon\.json|dockwarden plan|systemctl (stop|start|restart) docker/);
    }
  });

  it('gives disk pressure a fix that works with Podman', () => {
    const full = makeFs({ path: '/var/lib/containers/storage', mountPoint: '/var/lib/containers', device: '/dev/sdb1', deviceId: '8:17', availBytes: 1024 ** 3 });
    const result = doctor(podmanFacts({}, full));
    const pressure = result.findings.find((f) => f.id === 'disk.pressure');
    expect(pressure?.fix.commands[0]).toBe('podman system df -v');
    expect(doctorExitCode(result.findings)).toBe(2);
  });

  it('is healthy (exit 0) on its own filesystem, and adapting twice changes nothing', () => {
    const own = makeFs({ path: '/var/lib/containers/storage', mountPoint: '/var/lib/containers', device: '/dev/sdb1', deviceId: '8:17' });
    const facts = podmanFacts({}, own);
    const once = doctor(facts);
    expect(once.findings).toEqual([]);
    expect(doctorExitCode(once.findings)).toBe(0);
    expect(adaptForPodman(facts, once)).toEqual(once);
  });

  it('leaves Docker alone, overlay (v1) included', () => {
    const facts = makeFacts({
      info: {
        Driver: 'overlay',
        DriverStatus: [
          ['Backing Filesystem', 'extfs'],
          ['Supports d_type', 'true'],
        ],
      },
    });
    const result = runDoctor(facts);
    expect(adaptForPodman(facts, result)).toBe(result);
    expect(result.findings.map((f) => f.id)).toContain('storage.deprecated-driver');
  });
});
