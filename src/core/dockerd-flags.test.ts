import { describe, expect, it } from 'vitest';
import { parseDockerdFlags } from './dockerd-flags.js';

const pairs = (argv: string[]) => parseDockerdFlags(argv).map((f) => [f.key, f.value]);

describe('parseDockerdFlags', () => {
  it('reads every spelling of the data root', () => {
    expect(pairs(['dockerd', '--data-root', '/a', '--data-root=/b', '-g', '/c', '-g=/d', '-g/e', '--graph', '/f', '--graph=/g'])).toEqual([
      ['data-root', '/a'],
      ['data-root', '/b'],
      ['data-root', '/c'],
      ['data-root', '/d'],
      ['data-root', '/e'],
      ['data-root', '/f'],
      ['data-root', '/g'],
    ]);
  });
  it('reads storage, logging, live-restore, config-file and containerd flags and skips the rest', () => {
    const argv = [
      '/usr/bin/dockerd',
      '-H',
      'fd://',
      '--containerd=/run/containerd/containerd.sock',
      '-s',
      'devicemapper',
      '--storage-opt',
      'dm.thinpooldev=/dev/mapper/docker-thinpool',
      '--log-driver=journald',
      '--log-opt',
      'max-size=10m',
      '--live-restore',
      '--config-file',
      '/etc/docker/other.json',
      '--exec-opt',
      'native.cgroupdriver=systemd',
    ];
    expect(pairs(argv)).toEqual([
      ['containerd', '/run/containerd/containerd.sock'],
      ['storage-driver', 'devicemapper'],
      ['storage-opt', 'dm.thinpooldev=/dev/mapper/docker-thinpool'],
      ['log-driver', 'journald'],
      ['log-opt', 'max-size=10m'],
      ['live-restore', 'true'],
      ['config-file', '/etc/docker/other.json'],
    ]);
  });
  it('records the words and their indexes', () => {
    expect(parseDockerdFlags(['dockerd', '-H', 'fd://', '-g', '/mnt/docker'])).toEqual([{ key: 'data-root', value: '/mnt/docker', words: ['-g', '/mnt/docker'], indexes: [3, 4] }]);
  });
  it('reads --live-restore=false', () => {
    expect(pairs(['dockerd', '--live-restore=false'])).toEqual([['live-restore', 'false']]);
  });
  it('reads the pre-1.12 `docker daemon` form', () => {
    expect(pairs(['/usr/bin/docker', 'daemon', '-H', 'fd://', '-s', 'overlay', '-g', '/data'])).toEqual([
      ['storage-driver', 'overlay'],
      ['data-root', '/data'],
    ]);
  });
  it('does not read an old single-dash long flag as a shorthand with a glued value', () => {
    expect(pairs(['dockerd', '-selinux-enabled', '-soverlay2'])).toEqual([['storage-driver', 'overlay2']]);
  });
});
