import type { DockerInfo } from '../engine/docker-info.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding, Fix } from '../finding.js';

// Docker Desktop runs the engine in a VM it owns (LinuxKit on macOS, Windows Hyper-V and
// Linux; a WSL 2 distribution on Windows), on a virtual disk that is one file on the
// user's computer. There is no partition to format, no fstab, no systemd and no
// /etc/docker/daemon.json to edit inside it: Desktop sets the disk's size in Settings >
// Resources > Advanced and writes daemon.json from Settings > Docker Engine. The checks
// speak of Linux servers; on Desktop their fixes are replaced here, in one place, with
// Desktop's own, keeping each finding's id, severity, title and detail.

/** The `docker info` line that shows the engine is Docker Desktop's, or undefined when it is not. */
export function dockerDesktopEvidence(info: DockerInfo): string | undefined {
  const os = info.OperatingSystem?.trim() ?? '';
  // "Docker Desktop" since Desktop 2.x; "Docker for Mac" / "Docker for Windows" before it.
  if (/^Docker (Desktop|for (Mac|Windows))\b/i.test(os)) return `Operating System: ${os}`;
  const kernel = info.KernelVersion?.trim() ?? '';
  // Desktop's VM kernel: "6.10.14-linuxkit" (and "4.9.93-linuxkit-aufs"); "4.9.12-moby" before LinuxKit.
  if (/-linuxkit\b|-moby$/.test(kernel)) return `Kernel Version: ${kernel}`;
  const label = info.Labels?.find((l) => l.startsWith('com.docker.desktop.address='));
  if (label) return `Labels: ${label}`;
  // With the WSL 2 backend the kernel is Microsoft's; the VM is named docker-desktop.
  if (info.Name === 'docker-desktop' && /microsoft-standard-WSL2/i.test(kernel)) return `Name: docker-desktop (Kernel Version: ${kernel})`;
  return undefined;
}

const DISK_LIMIT = '# Docker Desktop: Settings > Resources > Advanced: raise the virtual disk limit ("Disk usage limit" or "Disk image size" in some versions), then Apply & restart';
const ENGINE_SETTINGS = 'Settings > Docker Engine';

/** Work on disks, filesystems and volume groups, which Desktop's VM does not let anyone do. */
const DISK_WORK =
  /\bmkfs\b|\bmkfs\.|blkid|fstab|xfs_info|\bu?mount\b|\blv(extend|change|convert|s)\b|\bvgs\b|vgextend|pvcreate|zpool|zfs create|\brsync\b|dockwarden plan|rootflags|RequiresMountsFor|\/dev\/sd/;
/** Lines that act on a Linux host's services and files, which Desktop manages itself. */
const HOST_ONLY = /\bsystemctl\b|journalctl|\btruncate\b|unattended-upgrade|\/etc\/apt\//;

const DRIVER_FIX: Fix = {
  summary: `Docker Desktop chooses the storage driver of its VM: remove "storage-driver" and "storage-opts" in ${ENGINE_SETTINGS} so it uses its default.`,
  commands: [
    `# Docker Desktop: ${ENGINE_SETTINGS}: delete "storage-driver" and "storage-opts" from the JSON, then Apply & restart`,
    "docker info --format '{{.Driver}} {{json .DriverStatus}}'",
    '# images do not carry over between drivers: docker save them first, or pull them again',
  ],
};

const SPACE_FIX: Fix = {
  summary: "Docker Desktop keeps images, containers and volumes on its VM's virtual disk: free space in it, and raise its limit in Settings > Resources > Advanced.",
  commands: [
    'docker system df -v',
    'dockwarden gc --dry-run   # then without --dry-run: least recently used images first, never those a container uses',
    'docker system prune   # stopped containers, unused networks, dangling images, build cache; -a for every unused image',
    DISK_LIMIT,
  ],
};

function sizeLimitFix(finding: Finding): Fix {
  // overlay2.size needs XFS project quota, which Desktop's VM disk does not have.
  const sizeOpt = finding.evidence.some((e) => e.includes('overlay2.size'));
  return {
    summary:
      "On Docker Desktop containers share the VM's virtual disk, and its limit in Settings > Resources > Advanced caps them all together" +
      (sizeOpt ? `; remove the overlay2.size storage-opt in ${ENGINE_SETTINGS}, which that disk cannot enforce.` : '.'),
    commands: [...(sizeOpt ? [`# Docker Desktop: ${ENGINE_SETTINGS}: delete "overlay2.size=…" in "storage-opts", then Apply & restart`] : []), 'docker system df -v', DISK_LIMIT],
  };
}

