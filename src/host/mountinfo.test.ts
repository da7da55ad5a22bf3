import { describe, expect, it } from 'vitest';
import { filesystemMountOf, findMountFor, parseMountinfo, unescapeMountinfo } from './mountinfo.js';

const MOUNTINFO = [
  '28 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/ubuntu--vg-ubuntu--lv rw',
  '23 28 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw',
  '95 28 8:17 / /mnt/docker\\040data rw,noatime shared:52 master:3 - xfs /dev/sdb1 rw,attr2,inode64,logbufs=8,logbsize=32k,prjquota',
  '96 28 8:33 /docker /var/lib/docker rw,relatime - ext4 /dev/sdc1 rw',
  '97 28 8:49 / /var/lib/docker rw,relatime - xfs /dev/sdd1 rw',
  '98 28 0:45 / /var/lib/docker-not-this rw - tmpfs tmpfs rw',
  'garbage line',
].join('\n');

describe('parseMountinfo', () => {
  const mounts = parseMountinfo(MOUNTINFO);

  it('reads every field, optional ones up to the lone "-"', () => {
    expect(mounts).toHaveLength(6);
    expect(mounts[2]).toEqual({
      mountId: 95,
      parentId: 28,
      deviceId: '8:17',
      root: '/',
      mountPoint: '/mnt/docker data',
      mountOptions: ['rw', 'noatime'],
      optionalFields: ['shared:52', 'master:3'],
      fsType: 'xfs',
      source: '/dev/sdb1',
      superOptions: ['rw', 'attr2', 'inode64', 'logbufs=8', 'logbsize=32k', 'prjquota'],
    });
  });
  it('decodes the octal escapes the kernel uses for space, tab, newline and backslash', () => {
    expect(unescapeMountinfo('/a\\040b\\011c\\012d\\134e')).toBe('/a b\tc\nd\\e');
  });
  it('keeps the root of a bind mount', () => {
    expect(mounts[3]?.root).toBe('/docker');
  });
});

describe('findMountFor', () => {
  const mounts = parseMountinfo(MOUNTINFO);
  it('picks the longest mount point that is a prefix of the path', () => {
    expect(findMountFor(mounts, '/mnt/docker data/overlay2')?.deviceId).toBe('8:17');
    expect(findMountFor(mounts, '/home/user')?.mountPoint).toBe('/');
  });
  it('does not take /var/lib/docker-not-this for /var/lib/docker, nor the other way round', () => {
    expect(findMountFor(mounts, '/var/lib/docker-not-this/x')?.fsType).toBe('tmpfs');
    expect(findMountFor(mounts, '/var/lib/dockerx')?.mountPoint).toBe('/');
  });
  it('takes the later of two mounts on one mount point: it is stacked on top', () => {
    expect(findMountFor(mounts, '/var/lib/docker')?.source).toBe('/dev/sdd1');
  });
  it('finds nothing in an empty table', () => {
    expect(findMountFor([], '/')).toBeNull();
  });
});

describe('filesystemMountOf', () => {
  // Recorded from a sandbox: dockerd's self-bind of its root (44) inside the xfs mount (43).
  const mounts = parseMountinfo(
    [
      '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
      '43 26 7:0 / /tmp/dw-1/mnt rw,relatime - xfs /dev/loop0 rw,inode64,noquota',
      '44 43 7:0 /docker /tmp/dw-1/mnt/docker rw,relatime shared:1 - xfs /dev/loop0 rw,inode64,noquota',
      '45 26 254:0 /var/lib/docker /var/lib/docker rw,relatime shared:2 - ext4 /dev/vda rw',
      '46 26 0:40 /@docker /srv/docker rw,relatime - btrfs /dev/vdb rw,subvol=/@docker',
    ].join('\n'),
  );
  const at = (path: string) => filesystemMountOf(mounts, findMountFor(mounts, path)!).mountPoint;

  it("looks through dockerd's self-bind of its root to the filesystem's own mount", () => {
    expect(at('/tmp/dw-1/mnt/docker/overlay2')).toBe('/tmp/dw-1/mnt');
    expect(at('/var/lib/docker')).toBe('/');
  });
  it('keeps a btrfs subvolume mount, which has no parent of the same device', () => {
    expect(at('/srv/docker')).toBe('/srv/docker');
  });
});
