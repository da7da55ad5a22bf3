import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { SandboxFs } from './options.js';

// Checks made before anything is created, so a missing tool gives one clear sentence
// instead of a half-built sandbox and an exit code from mkfs or mount.

const INSTALL_HINT = 'run `bash scripts/install-test-deps.sh` as root';

const MKFS: Record<SandboxFs, { tool: string; pkg: string }> = {
  ext4: { tool: 'mkfs.ext4', pkg: 'e2fsprogs' },
  xfs: { tool: 'mkfs.xfs', pkg: 'xfsprogs' },
  btrfs: { tool: 'mkfs.btrfs', pkg: 'btrfs-progs' },
};

/** Finds a tool on PATH, also in the sbin directories a non-login root shell may lack. */
export async function findTool(name: string, pathEnv = process.env['PATH'] ?? ''): Promise<string | null> {
  const dirs = [...pathEnv.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return null;
}

const OTHER_TOOLS: Array<[tool: string, pkg: string]> = [
  ['mount', 'mount'],
  ['umount', 'mount'],
  ['losetup', 'mount'],
  ['unshare', 'util-linux'],
  ['nsenter', 'util-linux'],
  ['ip', 'iproute2'],
];

export interface Tools {
  dockerd: string;
  mkfs: string;
}

export async function preflight(fs: SandboxFs): Promise<Tools> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('The Docker sandbox must run as root: it loop-mounts a filesystem and starts dockerd. Run the command with sudo.');
  }
  const dockerd = await findTool('dockerd');
  if (!dockerd) throw new Error(`dockerd is not installed; ${INSTALL_HINT} (installs Debian's docker.io without starting it).`);
  const { tool, pkg } = MKFS[fs];
  const mkfs = await findTool(tool);
  if (!mkfs) throw new Error(`${tool} is not installed, so no ${fs} sandbox can be made; ${INSTALL_HINT} (package ${pkg}).`);
  for (const [needed, pkg] of OTHER_TOOLS) {
    if (!(await findTool(needed))) throw new Error(`${needed} is not installed; the sandbox needs it (package ${pkg}).`);
  }
  return { dockerd, mkfs };
}
