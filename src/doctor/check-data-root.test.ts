import { describe, expect, it } from 'vitest';
import { checkDataRoot } from './check-data-root.js';
import { CONTAINERD_STORE_INFO, makeContainerd, makeFacts, makeFs, makeLocal, makeSetting } from './testing/build-facts.js';

const ids = (facts: ReturnType<typeof makeFacts>) => checkDataRoot(facts).findings.map((f) => `${f.id}:${f.severity}`);

describe('data-root.on-root-fs', () => {
  it('fires when the data root and / are the same device', () => {
    const host = makeLocal({ dataRootFs: makeFs({ mountPoint: '/', deviceId: '8:1' }), rootFs: makeFs({ mountPoint: '/', deviceId: '8:1' }) });
    const finding = checkDataRoot(makeFacts({ host })).findings.find((f) => f.id === 'data-root.on-root-fs');
    expect(finding?.severity).toBe('warning');
    expect(finding?.evidence.join('\n')).toContain('(8:1)');
  });
  it('is quiet when the data root has its own filesystem', () => {
    expect(ids(makeFacts())).toEqual([]);
  });
  it('says it could not check without host facts', () => {
    expect(checkDataRoot(makeFacts({ host: null })).notChecked.map((n) => n.id)).toEqual(['data-root.on-root-fs', 'data-root.config-conflict']);
  });
});

describe('data-root.config-conflict', () => {
  const dropIn = (value: string, flag = '-g') =>
    makeSetting('data-root', value, {
      origin: 'systemd-drop-in',
      file: '/etc/systemd/system/docker.service.d/override.conf',
      text: `ExecStart=/usr/bin/dockerd -H fd:// ${flag} ${value}`,
    });

  it('is critical when daemon.json and a drop-in flag both set the root (dockerd will not start)', () => {
    const host = makeLocal({}, [makeSetting('data-root', '/data/docker'), dropIn('/data/docker')]);
    const facts = makeFacts({ host, info: { DockerRootDir: '/data/docker' } });
    const [finding] = checkDataRoot(facts).findings;
    expect(finding?.id).toBe('data-root.config-conflict');
    expect(finding?.severity).toBe('critical');
    expect(finding?.evidence).toEqual([
      '/etc/docker/daemon.json: "data-root": "/data/docker"',
      '/etc/systemd/system/docker.service.d/override.conf: ExecStart=/usr/bin/dockerd -H fd:// -g /data/docker',
    ]);
    expect(finding?.fix.commands[0]).toBe('dockwarden config set data-root /data/docker --remove-conflicting-flags   # or by hand:');
    expect(finding?.fix.commands[1]).toContain('remove the -g/--graph flag');
  });

  it('is critical when daemon.json has both "graph" and "data-root"', () => {
    const host = makeLocal({}, [makeSetting('data-root', '/data/a', { text: '"graph": "/data/a"' }), makeSetting('data-root', '/data/a')]);
    host.dockerConfig.daemonJson = { graph: '/data/a', 'data-root': '/data/a' };
    const titles = checkDataRoot(makeFacts({ host, info: { DockerRootDir: '/data/a' } })).findings.map((f) => f.title);
    expect(titles).toContain('daemon.json sets both "graph" and "data-root"');
  });

  it('is critical when the running root is not the configured one (the images "disappeared")', () => {
    const host = makeLocal({}, [makeSetting('data-root', '/srv/docker')]);
    const [finding] = checkDataRoot(makeFacts({ host, info: { DockerRootDir: '/var/lib/docker' } })).findings;
    expect(finding?.title).toBe('The engine runs on /var/lib/docker, not on the configured /srv/docker');
    expect(finding?.severity).toBe('critical');
  });

  it('accepts the userns-remap subdirectory and trailing slashes as the configured root', () => {
    const host = makeLocal({}, [makeSetting('data-root', '/srv/docker/')]);
    expect(ids(makeFacts({ host, info: { DockerRootDir: '/srv/docker/165536.165536' } }))).toEqual([]);
  });

  it('warns about a root set where dockerd never reads it (DOCKER_OPTS under systemd)', () => {
    const ignored = makeSetting('data-root', '/data/docker', {
      origin: 'etc-default-docker',
      file: '/etc/default/docker',
      text: 'DOCKER_OPTS="-g /data/docker"',
      effective: false,
      ineffectiveReason: 'docker.service does not read /etc/default/docker, so DOCKER_OPTS is ignored under systemd.',
    });
    const [finding] = checkDataRoot(makeFacts({ host: makeLocal({}, [ignored]) })).findings;
    expect(finding?.severity).toBe('warning');
    expect(finding?.detail).toContain('does not read /etc/default/docker');
  });

  it('is quiet for a single daemon.json root the engine runs on', () => {
    const host = makeLocal({}, [makeSetting('data-root', '/srv/docker')]);
    expect(ids(makeFacts({ host, info: { DockerRootDir: '/srv/docker' } }))).toEqual([]);
  });
});

