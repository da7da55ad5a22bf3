import { describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { gatherLocalFacts } from './gather-local-facts.js';
import { localHostProbe, type HostProbe } from './host-probe.js';
import type { ConfigSetting } from './local-facts.js';
import { localFactsSchema } from './local-facts.js';
import { fakeHostProbe, usage } from './testing/fake-host-probe.js';
import { hostFixture, recorded } from './testing/fixtures.js';

// Fixture trees in test/fixtures/host/<scenario>: real files, read through the real probe.
// Commands are switched off so the machine running the tests cannot leak into them.
function fixtureProbe(scenario: string): HostProbe {
  return { ...localHostProbe(hostFixture(scenario)), exec: async () => null };
}

function pick(settings: ConfigSetting[], key: string) {
  return settings.filter((s) => s.key === key).map(({ value, origin, file, effective, ineffectiveReason }) => ({ value, origin, file, effective, ineffectiveReason }));
}

describe('gatherLocalFacts on fixture hosts', () => {
  it('ubuntu-conflict: daemon.json and a drop-in both set the data root, and both reach dockerd', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('ubuntu-conflict'), { dataRoot: '/var/lib/docker' });
    expect(localFactsSchema.parse(facts)).toEqual(facts);
    const config = facts.dockerConfig;
    expect(config.unitFiles).toEqual(['/lib/systemd/system/docker.service', '/etc/systemd/system/docker.service.d/http-proxy.conf', '/etc/systemd/system/docker.service.d/override.conf']);
    expect(config.execStart).toBe('/usr/bin/dockerd -H fd:// -g /mnt/docker');
    expect(config.settings.filter((s) => s.key === 'data-root' && s.effective)).toEqual([
      { key: 'data-root', value: '/mnt/docker-data', origin: 'daemon.json', file: '/etc/docker/daemon.json', text: '"data-root": "/mnt/docker-data"', effective: true },
      {
        key: 'data-root',
        value: '/mnt/docker',
        origin: 'systemd-drop-in',
        file: '/etc/systemd/system/docker.service.d/override.conf',
        text: 'ExecStart=/usr/bin/dockerd -H fd:// -g /mnt/docker',
        effective: true,
      },
    ]);
    expect(facts.kernelRelease).toBe('5.15.0-91-generic');
    expect(facts.upgrades).toEqual({
      aptDailyUpgradeTimer: 'enabled',
      unattendedUpgrade: true,
      packageBlacklist: [],
      files: ['/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer', '/etc/apt/apt.conf.d/20auto-upgrades'],
    });
    const a = 'a3f0c1d2e4b5a6978812345678901234567890abcdef1234567890abcdef1234';
    expect(facts.containerLogs).toMatchObject({ count: 3, totalBytes: 12000, largest: [{ containerId: a, bytes: 8000, path: `/var/lib/docker/containers/${a}/${a}-json.log` }, { bytes: 4000 }] });
    expect(facts.dataRootFs).toMatchObject({ path: '/var/lib/docker', mountPoint: '/', deviceId: '253:0', fsType: 'ext4', xfsFtype: null });
    expect(facts.rootFs?.deviceId).toBe('253:0');
    expect(facts.gaps).toEqual(['lvs is not installed: thin pool details unknown.']);
  });

  it('debian-default-ignored: DOCKER_OPTS in /etc/default/docker never reaches Docker’s own unit', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('debian-default-ignored'), { dataRoot: '/var/lib/docker' });
    expect(pick(facts.dockerConfig.settings, 'data-root')).toEqual([
      {
        value: '/data/docker',
        origin: 'etc-default-docker',
        file: '/etc/default/docker',
        effective: false,
        ineffectiveReason: 'docker.service does not read /etc/default/docker, so DOCKER_OPTS is ignored under systemd',
      },
    ]);
    expect(facts.dockerConfig.settings.find((s) => s.key === 'data-root')?.text).toBe('DOCKER_OPTS="-g /data/docker --dns 10.0.0.2"');
    expect(facts.dockerConfig).toMatchObject({ daemonJsonExists: false, daemonJson: {}, execStart: '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock' });
    expect(facts.upgrades?.aptDailyUpgradeTimer).toBe('masked');
    expect(facts.gaps).toContain('/proc/self/mountinfo does not exist here: the filesystems of the data root and of / are unknown.');
    expect(facts.gaps).toContain('/var/lib/docker/containers does not exist here: container log sizes are unknown (is the data root mounted where dockwarden runs?).');
  });

  it("debian-docker-io: Debian's docker.io unit does read DOCKER_OPTS, but not an `export` line", async () => {
    const facts = await gatherLocalFacts(fixtureProbe('debian-docker-io'), { dataRoot: '/var/lib/docker' });
    expect(facts.dockerConfig.execStart).toBe('/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock --data-root=/srv/docker --log-opt max-size=50m');
    expect(pick(facts.dockerConfig.settings, 'data-root')).toEqual([
      { value: '/srv/docker', origin: 'etc-default-docker', file: '/etc/default/docker', effective: true, ineffectiveReason: undefined },
      {
        value: '/ignored/by/systemd',
        origin: 'etc-default-docker',
        file: '/etc/default/docker',
        effective: false,
        ineffectiveReason: 'systemd ignores `export DOCKER_OPTS=...` in /etc/default/docker (it takes only NAME=value lines), so DOCKER_OPTS does not reach dockerd',
      },
    ]);
    expect(pick(facts.dockerConfig.settings, 'log-opt')[0]).toMatchObject({ value: 'max-size=50m', effective: true });
  });

  it('centos-sysconfig: OPTIONS and DOCKER_STORAGE_OPTIONS reach dockerd-current through $VARs', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('centos-sysconfig'), { dataRoot: '/data/docker' });
    const config = facts.dockerConfig;
    expect(config.unitFiles).toEqual(['/usr/lib/systemd/system/docker.service']);
    expect(config.execStart).toContain('--seccomp-profile=/etc/docker/seccomp.json --graph /data/docker --log-driver=journald --storage-driver overlay2');
    expect(config.settings.filter((s) => s.effective && s.origin === 'etc-sysconfig-docker').map((s) => [s.key, s.value, s.file, s.text])).toEqual([
      ['data-root', '/data/docker', '/etc/sysconfig/docker', "OPTIONS='--graph /data/docker --log-driver=journald'"],
      ['log-driver', 'journald', '/etc/sysconfig/docker', "OPTIONS='--graph /data/docker --log-driver=journald'"],
      ['storage-driver', 'overlay2', '/etc/sysconfig/docker-storage', 'DOCKER_STORAGE_OPTIONS="--storage-driver overlay2 "'],
    ]);
    expect(config.settings.some((s) => !s.effective)).toBe(false);
    expect(config).toMatchObject({ daemonJsonExists: true, daemonJson: {} });
    expect(facts.kernelRelease).toBe('3.10.0-1160.el7.x86_64');
    expect(facts.upgrades).toBeNull();
  });

  it('graph-legacy: "graph" counts as data-root and each storage-opt is its own setting', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('graph-legacy'), { dataRoot: '/data/docker' });
    expect(pick(facts.dockerConfig.settings, 'data-root')).toEqual([{ value: '/data/docker', origin: 'daemon.json', file: '/etc/docker/daemon.json', effective: true, ineffectiveReason: undefined }]);
    expect(facts.dockerConfig.settings.find((s) => s.key === 'data-root')?.text).toBe('"graph": "/data/docker"');
    expect(pick(facts.dockerConfig.settings, 'storage-opt').map((s) => s.value)).toEqual([
      'dm.thinpooldev=/dev/mapper/docker-thinpool',
      'dm.use_deferred_removal=true',
      'dm.use_deferred_deletion=true',
    ]);
    expect(facts.dockerConfig.daemonJson['graph']).toBe('/data/docker');
    expect(facts.dockerConfig.execStart).toBe('/usr/bin/dockerd');
  });

  it('malformed-daemon-json: one UsageError line naming the file, position and consequence', async () => {
    const run = gatherLocalFacts(fixtureProbe('malformed-daemon-json'), { dataRoot: '/var/lib/docker' });
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(
      /^\/etc\/docker\/daemon\.json is not valid JSON \(line 3, column 3: expected ',' or '\}' after the property value, found '"'\): dockerd will refuse to start with it; fix the file or move it aside\.$/,
    );
  });

  it('reads only what doctor needs: no apt setup with live-restore on, no container logs when the default driver is not json-file', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('healthy'), { dataRoot: '/var/lib/docker', liveRestore: true, loggingDriver: 'local' });
    expect(facts.upgrades).toBeNull();
    expect(facts.containerLogs).toBeNull();
    expect(facts.gaps.join(' ')).not.toMatch(/unattended|container log/i);
  });

  it('healthy: bounded logs, live-restore, docker blacklisted, data root on its own disk behind a symlink', async () => {
    const facts = await gatherLocalFacts(fixtureProbe('healthy'), { dataRoot: '/var/lib/docker' });
    const effective = facts.dockerConfig.settings.filter((s) => s.effective).map((s) => `${s.key}=${s.value}`);
    expect(effective).toEqual([
      'data-root=/data/docker',
      'storage-driver=overlay2',
      'log-driver=json-file',
      'live-restore=true',
      'log-opt=max-size=10m',
      'log-opt=max-file=3',
      'containerd=/run/containerd/containerd.sock',
    ]);
    expect(facts.upgrades).toMatchObject({ aptDailyUpgradeTimer: 'enabled', unattendedUpgrade: true, packageBlacklist: ['docker-ce', 'docker.io', 'containerd'] });
    expect(facts.dataRootFs).toMatchObject({ path: '/data/docker', mountPoint: '/data', device: '/dev/sdc1', deviceId: '8:33', mountOptions: ['rw', 'noatime'] });
    expect(facts.rootFs?.deviceId).toBe('253:0');
    // max-size bounds every log: doctor has nothing to say about them, so they are not walked (container-logs.test.ts walks them).
    expect(facts.containerLogs).toBeNull();
    expect(facts.gaps).toEqual(['lvs is not installed: thin pool details unknown.']);
  });
});

