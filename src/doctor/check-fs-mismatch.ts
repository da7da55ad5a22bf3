import { canonicalDriverName, storageDriverOf, unknownDriverReason } from '../core/driver-name.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding } from '../finding.js';
import { daemonJsonPath, dataRoot, effectiveSettings, settingEvidence } from './facts-view.js';

// btrfs and zfs are not layered on a filesystem like overlay2: they ARE the filesystem.
// Their driver only works when the data root itself lives on btrfs or a zfs dataset;
// dockerd otherwise refuses to start ("prerequisites for driver not satisfied").

const NATIVE_FS: Record<string, string> = { btrfs: 'btrfs', zfs: 'zfs' };

export function checkFsMismatch(facts: HostFacts): CheckResult {
  const engineDriver = storageDriverOf(facts.engine.info);
  const running = engineDriver?.name;
  const configured = effectiveSettings(facts, 'storage-driver').at(-1);
  const configuredName = configured ? (canonicalDriverName(configured.value) ?? configured.value) : undefined;
  const candidates = [running, configuredName].filter((d): d is string => Boolean(d && NATIVE_FS[d]));
  if (candidates.length === 0) {
    // An unknown driver may be btrfs or zfs under another name.
    const unknown = engineDriver && !engineDriver.known ? [{ id: 'storage.fs-mismatch' as const, reason: unknownDriverReason(engineDriver) }] : [];
    return { findings: [], notChecked: unknown };
  }
  const fs = facts.host?.dataRootFs;
  if (!fs) {
    return {
      findings: [],
      notChecked: [{ id: 'storage.fs-mismatch', reason: `The ${candidates[0]} driver needs its own filesystem under the data root, and the data root filesystem is not known here.` }],
    };
  }
  const findings: Finding[] = [];
  for (const name of new Set(candidates)) {
    const wanted = NATIVE_FS[name]!;
    if (fs.fsType === wanted) continue;
    const onlyConfigured = name !== running;
    findings.push({
      id: 'storage.fs-mismatch',
      severity: onlyConfigured ? 'critical' : 'warning',
      title: `The ${name} driver is ${onlyConfigured ? 'configured' : 'used'} but the data root is on ${fs.fsType}`,
      detail: onlyConfigured
        ? `${dataRoot(facts) ?? 'The data root'} is on ${fs.fsType} (${fs.device}), not ${wanted}: the next time dockerd starts it will refuse the ${name} driver and not come up.`
        : `${dataRoot(facts) ?? 'The data root'} is reported on ${fs.fsType} (${fs.device}) while the engine runs ${name}: the ${wanted} filesystem may have been unmounted under the running engine, or the data root is a different path than the one inspected.`,
      evidence: [`Storage Driver: ${running ?? 'unknown'}`, ...(configured ? [settingEvidence(configured)] : []), `${fs.mountPoint}: ${fs.fsType} on ${fs.device}`],
      fix: {
        summary: `Mount a ${wanted} filesystem at the data root before starting dockerd, or configure overlay2 instead.`,
        commands:
          wanted === 'btrfs'
            ? [
                'dockwarden plan btrfs --device /dev/sdX1 -o btrfs.sh   # reviewed script; or by hand:',
                'mkfs.btrfs -f /dev/sdX1',
                `echo "UUID=$(blkid -s UUID -o value /dev/sdX1) ${dataRoot(facts) ?? '/var/lib/docker'} btrfs defaults 0 0" >> /etc/fstab`,
                `mount ${dataRoot(facts) ?? '/var/lib/docker'}`,
                `# ${daemonJsonPath(facts)}: { "storage-driver": "btrfs" }`,
                'systemctl restart docker',
              ]
            : [
                'dockwarden plan zfs --pool zpool-docker --device /dev/sdX1 -o zfs.sh   # reviewed script; or by hand:',
                'zpool create -f zpool-docker /dev/sdX1',
                `zfs create -o mountpoint=${dataRoot(facts) ?? '/var/lib/docker'} zpool-docker/docker`,
                `# ${daemonJsonPath(facts)}: { "storage-driver": "zfs" }`,
                'systemctl restart docker',
              ],
      },
    });
  }
  return { findings, notChecked: [] };
}