describe("data-root.on-root-fs with containerd's image store", () => {
  const rootFs = makeFs({ path: '/', mountPoint: '/', device: '/dev/sda1', deviceId: '8:1' });
  const onRoot = (containerd: Parameters<typeof makeContainerd>[0]) => makeFacts({ info: CONTAINERD_STORE_INFO, host: makeLocal({ rootFs, containerd: makeContainerd(containerd) }) });

  it("warns when containerd's root shares / while the data root has its own disk, and moves containerd's root", () => {
    const finding = checkDataRoot(onRoot({ rootFs: { ...rootFs, path: '/var/lib/containerd' } })).findings.find((f) => f.id === 'data-root.on-root-fs');
    expect(finding?.title).toBe("containerd's root /var/lib/containerd shares the root filesystem");
    expect(finding?.evidence).toContain('containerd root: /var/lib/containerd (`root` in /etc/containerd/config.toml of containerd pid 812)');
    expect(finding?.fix.summary).toMatch(/point `root` in \/etc\/containerd\/config.toml at it/);
    expect(finding?.fix.commands.join('\n')).toContain('rsync -aHAX --numeric-ids /var/lib/containerd/ /data/containerd/');
  });

  it('is quiet when both roots have disks of their own', () => {
    expect(checkDataRoot(onRoot({})).findings.filter((f) => f.id === 'data-root.on-root-fs')).toEqual([]);
  });

  it("says images stay in a separate containerd's root when it is the data root that shares /", () => {
    const facts = makeFacts({ info: CONTAINERD_STORE_INFO, host: makeLocal({ rootFs, dataRootFs: { ...rootFs, path: '/var/lib/docker' }, containerd: makeContainerd() }) });
    const finding = checkDataRoot(facts).findings.find((f) => f.id === 'data-root.on-root-fs');
    expect(finding?.title).toBe('The data root /var/lib/docker shares the root filesystem');
    expect(finding?.fix.summary).toContain("Images stay in containerd's root /var/lib/containerd");
  });

  it("lists containerd's root as not checked when the snapshot cannot tell, also beside a finding about the data root", () => {
    const facts = makeFacts({ info: CONTAINERD_STORE_INFO, host: makeLocal({ rootFs }) });
    expect(checkDataRoot(facts).notChecked.find((n) => n.id === 'data-root.on-root-fs')?.reason).toMatch(/containerd's root/);
    const sharing = makeFacts({ info: CONTAINERD_STORE_INFO, host: makeLocal({ rootFs, dataRootFs: { ...rootFs, path: '/var/lib/docker' } }) });
    const result = checkDataRoot(sharing);
    expect(result.findings.map((f) => f.id)).toContain('data-root.on-root-fs');
    expect(result.notChecked.find((n) => n.id === 'data-root.on-root-fs')?.reason).toMatch(/containerd's root/);
  });
});