describe('gatherLocalFacts filesystem parts (fake probe)', () => {
  const mountinfo = [
    '1 0 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/centos-root rw,seclabel,attr2,inode64,noquota',
    '20 1 0:19 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw',
    '45 1 8:1 / /boot rw,relatime shared:26 - xfs /dev/sda1 rw,seclabel,attr2,inode64,noquota',
  ].join('\n');

  it('finds an XFS root with ftype=0 under a data root that does not exist yet', async () => {
    const probe = fakeHostProbe({
      files: { '/proc/self/mountinfo': mountinfo, '/proc/sys/kernel/osrelease': '3.10.0-327.el7.x86_64\n' },
      dirs: ['/var/lib'],
      statfs: { '/': usage(50 * 2 ** 30, 45 * 2 ** 30, 26_214_400, 25_000_000) },
      commands: { xfs_info: () => ({ code: 0, stdout: recorded('xfs_info-centos7-ftype0.txt'), stderr: '' }) },
    });
    const facts = await gatherLocalFacts(probe, { dataRoot: '/var/lib/docker' });
    expect(facts.dataRootFs).toEqual({
      path: '/var/lib/docker',
      mountPoint: '/',
      device: '/dev/mapper/centos-root',
      deviceId: '253:0',
      fsType: 'xfs',
      mountOptions: ['rw', 'relatime'],
      superOptions: ['rw', 'seclabel', 'attr2', 'inode64', 'noquota'],
      sizeBytes: 50 * 2 ** 30,
      usedBytes: 45 * 2 ** 30,
      availBytes: 5 * 2 ** 30,
      inodesTotal: 26_214_400,
      inodesFree: 25_000_000,
      xfsFtype: 0,
    });
    expect(facts.rootFs?.deviceId).toBe(facts.dataRootFs?.deviceId);
    expect(probe.calls).toContain('xfs_info /');
    expect(facts.gaps).toContain('/var/lib/docker does not exist here: its filesystem facts are those of /var/lib, where it would be created.');
    expect(facts.kernelRelease).toBe('3.10.0-327.el7.x86_64');
  });

  it('leaves ftype unknown, with a reason, when xfs_info is missing', async () => {
    const probe = fakeHostProbe({ files: { '/proc/self/mountinfo': mountinfo }, dirs: ['/var/lib/docker'], statfs: { '/': usage(1e9, 1e8) } });
    const facts = await gatherLocalFacts(probe, { dataRoot: '/var/lib/docker' });
    expect(facts.dataRootFs?.xfsFtype).toBeNull();
    expect(facts.gaps).toContain('xfs_info is not installed: whether the XFS filesystem at / has ftype=1 (d_type, needed by overlay2) is unknown; install xfsprogs.');
  });
});
