import { describe, expect, it } from 'vitest';
import { locateContainerd, parseContainerdArgs, parseContainerdConfig } from './containerd-root.js';
import type { ConfigSetting } from './local-facts.js';
import { fakeHostProbe } from './testing/fake-host-probe.js';

const flag = (key: string, value: string): ConfigSetting => ({ key, value, origin: 'dockerd-process', file: '/proc/1/cmdline', text: `--${key} ${value}`, effective: true });
const cmdline = (...argv: string[]) => `${argv.join('\0')}\0`;

describe('containerd config and flags', () => {
  it('reads root, the grpc address and a moved snapshotter from config formats 2 and 3', () => {
    expect(parseContainerdConfig('version = 2\nroot = "/data/containerd"\n[grpc]\n  address = "/run/c.sock"\n')).toEqual({ root: '/data/containerd', address: '/run/c.sock' });
    expect(parseContainerdConfig("version = 3\n[plugins.'io.containerd.snapshotter.v1.overlayfs']\n  root_path = '/fast/snapshots'\n")).toEqual({ snapshotterRoot: '/fast/snapshots' });
    expect(() => parseContainerdConfig('root = ')).toThrow();
  });

  it('reads the flags the way urfave/cli does', () => {
    expect(parseContainerdArgs(['/usr/bin/containerd', '--config', '/etc/c.toml', '--root=/r', '-a', '/s.sock'])).toEqual({ config: '/etc/c.toml', root: '/r', address: '/s.sock' });
  });
});

describe('locateContainerd', () => {
  it('finds the packaged containerd dockerd uses by default through /run/containerd/containerd.sock, and its configured root', async () => {
    const probe = fakeHostProbe({
      files: {
        '/run/containerd/containerd.sock': '',
        '/proc/812/cmdline': cmdline('/usr/bin/containerd'),
        '/etc/containerd/config.toml': 'version = 2\nroot = "/srv/containerd"\n',
      },
    });
    const gaps: string[] = [];
    const at = await locateContainerd(probe, { dataRoot: '/var/lib/docker', settings: [], infoAddress: null }, gaps);
    expect(at).toMatchObject({ address: '/run/containerd/containerd.sock', managedByDockerd: false, root: '/srv/containerd', pid: 812, configPath: '/etc/containerd/config.toml' });
    expect(at.rootSource).toBe('`root` in /etc/containerd/config.toml of containerd pid 812');
    expect(gaps).toEqual([]);
  });

  it('follows dockerd --containerd to the containerd listening there, whose --root wins over its config', async () => {
    const probe = fakeHostProbe({
      files: {
        '/proc/900/cmdline': cmdline('containerd', '--config', '/opt/a.toml'),
        '/opt/a.toml': 'root = "/a"\n[grpc]\naddress = "/run/a.sock"\n',
        '/proc/901/cmdline': cmdline('/usr/bin/containerd', '-c', '/opt/b.toml', '--root', '/b-flag'),
        '/opt/b.toml': 'root = "/b"\n[grpc]\naddress = "/var/run/b.sock"\n',
      },
    });
    const at = await locateContainerd(probe, { dataRoot: '/var/lib/docker', settings: [flag('containerd', '/run/b.sock')], infoAddress: null }, []);
    expect(at).toMatchObject({ root: '/b-flag', pid: 901, managedByDockerd: false, rootSource: '--root of containerd pid 901' });
  });

  it("puts dockerd's own containerd under the data root when its process cannot be seen", async () => {
    const at = await locateContainerd(fakeHostProbe({}), { dataRoot: '/data/docker', settings: [flag('exec-root', '/run/dx')], infoAddress: null }, []);
    expect(at).toMatchObject({ address: '/run/dx/containerd/containerd.sock', managedByDockerd: true, root: '/data/docker/containerd/daemon' });
  });

  it('prefers the address the engine reports in /info (Engine 27+), and says when it must assume the default root', async () => {
    const gaps: string[] = [];
    const at = await locateContainerd(fakeHostProbe({}), { dataRoot: '/var/lib/docker', settings: [], infoAddress: '/run/other.sock' }, gaps);
    expect(at).toMatchObject({ address: '/run/other.sock', managedByDockerd: false, root: '/var/lib/containerd', rootSource: "containerd's default" });
    expect(gaps[0]).toMatch(/No containerd process serving \/run\/other.sock is visible/);
  });

  it("says so when it may not look for the packaged containerd's socket, rather than quietly assuming dockerd's own", async () => {
    const host = fakeHostProbe({});
    const probe = { ...host, realPath: async (p: string) => (p.startsWith('/run/containerd/') ? Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })) : host.realPath(p)) };
    const gaps: string[] = [];
    const at = await locateContainerd(probe, { dataRoot: '/var/lib/docker', settings: [], infoAddress: null }, gaps);
    expect(at.managedByDockerd).toBe(true);
    expect(gaps[0]).toBe('/run/containerd/containerd.sock cannot be looked at (EACCES): dockerd is assumed to run its own containerd; run dockwarden as root.');
  });

  it('reports an unreadable or malformed config as a gap, not an error', async () => {
    const probe = fakeHostProbe({ files: { '/run/containerd/containerd.sock': '', '/proc/5/cmdline': cmdline('containerd'), '/etc/containerd/config.toml': 'root = [' } });
    const gaps: string[] = [];
    const at = await locateContainerd(probe, { dataRoot: '/var/lib/docker', settings: [], infoAddress: null }, gaps);
    expect(at.root).toBe('/var/lib/containerd');
    expect(gaps[0]).toMatch(/\/etc\/containerd\/config.toml is not valid TOML/);
  });
});
