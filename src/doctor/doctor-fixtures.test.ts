import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { factsFromInfoPaste } from '../facts-paste.js';
import { gatherLocalFacts } from '../host/gather-local-facts.js';
import { localHostProbe } from '../host/host-probe.js';
import { hostFixture } from '../host/testing/fixtures.js';
import { doctorExitCode, runDoctor } from './run-doctor.js';
import { makeFacts } from './testing/build-facts.js';

// Every check against `docker info` output as real hosts print it (test/fixtures/info),
// and against host trees with the daemon.json/systemd variants operators end up with.

const NOW = new Date('2026-11-25T06:20:00Z');

function fromInfo(name: string) {
  const text = readFileSync(fileURLToPath(new URL(`../../test/fixtures/info/${name}`, import.meta.url)), 'utf8');
  const facts = factsFromInfoPaste(text, name, NOW);
  const result = runDoctor(facts);
  return { facts, result, ids: result.findings.map((f) => `${f.id}:${f.severity}`).sort(), code: doctorExitCode(result.findings) };
}

describe('from docker info pastes', () => {
  it.each(['centos7-devicemapper-loop.txt', 'centos7-devicemapper-loop.json'])('CentOS 7 loop-lvm (%s): loop files are critical, the driver deprecated', (name) => {
    const { ids, code, result } = fromInfo(name);
    expect(ids).toContain('storage.devicemapper-loop:critical');
    expect(ids).toContain('storage.deprecated-driver:warning');
    expect(ids).not.toContain('thinpool.no-deferred:warning');
    expect(code).toBe(2);
    const loop = result.findings.find((f) => f.id === 'storage.devicemapper-loop');
    expect(loop?.evidence.some((e) => e.startsWith('Data loop file: /var/lib/docker/devicemapper/devicemapper/data'))).toBe(true);
  });

  it.each(['direct-lvm-low-space.json', 'direct-lvm-low-space.txt'])('direct-lvm with a nearly full pool and deferred removal off (%s)', (name) => {
    const { ids, result } = fromInfo(name);
    expect(ids).toContain('thinpool.space-low:critical');
    expect(ids).toContain('thinpool.no-deferred:warning');
    expect(ids).not.toContain('storage.devicemapper-loop:critical');
    const low = result.findings.find((f) => f.id === 'thinpool.space-low');
    expect(low?.evidence.find((e) => e.startsWith('Data Space Available'))).toMatch(/\(\d\.\d% free\)$/);
    expect(low?.fix.commands.join('\n')).toContain('thin_pool_autoextend_threshold=80');
  });

  it('direct-lvm on kernel 3.10 does not ask for deferred removal (it needs 3.18)', () => {
    const { ids, facts } = fromInfo('direct-lvm-old-kernel.json');
    expect(facts.engine.info.KernelVersion).toMatch(/^3\.10\./);
    expect(ids.filter((i) => i.startsWith('thinpool.no-deferred'))).toEqual([]);
  });

  it.each(['overlay2-xfs-no-dtype.json', 'overlay2-xfs-no-dtype.txt'])('overlay2 on xfs without d_type is critical (%s)', (name) => {
    const { ids, result, code } = fromInfo(name);
    expect(ids).toContain('storage.no-dtype:critical');
    expect(code).toBe(2);
    const finding = result.findings.find((f) => f.id === 'storage.no-dtype');
    expect(finding?.evidence).toEqual(expect.arrayContaining(['Storage Driver: overlay2', 'Backing Filesystem: xfs', 'Supports d_type: false']));
    expect(finding?.fix.commands).toContain('mkfs.xfs -n ftype=1 /dev/sdX1');
  });

  it.each(['btrfs.json', 'btrfs-engine-24.json', 'zfs.json', 'zfs.txt'])('%s: no storage finding; the filesystem check says it needs the host', (name) => {
    const { ids, result } = fromInfo(name);
    expect(ids.filter((i) => i.startsWith('storage.') || i.startsWith('thinpool.'))).toEqual([]);
    expect(result.notChecked.map((n) => n.id)).toContain('storage.fs-mismatch');
  });

  it.each(['overlay2-ext4-healthy.json', 'overlay2-ext4-healthy.txt'])('healthy overlay2 on ext4 (%s): only the size-limit note', (name) => {
    const { ids, code, result } = fromInfo(name);
    expect(ids).toEqual(['sizelimit.unavailable:info']);
    expect(code).toBe(0);
    expect(result.notChecked.map((n) => n.id)).toEqual(expect.arrayContaining(['disk.pressure', 'data-root.on-root-fs', 'data-root.config-conflict', 'logging.unbounded']));
    // live-restore is on in the paste: unattended upgrades restarting docker stop no container, whatever the host's apt says.
    expect(result.notChecked.map((n) => n.id)).not.toContain('upgrade.restarts-docker');
  });

  it.each(['swarm-worker-logging-none.json', 'swarm-worker-logging-none.txt'])('swarm worker with logging none (%s)', (name) => {
    const { ids, result } = fromInfo(name);
    expect(ids).toContain('logging.none:warning');
    expect(result.notChecked.find((n) => n.id === 'swarm.no-rollback')?.reason).toContain('worker');
  });

  it('aufs on Ubuntu 14.04 is a deprecated driver', () => {
    expect(fromInfo('aufs-ubuntu-1404.txt').ids).toContain('storage.deprecated-driver:warning');
  });

  it('the containerd image store of current engines raises no storage finding', () => {
    const { ids } = fromInfo('engine-28-containerd-store.json');
    expect(ids.filter((i) => i.startsWith('storage.'))).toEqual([]);
  });

  it('a partial paste is diagnosed as far as it goes and says what is missing', () => {
    const { facts, result } = fromInfo('partial-paste.txt');
    expect(facts.gaps.some((g) => /Docker Root Dir/.test(g))).toBe(true);
    expect(result.notChecked.length).toBeGreaterThan(0);
  });
});

