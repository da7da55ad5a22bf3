import { formatBytes } from '../engine/human-size.js';
import type { HostFacts } from '../facts.js';
import { usedPercent } from '../core/thresholds.js';
import type { CheckResult } from './finding.js';
import { dataRoot, driver } from './facts-view.js';

// The data root filesystem above the GC high threshold: the 3 a.m. page for a full disk,
// caught while there is still room to act. Inodes count too: small-file images can run a
// filesystem out of inodes with gigabytes free.

const CRITICAL_PCT = 95;

export function checkDiskPressure(facts: HostFacts, opts: { highPct: number }): CheckResult {
  const fs = facts.host?.dataRootFs;
  if (!fs) {
    const why = driver(facts) === 'devicemapper' ? ' (for devicemapper, see thinpool.space-low)' : '';
    return { findings: [], notChecked: [{ id: 'disk.pressure', reason: `The data root filesystem's usage is not known here${why}.` }] };
  }
  const bytesPct = usedPercent(fs);
  const inodesPct = fs.inodesTotal > 0 ? 100 - (fs.inodesFree * 100) / fs.inodesTotal : 0;
  const worst = Math.max(bytesPct, inodesPct);
  if (worst <= opts.highPct) return { findings: [], notChecked: [] };
  const what = inodesPct > bytesPct ? 'inodes' : 'space';
  const root = dataRoot(facts) ?? fs.path;
  return {
    findings: [
      {
        id: 'disk.pressure',
        severity: worst >= CRITICAL_PCT ? 'critical' : 'warning',
        title: `The data root filesystem is ${worst.toFixed(1)}% full (${what}), above the ${opts.highPct}% threshold`,
        detail:
          `${root} lives on ${fs.mountPoint} (${fs.fsType}). When it fills, pulls and container writes fail and dockerd can corrupt its metadata. ` +
          'Old and dangling images are usually most of it.',
        evidence: [
          `${fs.mountPoint}: ${formatBytes(fs.sizeBytes - fs.availBytes)} used of ${formatBytes(fs.sizeBytes)}, ${formatBytes(fs.availBytes)} available (${bytesPct.toFixed(1)}% by kubelet's measure, 100 - available/capacity)`,
          `inodes: ${fs.inodesTotal - fs.inodesFree} used of ${fs.inodesTotal} (${inodesPct.toFixed(1)}%)`,
        ],
        fix: {
          summary: 'See what takes the space, then remove unused images (oldest first) and stopped containers.',
          commands: ['docker system df -v', 'docker image prune --filter dangling=true', 'docker image prune -a --filter until=240h', 'docker container prune --filter until=240h'],
        },
      },
    ],
    notChecked: [],
  };
}
