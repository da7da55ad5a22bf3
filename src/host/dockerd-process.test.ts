import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findDockerdProcess, listenSockets } from './dockerd-process.js';
import { localHostProbe } from './host-probe.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

describe('listenSockets', () => {
  it('defaults to /run/docker.sock, and so does systemd socket activation', () => {
    expect(listenSockets(['/usr/bin/dockerd'])).toEqual(['/run/docker.sock']);
    expect(listenSockets(['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'])).toEqual(['/run/docker.sock']);
  });
  it('reads every -H/--host form and ignores TCP listeners', () => {
    const argv = ['dockerd', '-H', 'unix:///var/run/docker.sock', '--host=tcp://0.0.0.0:2376', '-Hunix:///tmp/x.sock', '--host', 'unix:///srv/d.sock'];
    expect(listenSockets(argv)).toEqual(['/run/docker.sock', '/tmp/x.sock', '/srv/d.sock']);
  });
});

describe('findDockerdProcess', () => {
  const root = mkdtempSync(join(tmpdir(), 'dw-proc-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const proc = (pid: number, argv: string[], cgroup: string) => {
    mkdirSync(join(root, 'proc', String(pid)), { recursive: true });
    writeFileSync(join(root, 'proc', String(pid), 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(join(root, 'proc', String(pid), 'cgroup'), cgroup);
  };
  proc(812, ['/usr/bin/dockerd', '-H', 'fd://', '--containerd=/run/containerd/containerd.sock'], '0::/system.slice/docker.service\n');
  proc(4242, ['/usr/sbin/dockerd', '--data-root', '/tmp/dw-1/mnt/docker', '--host', 'unix:///tmp/dw-1/docker.sock'], '0::/user.slice/session-3.scope\n');
  proc(99, ['/usr/bin/containerd'], '0::/system.slice/containerd.service\n');

  it("finds the unit's dockerd for the default socket, through /var/run", async () => {
    const found = await findDockerdProcess(localHostProbe(root), '/var/run/docker.sock', []);
    expect(found).toMatchObject({ pid: 812, startedByDockerService: true });
  });
  it('finds a dockerd started outside docker.service by its socket', async () => {
    const found = await findDockerdProcess(localHostProbe(root), '/tmp/dw-1/docker.sock', []);
    expect(found).toMatchObject({ pid: 4242, startedByDockerService: false });
    expect(found?.argv[2]).toBe('/tmp/dw-1/mnt/docker');
  });
  it('is null when no dockerd serves the socket', async () => {
    expect(await findDockerdProcess(localHostProbe(root), '/tmp/other.sock', [])).toBeNull();
  });
});

describe('findDockerdProcess when /proc cannot be read', () => {
  const dockerd = { '/proc/812/cmdline': '/usr/bin/dockerd\0-H\0fd://\0', '/proc/812/cgroup': '0::/system.slice/docker.service\n' };

  it('says why the dockerd could not be judged when its cgroup is unreadable', async () => {
    const gaps: string[] = [];
    const found = await findDockerdProcess(fakeHostProbe({ files: dockerd, denied: { '/proc/812/cgroup': 'EACCES' } }), '/run/docker.sock', gaps);
    expect(found).toMatchObject({ pid: 812, startedByDockerService: false });
    expect(gaps).toEqual(['/proc/812/cgroup cannot be read (EACCES): whether docker.service started dockerd 812 is unknown; its command line is taken as the running configuration.']);
  });

  it('says that processes it may not inspect could be the dockerd', async () => {
    const gaps: string[] = [];
    const probe = fakeHostProbe({ files: { ...dockerd, '/proc/900/cmdline': 'x' }, denied: { '/proc/812/cmdline': 'EACCES' } });
    expect(await findDockerdProcess(probe, '/run/docker.sock', gaps)).toBeNull();
    expect(gaps).toEqual(['The command lines of 1 of 2 processes cannot be read (EACCES): the dockerd serving /run/docker.sock may be among them; run dockwarden as root.']);
  });

  it('says that it could not look when /proc cannot be listed', async () => {
    const gaps: string[] = [];
    expect(await findDockerdProcess(fakeHostProbe({ files: dockerd, denied: { '/proc': 'EACCES' } }), '/run/docker.sock', gaps)).toBeNull();
    expect(gaps).toEqual(['/proc cannot be listed (EACCES): the dockerd serving /run/docker.sock was not looked for.']);
  });

  it('has nothing to say about a process that ended while it looked', async () => {
    const gaps: string[] = [];
    const probe = fakeHostProbe({ files: { ...dockerd, '/proc/902/cmdline': 'gone' }, denied: { '/proc/902/cmdline': 'ESRCH' } });
    expect(await findDockerdProcess(probe, '/run/docker.sock', gaps)).toMatchObject({ pid: 812 });
    expect(gaps).toEqual([]);
  });
});
