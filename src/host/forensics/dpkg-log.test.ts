import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDpkgLog } from './dpkg-log.js';
import { isEnginePackage } from './engine-packages.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/forensics/${name}`, import.meta.url)), 'utf8');
const J = '~ubuntu.22.04~jammy';

describe('parseDpkgLog', () => {
  it('keeps the unpack and configure steps of docker and containerd, not their plugins, man-db or libc', () => {
    const entries = parseDpkgLog(fixture('ubuntu-22.04/dpkg.log'), 0);
    expect(entries.map((e) => `${new Date(e.at).toISOString().slice(11, 19)} ${e.action} ${e.package} ${e.from} ${e.to}`)).toEqual([
      '06:20:14 upgrade containerd.io 1.6.19-1 1.6.20-1',
      '06:20:15 configure containerd.io 1.6.20-1 null',
      `06:20:18 upgrade docker-ce-cli 5:24.0.5-1${J} 5:24.0.6-1${J}`,
      `06:20:20 upgrade docker-ce 5:24.0.5-1${J} 5:24.0.6-1${J}`,
      `06:20:21 configure docker-ce-cli 5:24.0.6-1${J} null`,
      `06:20:22 configure docker-ce 5:24.0.6-1${J} null`,
    ]);
    expect(entries[0]).toEqual({ at: Date.UTC(2026, 10, 25, 6, 20, 14), action: 'upgrade', package: 'containerd.io', arch: 'amd64', from: '1.6.19-1', to: '1.6.20-1' });
  });

  it("keeps Debian's docker.io, containerd and runc, and kernels, in local time", () => {
    const entries = parseDpkgLog(fixture('debian-12/dpkg.log'), 60).filter((e) => e.at >= Date.UTC(2026, 2, 12));
    expect(entries.filter((e) => e.action === 'install' || e.action === 'upgrade').map((e) => [e.package, e.from, e.to])).toEqual([
      ['runc', '1.1.5+ds1-1+b1', '1.1.5+ds1-1+deb12u1'],
      ['containerd', '1.6.20~ds1-1+b1', '1.6.20~ds1-1+deb12u1'],
      ['docker.io', '20.10.24+dfsg1-1+b3', '20.10.24+dfsg1-1+deb12u1'],
      ['linux-image-6.1.0-33-amd64', null, '6.1.133-1'],
      ['linux-image-amd64', '6.1.129-1', '6.1.133-1'],
    ]);
    expect(entries[0]?.at).toBe(Date.UTC(2026, 2, 12, 13, 2, 24));
  });

  it('takes another filter, and reads trigproc, remove and purge lines', () => {
    const text = [
      '2026-11-25 06:20:25 trigproc man-db:amd64 2.10.2-1 <none>',
      '2026-11-25 07:00:01 remove docker.io:amd64 24.0.7-0ubuntu2~22.04.1 <none>',
      '2026-11-25 07:00:02 purge docker.io:amd64 24.0.7-0ubuntu2~22.04.1 <none>',
    ].join('\n');
    expect(parseDpkgLog(text, 0, () => true).map((e) => [e.action, e.package, e.from, e.to])).toEqual([
      ['trigproc', 'man-db', '2.10.2-1', null],
      ['remove', 'docker.io', '24.0.7-0ubuntu2~22.04.1', null],
      ['purge', 'docker.io', '24.0.7-0ubuntu2~22.04.1', null],
    ]);
  });

  it('reads CRLF, skips status/startup/conffile lines and torn or foreign lines, and gives nothing for an empty file', () => {
    const text = [
      '2026-11-25 06:20:14 startup archives unpack',
      '2026-11-25 06:20:14 status half-configured containerd.io:amd64 1.6.19-1',
      '2026-11-25 06:20:15 conffile /etc/containerd/config.toml keep',
      '2026-11-25 06:20:14 upgrade containerd.io:amd64 1.6.19-1 1.6.20-1',
      'garbage line',
      '2026-11-25 06:20:15 configure containerd.io:amd6',
    ].join('\r\n');
    expect(parseDpkgLog(text, 0).map((e) => e.action)).toEqual(['upgrade']);
    expect(parseDpkgLog('', 0)).toEqual([]);
  });
});

describe('isEnginePackage', () => {
  it('knows the packages that restart docker or containerd or change the kernel', () => {
    const yes = [
      'docker.io',
      'docker-ce',
      'docker-ce-cli',
      'containerd',
      'containerd.io',
      'runc',
      'moby-engine',
      'moby-containerd',
      'linux-image-6.1.0-33-amd64',
      'linux-image-generic',
      'docker-ce:amd64',
    ];
    const no = ['docker-compose-plugin', 'docker-buildx-plugin', 'docker-ce-rootless-extras', 'containerd-shim', 'linux-headers-6.1.0-33-amd64', 'runc-dbg'];
    expect(yes.filter((p) => !isEnginePackage(p))).toEqual([]);
    expect(no.filter(isEnginePackage)).toEqual([]);
  });
});
