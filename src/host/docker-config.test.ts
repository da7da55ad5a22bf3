import { describe, expect, it } from 'vitest';
import { gatherDockerConfig } from './docker-config.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const UNIT = '[Service]\nType=notify\nExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock\n';

async function gather(files: Record<string, string>, links: Record<string, string> = {}) {
  const gaps: string[] = [];
  const config = await gatherDockerConfig(fakeHostProbe({ files, links }), gaps);
  return { config, gaps };
}

describe('gatherDockerConfig', () => {
  it('applies drop-ins in filename order across directories, a same-named one in /etc winning', async () => {
    const { config } = await gather({
      '/lib/systemd/system/docker.service': UNIT,
      '/lib/systemd/system/docker.service.d/10-root.conf': '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -g /from/lib\n',
      '/etc/systemd/system/docker.service.d/10-root.conf': '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -g /from/etc\n',
      '/run/systemd/system/docker.service.d/05-early.conf': '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -g /from/run\n',
    });
    expect(config.unitFiles).toEqual(['/lib/systemd/system/docker.service', '/run/systemd/system/docker.service.d/05-early.conf', '/etc/systemd/system/docker.service.d/10-root.conf']);
    expect(config.execStart).toBe('/usr/bin/dockerd -g /from/etc');
    const roots = config.settings.filter((s) => s.key === 'data-root');
    expect(roots.map((s) => [s.value, s.effective])).toEqual([
      ['/from/run', false],
      ['/from/etc', true],
    ]);
    expect(roots[0]?.ineffectiveReason).toBe('the empty `ExecStart=` in /etc/systemd/system/docker.service.d/10-root.conf clears this command line, so dockerd does not receive it');
  });

  it('uses a copy of the unit in /etc instead of the packaged one, and skips a drop-in masked with /dev/null', async () => {
    const { config } = await gather(
      {
        '/lib/systemd/system/docker.service': UNIT,
        '/etc/systemd/system/docker.service': '[Service]\nExecStart=/usr/bin/dockerd --data-root /etc/copy\n',
        '/lib/systemd/system/docker.service.d/50-log.conf': '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd --log-driver none\n',
      },
      { '/etc/systemd/system/docker.service.d/50-log.conf': '/dev/null' },
    );
    expect(config.unitFiles).toEqual(['/etc/systemd/system/docker.service']);
    expect(config.execStart).toBe('/usr/bin/dockerd --data-root /etc/copy');
  });

  it('says systemd refuses a drop-in that adds ExecStart= without clearing it first', async () => {
    const { config, gaps } = await gather({
      '/lib/systemd/system/docker.service': UNIT,
      '/etc/systemd/system/docker.service.d/override.conf': '[Service]\nExecStart=/usr/bin/dockerd --data-root /mnt/docker\n',
    });
    expect(config.execStart).toBe('/usr/bin/dockerd --data-root /mnt/docker');
    expect(gaps[0]).toMatch(/^docker.service has 2 ExecStart= lines .* systemd refuses to start it/);
  });

  it('honours --config-file and reports /etc/docker/daemon.json as unread', async () => {
    const { config } = await gather({
      '/lib/systemd/system/docker.service': '[Service]\nExecStart=/usr/bin/dockerd --config-file=/etc/docker/prod.json\n',
      '/etc/docker/prod.json': '{"data-root": "/prod"}',
      '/etc/docker/daemon.json': '{"data-root": "/looks-right-but-unread"}',
    });
    expect(config.daemonJsonPath).toBe('/etc/docker/prod.json');
    expect(config.daemonJson).toEqual({ 'data-root': '/prod' });
    expect(config.settings.filter((s) => s.key === 'data-root').map((s) => [s.value, s.file, s.effective, s.ineffectiveReason])).toEqual([
      ['/prod', '/etc/docker/prod.json', true, undefined],
      ['/looks-right-but-unread', '/etc/docker/daemon.json', false, 'dockerd is started with --config-file /etc/docker/prod.json, so /etc/docker/daemon.json is not read'],
    ]);
    expect(config.settings.find((s) => s.key === 'config-file')).toMatchObject({ value: '/etc/docker/prod.json', origin: 'systemd-unit', effective: true });
  });

  it('does not fail on a broken /etc/docker/daemon.json that dockerd is told not to read', async () => {
    const { config, gaps } = await gather({
      '/lib/systemd/system/docker.service': '[Service]\nExecStart=/usr/bin/dockerd --config-file /etc/docker/prod.json\n',
      '/etc/docker/prod.json': '{}',
      '/etc/docker/daemon.json': '{,}',
    });
    expect(config.daemonJsonExists).toBe(true);
    expect(gaps).toEqual([expect.stringMatching(/^\/etc\/docker\/daemon.json is not valid JSON .* \(dockerd reads \/etc\/docker\/prod.json instead, so this does not stop it\)\.$/)]);
  });

  it('takes /etc/default/docker as effective when there is no systemd unit (sysvinit, upstart)', async () => {
    const { config, gaps } = await gather({ '/etc/default/docker': 'DOCKER_OPTS="-g /data/docker"\n' });
    expect(config.execStart).toBeNull();
    expect(config.settings).toEqual([{ key: 'data-root', value: '/data/docker', origin: 'etc-default-docker', file: '/etc/default/docker', text: 'DOCKER_OPTS="-g /data/docker"', effective: true }]);
    expect(gaps[0]).toMatch(/^No docker.service unit was found/);
  });

  it('explains a variable that the unit reads but its command line does not use', async () => {
    const { config } = await gather({
      '/usr/lib/systemd/system/docker.service': '[Service]\nEnvironmentFile=-/etc/sysconfig/docker\nExecStart=/usr/bin/dockerd $OPTIONS\n',
      '/etc/systemd/system/docker.service.d/override.conf': '[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd://\n',
      '/etc/sysconfig/docker': "OPTIONS='--graph /data/docker'\n",
    });
    expect(config.settings.map((s) => [s.value, s.effective, s.ineffectiveReason])).toEqual([
      ['/data/docker', false, 'docker.service reads /etc/sysconfig/docker but its ExecStart (in /etc/systemd/system/docker.service.d/override.conf) does not use $OPTIONS, so OPTIONS is ignored'],
    ]);
  });

  it('attributes a flag from Environment= in a drop-in to that drop-in', async () => {
    const { config } = await gather({
      '/lib/systemd/system/docker.service': '[Service]\nExecStart=/usr/sbin/dockerd $DOCKER_OPTS\n',
      '/etc/systemd/system/docker.service.d/root.conf': '[Service]\nEnvironment="DOCKER_OPTS=--data-root /srv/docker"\n',
    });
    expect(config.settings).toEqual([
      {
        key: 'data-root',
        value: '/srv/docker',
        origin: 'systemd-drop-in',
        file: '/etc/systemd/system/docker.service.d/root.conf',
        text: 'Environment="DOCKER_OPTS=--data-root /srv/docker"',
        effective: true,
      },
    ]);
  });

  it('notes a masked docker.service and a required environment file that is missing', async () => {
    expect((await gather({}, { '/etc/systemd/system/docker.service': '/dev/null' })).gaps).toEqual([
      'docker.service is masked (/etc/systemd/system/docker.service -> /dev/null): systemd will not start dockerd, so its command line is unknown.',
    ]);
    const { gaps } = await gather({ '/lib/systemd/system/docker.service': '[Service]\nEnvironmentFile=/etc/docker/env\nExecStart=/usr/bin/dockerd\n' });
    expect(gaps).toEqual([
      'docker.service requires /etc/docker/env (EnvironmentFile= without "-" in /lib/systemd/system/docker.service) and it is missing or unreadable: systemd will refuse to start dockerd.',
    ]);
  });
});
