import { describe, expect, it } from 'vitest';
import { demoMissing, osFamily, type MachineFacts } from './demo-prerequisites.js';

// What `dockwarden demo` says on a machine that cannot run it: the first thing missing,
// with the command that provides it on that distribution.

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';
const FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';
const ROCKY = 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\n';
const ALL = ['dockerd', 'docker', 'losetup', 'unshare', 'nsenter', 'ip', 'mkfs.ext4', 'mkfs.xfs'];

function machine(over: Partial<MachineFacts> = {}): MachineFacts {
  return { platform: 'linux', uid: 0, osRelease: DEBIAN, loopControl: true, tools: new Set(ALL), busybox: 'static', ...over };
}

const without = (...tools: string[]) => new Set(ALL.filter((t) => !tools.includes(t)));

describe('demoMissing', () => {
  it('says nothing when the machine has everything', () => {
    expect(demoMissing(machine(), 'ext4')).toBeNull();
  });

  it('refuses another OS and a user other than root, saying how to run it', () => {
    expect(demoMissing(machine({ platform: 'darwin' }), 'ext4')).toBe('dockwarden demo runs a private Docker engine on a Linux loop device, and this is darwin: run it in a Linux VM.');
    expect(demoMissing(machine({ uid: 1000 }), 'ext4')).toMatch(/must run as root .*: sudo npx dockwarden demo$/);
  });

  it("names the distribution's package for a missing engine", () => {
    expect(demoMissing(machine({ tools: without('dockerd') }), 'ext4')).toBe(
      "dockwarden demo needs the Docker engine (dockerd), which is not installed: apt-get install docker.io (the demo runs its own engine and never uses the host's).",
    );
    expect(demoMissing(machine({ tools: without('dockerd'), osRelease: UBUNTU }), 'ext4')).toContain('apt-get install docker.io');
    expect(demoMissing(machine({ tools: without('dockerd'), osRelease: FEDORA }), 'ext4')).toContain('dnf install moby-engine');
    expect(demoMissing(machine({ tools: without('docker'), osRelease: ROCKY }), 'ext4')).toContain('needs the docker CLI, which is not installed: dnf install moby-engine');
    expect(demoMissing(machine({ tools: without('dockerd'), osRelease: 'ID=gentoo\n' }), 'ext4')).toContain('install the Docker engine (dockerd) with your package manager');
  });

  it('asks for the mkfs of the filesystem chosen, and only that one', () => {
    expect(demoMissing(machine({ tools: without('mkfs.xfs') }), 'ext4')).toBeNull();
    expect(demoMissing(machine({ tools: without('mkfs.xfs') }), 'xfs')).toBe('dockwarden demo --fs xfs needs mkfs.xfs, which is not installed: apt-get install xfsprogs.');
    expect(demoMissing(machine(), 'btrfs')).toContain('apt-get install btrfs-progs');
  });

  it('says where loop devices come from, and which busybox builds its images', () => {
    expect(demoMissing(machine({ loopControl: false }), 'ext4')).toMatch(/\/dev\/loop-control is missing: modprobe loop/);
    expect(demoMissing(machine({ busybox: 'missing' }), 'ext4')).toBe('dockwarden demo builds its images from a static /bin/busybox, which is missing: apt-get install busybox-static.');
    expect(demoMissing(machine({ busybox: 'dynamic' }), 'ext4')).toContain('which is dynamically linked: apt-get install busybox-static');
  });
});

describe('osFamily', () => {
  it('reads ID and ID_LIKE, quoted or not', () => {
    expect([DEBIAN, UBUNTU, FEDORA, ROCKY, 'ID=alpine\n', 'ID=arch\n', 'ID="opensuse-leap"\nID_LIKE="suse opensuse"\n', ''].map(osFamily)).toEqual([
      'debian',
      'debian',
      'fedora',
      'fedora',
      'alpine',
      'arch',
      'suse',
      'other',
    ]);
  });
});
