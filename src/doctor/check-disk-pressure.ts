import { formatBytes } from '../core/human-size.js';
import type { HostFacts } from '../facts.js';
import { usedPercent } from '../core/thresholds.js';
import type { FsFacts } from '../host/local-facts.js';
import type { CheckResult } from '../finding.js';
import { describeRoles, engineDataFilesystems, type DataFilesystem } from './data-filesystems.js';
import { driver } from './facts-view.js';

// A filesystem holding engine data above the GC high threshold: the 3 a.m. page for a
// full disk, caught while there is still room to act. Every such filesystem is judged —
// the data root's, and containerd's root's when images live in containerd's store on a
// filesystem of its own (packaged hosts: /var/lib/containerd) — and the fullest is
// named. Inodes count too: small-file images can run a filesystem out of inodes with
// gigabytes free.

const CRITICAL_PCT = 95;

interface Level {
  entry: DataFilesystem;
  bytesPct: number;
  inodesPct: number;
  worst: number;
}

function level(entry: DataFilesystem): Level {
  const bytesPct = usedPercent(entry.fs);
  const inodesPct = entry.fs.inodesTotal > 0 ? 100 - (entry.fs.inodesFree * 100) / entry.fs.inodesTotal : 0;
  return { entry, bytesPct, inodesPct, worst: Math.max(bytesPct, inodesPct) };
}

function usageLines(fs: FsFacts, bytesPct: number, inodesPct: number): string[] {
  return [
    `${fs.mountPoint}: ${formatBytes(fs.sizeBytes - fs.availBytes)} used of ${formatBytes(fs.sizeBytes)}, ${formatBytes(fs.availBytes)} available (${bytesPct.toFixed(1)}% by kubelet's measure, 100 - available/capacity)`,
    `inodes: ${fs.inodesTotal - fs.inodesFree} used of ${fs.inodesTotal} (${inodesPct.toFixed(1)}%)`,
  ];
}

/** "The data root filesystem", "containerd's root filesystem", or both when they share one. */
function whose(entry: DataFilesystem): string {
  const kinds = new Set(entry.roles.map((r) => r.kind));
  if (kinds.size === 2) return "The filesystem of the data root and of containerd's root";
  return kinds.has('containerd-root') ? "containerd's root filesystem" : 'The data root filesystem';
}

export function checkDiskPressure(facts: HostFacts, opts: { highPct: number }): CheckResult {
  const { filesystems, unknown } = engineDataFilesystems(facts);
  const devicemapper = driver(facts) === 'devicemapper' ? ' (for devicemapper, see thinpool.space-low)' : '';
  const notChecked = unknown.map((why) => ({ id: 'disk.pressure' as const, reason: `${why}${devicemapper}.` }));
  const levels = filesystems.map(level).sort((a, b) => b.worst - a.worst);
  const fullest = levels[0];
  if (!fullest || fullest.worst <= opts.highPct) return { findings: [], notChecked };
  const { entry, bytesPct, inodesPct, worst } = fullest;
  const what = inodesPct > bytesPct ? 'inodes' : 'space';
  const holdsImages = entry.roles.some((r) => r.kind === 'containerd-root');
  const others = levels.slice(1).flatMap((l) => [`${describeRoles(l.entry.roles)} is on another filesystem:`, ...usageLines(l.entry.fs, l.bytesPct, l.inodesPct).map((line) => `  ${line}`)]);
  return {
    findings: [
      {
        id: 'disk.pressure',
        severity: worst >= CRITICAL_PCT ? 'critical' : 'warning',
        title: `${whose(entry)} is ${worst.toFixed(1)}% full (${what}), above the ${opts.highPct}% threshold`,
        detail:
          `${describeRoles(entry.roles).replace(/^t/, 'T')} ${entry.roles.length > 1 ? 'live' : 'lives'} on ${entry.fs.mountPoint} (${entry.fs.fsType}). ` +
          (holdsImages
            ? "Images live in containerd's image store there (content blobs plus unpacked snapshots, and containers' writable layers): when it fills, pulls, builds and container writes fail. "
            : 'When it fills, pulls and container writes fail and dockerd can corrupt its metadata. ') +
          'Old and dangling images are usually most of it.',
        evidence: [...usageLines(entry.fs, bytesPct, inodesPct), ...others],
        fix: {
          summary: 'See what takes the space, then remove unused images (least recently used first) and stopped containers.',
          commands: [
            'docker system df -v',
            'dockwarden gc --dry-run   # then without --dry-run: deletes least recently used images down to 80%, never those containers or services need',
            'docker image prune --filter dangling=true',
            'docker container prune --filter until=240h',
          ],
        },
      },
    ],
    notChecked,
  };
}
