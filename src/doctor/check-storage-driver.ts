import { driverEvidence, storageDriverOf, unknownDriverReason, type StorageDriver } from '../core/driver-name.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding, Fix } from '../finding.js';
import { daemonJsonPath, dataRoot, dockerWarnings, engineMajor, status } from './facts-view.js';

// The storage driver itself: overlay without d_type, devicemapper on loop files, and
// drivers Docker has deprecated or removed. These are the CentOS 7 hangs of DESIGN.md.

/** The move every storage story ends with: a fresh XFS (ftype=1) filesystem, overlay2, data-root there. */
function moveToOverlay2Fix(facts: HostFacts, summary: string, alternative: string[] = []): Fix {
  return {
    summary,
    commands: [
      '# a reviewed script (preflight, format, move, verify, rollback) for a new disk or partition, here /dev/sdX1:',
      'dockwarden plan overlay2 --device /dev/sdX1 --data-root /data/docker -o move-to-overlay2.sh',
      'less move-to-overlay2.sh && sudo bash move-to-overlay2.sh',
      ...alternative,
      '# what it does, by hand (this formats /dev/sdX1):',
      'mkfs.xfs -n ftype=1 /dev/sdX1',
      'mkdir -p /data/docker',
      'echo "UUID=$(blkid -s UUID -o value /dev/sdX1) /data/docker xfs defaults,pquota 0 0" >> /etc/fstab',
      'mount /data/docker && xfs_info /data/docker | grep ftype=1',
      'systemctl stop docker docker.socket containerd',
      `# ${daemonJsonPath(facts)}: { "data-root": "/data/docker", "storage-driver": "overlay2" }`,
      'systemctl start docker',
      "docker info --format '{{.Driver}} {{.DockerRootDir}} {{json .DriverStatus}}'",
      '# images do not carry over between drivers: pull them again (or docker save/load before the move)',
    ],
  };
}

const DEPRECATION: Record<string, { deprecated: string; removed: string }> = {
  devicemapper: { deprecated: '18.09', removed: '25.0' },
  aufs: { deprecated: '19.03', removed: '24.0' },
  overlay: { deprecated: '18.09', removed: '24.0' },
};

function noDtype(facts: HostFacts, driver: StorageDriver): CheckResult {
  const name = driver.name;
  if (name !== 'overlay' && name !== 'overlay2') return { findings: [], notChecked: [] };
  const dtype = status(facts, 'Supports d_type');
  const fs = facts.host?.dataRootFs;
  const xfsWithoutFtype = fs?.fsType === 'xfs' && fs.xfsFtype === 0;
  if (dtype === undefined && !fs) {
    return {
      findings: [],
      notChecked: [{ id: 'storage.no-dtype', reason: 'Neither "Supports d_type" (engines before 1.13 do not print it) nor the data root filesystem is known.' }],
    };
  }
  if (dtype !== 'false' && !xfsWithoutFtype) return { findings: [], notChecked: [] };
  const backing = status(facts, 'Backing Filesystem') ?? fs?.fsType ?? 'unknown';
  const evidence = [driverEvidence(driver), `Backing Filesystem: ${backing}`];
  if (dtype !== undefined) evidence.push(`Supports d_type: ${dtype}`);
  if (xfsWithoutFtype) evidence.push(`xfs_info ${fs.mountPoint}: ftype=0`);
  evidence.push(...dockerWarnings(facts, /d_type/i));
  const finding: Finding = {
    id: 'storage.no-dtype',
    severity: 'critical',
    title: `${name} runs on a filesystem without d_type`,
    detail:
      `The filesystem under ${dataRoot(facts) ?? 'the data root'} was made without d_type (XFS formatted with ftype=0, the old mkfs.xfs default on CentOS 7). ` +
      'overlay cannot tell file types apart there: files vanish inside containers, removals fail and hosts hang. Docker calls it unsupported; ' +
      'the only fix is a filesystem formatted with ftype=1 (ftype cannot be changed in place).',
    evidence,
    fix: moveToOverlay2Fix(facts, 'Move the data root to a new XFS filesystem formatted with ftype=1 and run overlay2 there.'),
  };
  return { findings: [finding], notChecked: [] };
}

function devicemapperLoop(facts: HostFacts, driver: StorageDriver): Finding[] {
  if (driver.name !== 'devicemapper') return [];
  const dataLoop = status(facts, 'Data loop file');
  const metaLoop = status(facts, 'Metadata loop file');
  const dataFile = status(facts, 'Data file');
  const onLoop = Boolean(dataLoop || metaLoop || dataFile?.startsWith('/dev/loop'));
  if (!onLoop) return [];
  const evidence = [driverEvidence(driver)];
  if (dataFile) evidence.push(`Data file: ${dataFile}`);
  if (dataLoop) evidence.push(`Data loop file: ${dataLoop}`);
  if (metaLoop) evidence.push(`Metadata loop file: ${metaLoop}`);
  evidence.push(...dockerWarnings(facts, /loopback/i));
  return [
    {
      id: 'storage.devicemapper-loop',
      severity: 'critical',
      title: 'devicemapper runs on loop files (loop-lvm)',
      detail:
        'loop-lvm stacks a thin pool on sparse files in the data root. It is meant for testing: it is slow, the pool fills without warning when the ' +
        'filesystem under it fills, and hosts hang or corrupt images. Docker warns against it for production.',
      evidence,
      fix: moveToOverlay2Fix(facts, 'Move to overlay2 on XFS (ftype=1); if the kernel is too old for overlay2, use devicemapper direct-lvm on a dedicated block device instead.', [
        '# only if this kernel cannot run overlay2: dockwarden plan direct-lvm --device /dev/sdX',
      ]),
    },
  ];
}

function deprecatedDriver(facts: HostFacts, driver: StorageDriver): Finding[] {
  const name = driver.name;
  const dates = DEPRECATION[name];
  if (!dates) return [];
  const major = engineMajor(facts);
  const version = facts.engine.info.ServerVersion;
  return [
    {
      id: 'storage.deprecated-driver',
      severity: 'warning',
      title: `The ${name} storage driver is deprecated`,
      detail:
        `Docker deprecated ${name} in ${dates.deprecated} and removed it in Engine ${dates.removed}: an engine upgrade to ${dates.removed} or later ` +
        `will not start with this configuration, and every image and container on this driver will have to be recreated.` +
        (major !== undefined && version ? ` This engine is ${version}.` : ''),
      evidence: [driverEvidence(driver), ...(version ? [`Server Version: ${version}`] : [])],
      fix: moveToOverlay2Fix(facts, 'Migrate to overlay2 before the next engine upgrade, and hold the docker package until then.'),
    },
  ];
}

const IDS = ['storage.no-dtype', 'storage.devicemapper-loop', 'storage.deprecated-driver'] as const;

export function checkStorageDriver(facts: HostFacts): CheckResult {
  const driver = storageDriverOf(facts.engine.info);
  if (!driver) {
    return { findings: [], notChecked: IDS.map((id) => ({ id, reason: 'The storage driver is not known (no "Storage Driver" line).' })) };
  }
  // A driver under a name dockwarden does not know could be any of the above: say so rather than pass it.
  if (!driver.known) return { findings: [], notChecked: IDS.map((id) => ({ id, reason: unknownDriverReason(driver) })) };
  const dtype = noDtype(facts, driver);
  return {
    findings: [...dtype.findings, ...devicemapperLoop(facts, driver), ...deprecatedDriver(facts, driver)],
    notChecked: dtype.notChecked,
  };
}
