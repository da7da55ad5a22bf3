import { storageDriverOf, unknownDriverReason } from '../core/driver-name.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding } from '../finding.js';
import { daemonJsonPath, effectiveSettings, settingEvidence, status } from './facts-view.js';

// Per-container size limits (`--storage-opt size=`). devicemapper has dm.basesize, zfs and
// btrfs have quotas; overlay2 needs XFS mounted with project quota ("pquota"), and dockerd
// refuses to start when overlay2.size is configured without it.

const PQUOTA = new Set(['pquota', 'prjquota']);

function overlayQuota(facts: HostFacts): CheckResult {
  const fs = facts.host?.dataRootFs;
  const backing = fs?.fsType ?? status(facts, 'Backing Filesystem');
  if (!backing) {
    return { findings: [], notChecked: [{ id: 'sizelimit.unavailable', reason: 'The backing filesystem of overlay2 is not known.' }] };
  }
  const onXfs = backing === 'xfs';
  if (onXfs && !fs) {
    return { findings: [], notChecked: [{ id: 'sizelimit.unavailable', reason: 'overlay2 is on XFS but its mount options (pquota) are not known here.' }] };
  }
  // A mount's own options and its superblock's overlap ("rw" is in both, always): one list, each once.
  const options = fs ? [...new Set([...fs.mountOptions, ...fs.superOptions])] : [];
  const hasPquota = options.some((o) => PQUOTA.has(o));
  if (onXfs && hasPquota) return { findings: [], notChecked: [] };
  const sizeOpt = effectiveSettings(facts, 'storage-opt').find((s) => s.value.startsWith('overlay2.size='));
  const mount = fs ? `${fs.mountPoint}: ${fs.fsType} (${options.join(',')})` : `Backing Filesystem: ${backing}`;
  const finding: Finding = {
    id: 'sizelimit.unavailable',
    severity: sizeOpt ? 'critical' : 'info',
    title: sizeOpt ? 'overlay2.size is configured but the filesystem has no project quota' : 'Container size limits cannot be enforced on this filesystem',
    detail: sizeOpt
      ? 'dockerd refuses to start with overlay2.size unless the data root is XFS mounted with pquota; the running engine predates the setting, and the next restart will fail.'
      : '`docker run --storage-opt size=` works with overlay2 only on XFS mounted with pquota. Here one container can fill the whole data root filesystem.',
    evidence: ['Storage Driver: overlay2', mount, ...(sizeOpt ? [settingEvidence(sizeOpt)] : [])],
    fix: {
      summary: onXfs ? 'Mount the XFS data root with pquota (it needs a remount from fstab, not `mount -o remount`).' : 'Move the data root to XFS mounted with pquota.',
      commands: onXfs
        ? [
            `# /etc/fstab: add pquota to the options of ${fs?.mountPoint ?? 'the data root mount'}`,
            'systemctl stop docker docker.socket containerd',
            `umount ${fs?.mountPoint ?? '/data/docker'} && mount ${fs?.mountPoint ?? '/data/docker'}   # for the root filesystem: rootflags=pquota on the kernel command line, then reboot`,
            'systemctl start docker',
            'docker run --rm --storage-opt size=1G busybox df -h /',
          ]
        : [
            'dockwarden plan pquota --device /dev/sdX1 --data-root /data/docker -o pquota.sh   # reviewed script; or by hand:',
            'mkfs.xfs -n ftype=1 /dev/sdX1',
            'echo "UUID=$(blkid -s UUID -o value /dev/sdX1) /data/docker xfs defaults,pquota 0 0" >> /etc/fstab && mkdir -p /data/docker && mount /data/docker',
            `# ${daemonJsonPath(facts)}: { "data-root": "/data/docker", "storage-driver": "overlay2" }`,
            'systemctl restart docker',
          ],
    },
  };
  return { findings: [finding], notChecked: [] };
}

export function checkSizeLimits(facts: HostFacts): CheckResult {
  // devicemapper (dm.basesize), zfs and btrfs (quotas) can limit size; only overlay2 depends on mount options.
  const driver = storageDriverOf(facts.engine.info);
  if (driver && !driver.known) return { findings: [], notChecked: [{ id: 'sizelimit.unavailable', reason: unknownDriverReason(driver) }] };
  if (driver?.name !== 'overlay2') return { findings: [], notChecked: [] };
  return overlayQuota(facts);
}