describe('daemon.json and systemd variants on the host', () => {
  async function diagnoseHost(scenario: string, info: NonNullable<Parameters<typeof makeFacts>[0]>['info'] = {}) {
    const host = await gatherLocalFacts(localHostProbe(hostFixture(scenario)), { dataRoot: info?.DockerRootDir ?? '/var/lib/docker' });
    return runDoctor(makeFacts({ host, info }));
  }

  it('data-root in daemon.json plus -g in a drop-in is a critical conflict (dockerd would not start)', async () => {
    const result = await diagnoseHost('ubuntu-conflict', { DockerRootDir: '/mnt/docker-data' });
    const conflict = result.findings.find((f) => f.id === 'data-root.config-conflict' && f.severity === 'critical');
    expect(conflict?.title).toBe('The data root is set both as a dockerd flag and in daemon.json');
    expect(conflict?.evidence.some((e) => e.includes('daemon.json'))).toBe(true);
    expect(conflict?.evidence.some((e) => e.includes('docker.service.d/override.conf'))).toBe(true);
  });

  it('legacy "graph" alone is read as the data root: no conflict when the engine runs there', async () => {
    const result = await diagnoseHost('graph-legacy', { DockerRootDir: '/data/docker', Driver: 'devicemapper', DriverStatus: [] });
    expect(result.findings.filter((f) => f.id === 'data-root.config-conflict')).toEqual([]);
  });

  it('legacy "graph" pointing elsewhere than the running root is a conflict', async () => {
    const result = await diagnoseHost('graph-legacy', { DockerRootDir: '/var/lib/docker' });
    expect(result.findings.find((f) => f.id === 'data-root.config-conflict')?.title).toBe('The engine runs on /var/lib/docker, not on the configured /data/docker');
  });

  it('-g in /etc/default/docker under a unit that does not read it is flagged as ignored', async () => {
    const result = await diagnoseHost('debian-default-ignored');
    const finding = result.findings.find((f) => f.id === 'data-root.config-conflict');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence[0]).toContain('/etc/default/docker');
  });

  it('a malformed daemon.json stops the diagnosis with one line naming the file and position', async () => {
    const error = await gatherLocalFacts(localHostProbe(hostFixture('malformed-daemon-json')), { dataRoot: '/var/lib/docker' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^\/etc\/docker\/daemon\.json is not valid JSON \(line \d+, column \d+/);
    expect((error as Error).message).not.toContain('\n');
  });
});
