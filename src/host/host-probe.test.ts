import { describe, expect, it } from 'vitest';
import { localHostProbe, usageFromStatfs } from './host-probe.js';
import { hostFixture } from './testing/fixtures.js';

describe('localHostProbe under a root prefix', () => {
  const probe = localHostProbe(hostFixture('healthy'));

  it('resolves an absolute symlink inside the prefix', async () => {
    expect(await probe.realPath('/var/lib/docker/containers')).toBe('/data/docker/containers');
    expect(await probe.readDir('/var/lib/docker/containers')).toEqual(['c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc']);
  });
  it('reads through links and answers null for what is absent', async () => {
    expect(await probe.readFile('/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer')).toContain('OnCalendar=*-*-* 6:00');
    expect(await probe.readFile('/etc/docker/missing.json')).toBeNull();
    expect(await probe.readDir('/nope')).toBeNull();
    expect(await probe.realPath('/var/lib/docker/volumes')).toBeNull();
  });
  it('reads a symlink itself without following it, and null for a plain file', async () => {
    expect(await probe.readLink('/var/lib/docker')).toBe('/data/docker');
    expect(await probe.readLink('/etc/docker/daemon.json')).toBeNull();
    expect(await localHostProbe(hostFixture('debian-default-ignored')).readLink('/etc/systemd/system/apt-daily-upgrade.timer')).toBe('/dev/null');
  });
  it('sizes regular files only', async () => {
    const id = 'c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc';
    expect(await probe.fileSize(`/var/lib/docker/containers/${id}/${id}-json.log`)).toBe(2048);
    expect(await probe.fileSize('/data/docker/containers')).toBeNull();
  });
  it('statfs answers for a path in the prefix', async () => {
    const u = await probe.statfs('/data/docker');
    expect(u.sizeBytes).toBeGreaterThan(0);
    expect(u.usedBytes + u.availBytes).toBeLessThanOrEqual(u.sizeBytes);
  });
  it('runs commands from the sbin/bin directories and says null for one that is not installed', async () => {
    expect(await probe.exec('true', [])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await probe.exec('false', []))?.code).toBe(1);
    expect(await probe.exec('dockwarden-no-such-tool', [])).toBeNull();
  });
});

describe('usageFromStatfs', () => {
  it('counts reserved blocks as used and only bavail as available, like df', () => {
    expect(usageFromStatfs({ bsize: 4096, blocks: 1000, bfree: 300, bavail: 250, files: 64, ffree: 10 })).toEqual({
      sizeBytes: 4_096_000,
      usedBytes: 2_867_200,
      availBytes: 1_024_000,
      inodesTotal: 64,
      inodesFree: 10,
    });
  });
});