const DATA_ROOT_FIX: Fix = {
  summary: `Docker Desktop keeps the data root inside its VM: remove "data-root" (and "graph") in ${ENGINE_SETTINGS}; to keep the data on another drive, change the disk image location in Settings > Resources > Advanced.`,
  commands: [
    `# Docker Desktop: ${ENGINE_SETTINGS}: delete "data-root" and "graph" from the JSON, then Apply & restart`,
    '# Docker Desktop: Settings > Resources > Advanced > Disk image location: a folder on the drive with room',
    "docker info --format '{{.DockerRootDir}}'",
  ],
};

const DISK_LOCATION_FIX: Fix = {
  summary: "Docker Desktop's VM disk is one file on this computer: to keep it off the system drive, choose its folder in Settings > Resources > Advanced > Disk image location.",
  commands: ['# Docker Desktop: Settings > Resources > Advanced > Disk image location: a folder on another drive, then Apply & restart (Desktop moves the disk)', 'docker system df'],
};

const UPGRADE_FIX: Fix = {
  summary: "Docker Desktop updates its engine itself and restarts its VM to do it, not through this host's package manager: choose when in Settings > Software updates.",
  commands: ['# Docker Desktop: Settings > Software updates: turn off automatic downloads, and update when a restart suits you'],
};

/** Desktop's fix for each family of findings (the id before the dot) whose usual fix works on the host's disks or services. */
const BY_FAMILY: Record<string, (finding: Finding) => Fix> = {
  storage: () => DRIVER_FIX,
  thinpool: () => DRIVER_FIX,
  'data-root': () => DATA_ROOT_FIX,
  disk: () => SPACE_FIX,
  sizelimit: sizeLimitFix,
  upgrade: () => UPGRADE_FIX,
};

/** "# /etc/docker/daemon.json: { … }" (or the file --config-file names) -> the same settings, entered where Desktop takes them. */
function desktopLine(command: string): string | undefined {
  const daemonJson = /^#\s*\/\S+\.json:\s*(.*)$/.exec(command);
  if (daemonJson) return `# Docker Desktop: ${ENGINE_SETTINGS}: merge ${daemonJson[1]} into the JSON there, then Apply & restart (it restarts the engine)`;
  return HOST_ONLY.test(command) ? undefined : command;
}

function desktopFix(finding: Finding): Fix {
  const { fix } = finding;
  if (finding.id === 'data-root.on-root-fs') return DISK_LOCATION_FIX;
  const family = BY_FAMILY[finding.id.split('.')[0] ?? ''];
  if (family) return family(finding);
  // Any other finding: disk work has no place on Desktop; daemon.json settings go to Settings > Docker Engine.
  if (fix.commands.some((c) => DISK_WORK.test(c)) || DISK_WORK.test(fix.summary)) return SPACE_FIX;
  const commands = fix.commands.flatMap((c) => desktopLine(c) ?? []);
  const changed = commands.length !== fix.commands.length || commands.some((c, i) => c !== fix.commands[i]);
  if (!changed) return fix;
  const summary = fix.summary
    .replace(/\bdaemon\.json\b/g, `${ENGINE_SETTINGS} (Docker Desktop's daemon.json)`)
    .replace(/,? and restart docker\b/, '')
    // The logs are inside the VM, out of reach of truncate.
    .replace(/;\s*truncate [^.]*/, '');
  return { summary, commands };
}

/** On Docker Desktop, every fix in Desktop's terms; elsewhere the result as it is. */
export function adaptForDockerDesktop(facts: HostFacts, result: CheckResult): CheckResult {
  const evidence = dockerDesktopEvidence(facts.engine.info);
  if (!evidence) return result;
  const findings = result.findings.map((f) => ({
    ...f,
    evidence: f.evidence.includes(evidence) ? f.evidence : [...f.evidence, evidence],
    fix: desktopFix(f),
  }));
  return { findings, notChecked: result.notChecked };
}
