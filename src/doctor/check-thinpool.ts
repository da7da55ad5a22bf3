import { storageDriverOf, unknownDriverReason } from '../core/driver-name.js';
import { parseHumanSize } from '../core/human-size.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding, NotChecked } from '../finding.js';
import { kernelAtLeast } from '../core/versions.js';
import { daemonJsonPath, kernelRelease, status } from './facts-view.js';

// devicemapper thin pools: a full pool (data or metadata) stops every container write
// at once, and without deferred removal a busy device blocks `docker rm` for minutes.

const CRITICAL_FREE_PCT = 10;
const WARNING_FREE_PCT = 20;

function parseOrUndefined(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseHumanSize(text);
  } catch {
    return undefined;
  }
}

function isLoopLvm(facts: HostFacts): boolean {
  return Boolean(status(facts, 'Data loop file') || status(facts, 'Data file')?.startsWith('/dev/loop'));
}

function spaceLow(facts: HostFacts): { finding?: Finding; notChecked?: NotChecked } {
  const pool = status(facts, 'Pool Name') ?? 'the thin pool';
  const parts = (['Data', 'Metadata'] as const).map((kind) => {
    const availText = status(facts, `${kind} Space Available`);
    const totalText = status(facts, `${kind} Space Total`);
    const avail = parseOrUndefined(availText);
    const total = parseOrUndefined(totalText);
    const freePct = avail !== undefined && total ? (avail * 100) / total : undefined;
    return { kind, availText, totalText, freePct };
  });
  const known = parts.filter((p) => p.freePct !== undefined);
  if (known.length === 0) {
    return { notChecked: { id: 'thinpool.space-low', reason: 'No "Data/Metadata Space Available" and "Total" lines for the thin pool.' } };
  }
  const low = known.filter((p) => p.freePct! < WARNING_FREE_PCT);
  if (low.length === 0) return {};
  const worst = Math.min(...low.map((p) => p.freePct!));
  const severity = worst < CRITICAL_FREE_PCT ? 'critical' : 'warning';
  const lvRows = facts.host?.lvm?.lvs.filter((lv) => /t/.test((lv['lv_attr'] ?? '').charAt(0))) ?? [];
  const evidence = [
    'Storage Driver: devicemapper',
    `Pool Name: ${pool}`,
    ...known.flatMap((p) => [`${p.kind} Space Available: ${p.availText} of ${p.totalText} (${p.freePct!.toFixed(1)}% free)`]),
    ...lvRows.map((lv) => `lvs: ${lv['vg_name']}/${lv['lv_name']} data ${lv['data_percent'] ?? '?'}% metadata ${lv['metadata_percent'] ?? '?'}%`),
  ];
  const minFree = status(facts, 'Thin Pool Minimum Free Space');
  if (minFree) evidence.push(`Thin Pool Minimum Free Space: ${minFree}`);
  const loop = isLoopLvm(facts);
  return {
    finding: {
      id: 'thinpool.space-low',
      severity,
      title: `The devicemapper thin pool is ${low.map((p) => p.kind.toLowerCase()).join(' and ')} space low (${worst.toFixed(1)}% free)`,
      detail:
        `When a thin pool runs out of ${low.map((p) => p.kind.toLowerCase()).join(' or ')} space, every write in every container fails and the pool may need ` +
        'lvconvert --repair. devicemapper also refuses new containers once free space drops under "Thin Pool Minimum Free Space".',
      evidence,
      fix: loop
        ? {
            summary: 'Free space on the filesystem holding the loop files now, then move off loop-lvm (see storage.devicemapper-loop).',
            commands: ['docker system df', 'docker image prune -a --filter until=240h', 'docker container prune --filter until=240h'],
          }
        : {
            summary: 'Extend the pool from the volume group, and let LVM do it by itself from now on.',
            commands: [
              'lvs -a && vgs',
              'lvextend -l+100%FREE docker/thinpool   # or add a disk first: pvcreate /dev/sdY && vgextend docker /dev/sdY',
              'lvextend --poolmetadatasize +1G docker/thinpool   # when metadata is the low one',
              'cat > /etc/lvm/profile/docker-thinpool.profile <<EOF\nactivation {\n  thin_pool_autoextend_threshold=80\n  thin_pool_autoextend_percent=20\n}\nEOF',
              'lvchange --metadataprofile docker-thinpool docker/thinpool',
              'lvs -o+seg_monitor   # must say "monitored"',
              'journalctl -fu dm-event.service',
            ],
          },
    },
  };
}

function noDeferred(facts: HostFacts): { finding?: Finding; notChecked?: NotChecked } {
  if (isLoopLvm(facts)) return {};
  const removal = status(facts, 'Deferred Removal Enabled');
  const deletion = status(facts, 'Deferred Deletion Enabled');
  if (removal === undefined && deletion === undefined) {
    return { notChecked: { id: 'thinpool.no-deferred', reason: 'No "Deferred Removal Enabled" / "Deferred Deletion Enabled" lines.' } };
  }
  if (removal !== 'false' && deletion !== 'false') return {};
  const kernel = kernelRelease(facts);
  const supported = kernel ? kernelAtLeast(kernel, 3, 18) : undefined;
  if (supported === undefined) {
    return { notChecked: { id: 'thinpool.no-deferred', reason: 'Deferred removal is off but the kernel version is unknown (it needs 3.18 or newer).' } };
  }
  if (!supported) return {};
  const pool = status(facts, 'Pool Name') ?? 'docker-thinpool';
  return {
    finding: {
      id: 'thinpool.no-deferred',
      severity: 'warning',
      title: 'direct-lvm runs without deferred removal and deletion',
      detail:
        `Kernel ${kernel} supports deferred device removal (3.18 and newer). Without it, removing a container whose device is still busy fails ` +
        'with "device or resource busy" and leaves devices behind that hold pool space.',
      evidence: [
        'Storage Driver: devicemapper',
        `Pool Name: ${pool}`,
        ...(removal !== undefined ? [`Deferred Removal Enabled: ${removal}`] : []),
        ...(deletion !== undefined ? [`Deferred Deletion Enabled: ${deletion}`] : []),
        `Kernel Version: ${kernel}`,
      ],
      fix: {
        summary: `Turn on deferred removal and deletion in ${daemonJsonPath(facts)} and restart docker.`,
        commands: [
          `# ${daemonJsonPath(facts)}: { "storage-driver": "devicemapper", "storage-opts": ["dm.thinpooldev=/dev/mapper/${pool}", "dm.use_deferred_removal=true", "dm.use_deferred_deletion=true"] }`,
          'systemctl restart docker',
          'docker info | grep -i deferred',
        ],
      },
    },
  };
}

export function checkThinpool(facts: HostFacts): CheckResult {
  const driver = storageDriverOf(facts.engine.info);
  if (driver && !driver.known) {
    const reason = unknownDriverReason(driver);
    return {
      findings: [],
      notChecked: [
        { id: 'thinpool.space-low', reason },
        { id: 'thinpool.no-deferred', reason },
      ],
    };
  }
  if (driver?.name !== 'devicemapper') return { findings: [], notChecked: [] };
  const results = [spaceLow(facts), noDeferred(facts)];
  return {
    findings: results.flatMap((r) => (r.finding ? [r.finding] : [])),
    notChecked: results.flatMap((r) => (r.notChecked ? [r.notChecked] : [])),
  };
}
