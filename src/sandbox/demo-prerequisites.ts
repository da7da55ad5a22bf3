import { access, readFile } from 'node:fs/promises';
import { BUSYBOX, busyboxState } from './test-image.js';
import type { SandboxFs } from './options.js';
import { findTool } from './preflight.js';

// What `dockwarden demo` needs from the machine, checked before anything is made: the first
// thing missing, in one sentence with the command that provides it on this distribution.
// The demo installs nothing itself.

type Family = 'debian' | 'fedora' | 'suse' | 'arch' | 'alpine' | 'other';

/** Each tool, and the package that brings it per family (null: the family's base system has it). */
const TOOLS: Array<{ tool: string; what: string; pkg: Partial<Record<Family, string>> }> = [
  { tool: 'dockerd', what: 'the Docker engine (dockerd)', pkg: { debian: 'docker.io', fedora: 'moby-engine', suse: 'docker', arch: 'docker', alpine: 'docker' } },
  { tool: 'docker', what: 'the docker CLI', pkg: { debian: 'docker.io', fedora: 'moby-engine', suse: 'docker', arch: 'docker', alpine: 'docker-cli' } },
  { tool: 'losetup', what: 'losetup', pkg: { debian: 'mount', fedora: 'util-linux', suse: 'util-linux', arch: 'util-linux', alpine: 'losetup' } },
  { tool: 'unshare', what: 'unshare', pkg: { debian: 'util-linux', fedora: 'util-linux', suse: 'util-linux', arch: 'util-linux', alpine: 'util-linux-misc' } },
  { tool: 'nsenter', what: 'nsenter', pkg: { debian: 'util-linux', fedora: 'util-linux', suse: 'util-linux', arch: 'util-linux', alpine: 'util-linux-misc' } },
  { tool: 'ip', what: 'ip', pkg: { debian: 'iproute2', fedora: 'iproute', suse: 'iproute2', arch: 'iproute2', alpine: 'iproute2' } },
];

const MKFS: Record<SandboxFs, { tool: string; pkg: Partial<Record<Family, string>> }> = {
  ext4: { tool: 'mkfs.ext4', pkg: { debian: 'e2fsprogs', fedora: 'e2fsprogs', suse: 'e2fsprogs', arch: 'e2fsprogs', alpine: 'e2fsprogs' } },
  xfs: { tool: 'mkfs.xfs', pkg: { debian: 'xfsprogs', fedora: 'xfsprogs', suse: 'xfsprogs', arch: 'xfsprogs', alpine: 'xfsprogs' } },
  btrfs: { tool: 'mkfs.btrfs', pkg: { debian: 'btrfs-progs', fedora: 'btrfs-progs', suse: 'btrfsprogs', arch: 'btrfs-progs', alpine: 'btrfs-progs' } },
};

const BUSYBOX_PKG: Partial<Record<Family, string>> = { debian: 'busybox-static', fedora: 'busybox', suse: 'busybox', arch: 'busybox', alpine: 'busybox-static' };

const INSTALL: Record<Family, (pkg: string) => string> = {
  debian: (p) => `apt-get install ${p}`,
  fedora: (p) => `dnf install ${p}`,
  suse: (p) => `zypper install ${p}`,
  arch: (p) => `pacman -S ${p}`,
  alpine: (p) => `apk add ${p}`,
  other: (p) => `install ${p} with your package manager`,
};

/** The distribution family from /etc/os-release's ID and ID_LIKE. */
export function osFamily(osRelease: string): Family {
  const ids = [/^ID=(.*)$/m, /^ID_LIKE=(.*)$/m].flatMap((re) => (re.exec(osRelease)?.[1] ?? '').replace(/"/g, '').split(/\s+/));
  const has = (...names: string[]) => names.some((n) => ids.includes(n));
  if (has('debian', 'ubuntu')) return 'debian';
  if (has('fedora', 'rhel', 'centos')) return 'fedora';
  if (has('suse', 'opensuse')) return 'suse';
  if (has('arch')) return 'arch';
  if (has('alpine')) return 'alpine';
  return 'other';
}

function provide(family: Family, pkg: Partial<Record<Family, string>>, fallback: string): string {
  const name = pkg[family];
  return name ? INSTALL[family](name) : INSTALL.other(fallback);
}

export interface MachineFacts {
  platform: NodeJS.Platform;
  uid: number | null;
  osRelease: string;
  loopControl: boolean;
  /** Which of the tools are on PATH (or in the sbin directories). */
  tools: ReadonlySet<string>;
  /** /bin/busybox: absent, dynamically linked, or static. */
  busybox: 'missing' | 'dynamic' | 'static';
}

/** The first thing the demo lacks on this machine, as one sentence; null when nothing is. */
export function demoMissing(facts: MachineFacts, fs: SandboxFs): string | null {
  if (facts.platform !== 'linux') return `dockwarden demo runs a private Docker engine on a Linux loop device, and this is ${facts.platform}: run it in a Linux VM.`;
  if (facts.uid !== 0) return 'dockwarden demo must run as root (it loop-mounts a filesystem and starts a private dockerd): sudo npx dockwarden demo';
  const family = osFamily(facts.osRelease);
  for (const { tool, what, pkg } of TOOLS) {
    if (!facts.tools.has(tool)) return `dockwarden demo needs ${what}, which is not installed: ${provide(family, pkg, what)} (the demo runs its own engine and never uses the host's).`;
  }
  const mkfs = MKFS[fs];
  if (!facts.tools.has(mkfs.tool)) return `dockwarden demo --fs ${fs} needs ${mkfs.tool}, which is not installed: ${provide(family, mkfs.pkg, mkfs.tool)}.`;
  if (!facts.loopControl) return 'dockwarden demo needs loop devices and /dev/loop-control is missing: modprobe loop (in a container, run the demo on the host or in a VM instead).';
  if (facts.busybox !== 'static') {
    const state = facts.busybox === 'missing' ? 'missing' : 'dynamically linked';
    return `dockwarden demo builds its images from a static ${BUSYBOX}, which is ${state}: ${provide(family, BUSYBOX_PKG, 'a statically linked busybox')}.`;
  }
  return null;
}

/** Reads the machine facts demoMissing judges. */
export async function machineFacts(fs: SandboxFs): Promise<MachineFacts> {
  const names = [...TOOLS.map((t) => t.tool), MKFS[fs].tool];
  const found = await Promise.all(names.map(async (n) => ((await findTool(n)) ? n : null)));
  return {
    platform: process.platform,
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    osRelease: await readFile('/etc/os-release', 'utf8').catch(() => ''),
    loopControl: await access('/dev/loop-control').then(
      () => true,
      () => false,
    ),
    tools: new Set(found.filter((n): n is string => n !== null)),
    busybox: await busyboxState(),
  };
}
