import { formatDuration } from '../core/duration.js';
import type { Finding } from '../doctor/finding.js';
import { formatBytes } from '../engine/human-size.js';
import type { UsageSample } from '../store/agent-store.js';

// disk.forecast: the data root fills within a day at the recent rate. disk.pressure says
// "now"; this says "tonight", while there is still time to act in working hours.

export const FORECAST_HORIZON_S = 24 * 3600;

export function forecastFinding(fullInSeconds: number | null, latest: UsageSample | null, root: string, now: number): Finding | null {
  if (fullInSeconds === null || fullInSeconds >= FORECAST_HORIZON_S || !latest || latest.fsAvailBytes === null) return null;
  const when = new Date(now + fullInSeconds * 1000).toISOString();
  return {
    id: 'disk.forecast',
    severity: 'warning',
    title: `The data root ${root} will be full in about ${formatDuration(fullInSeconds * 1000)}`,
    detail:
      'At the rate of the last hours the filesystem runs out of space within a day. When it does, pulls and container starts fail and ' +
      'dockerd can corrupt its metadata; GC above the high threshold only frees images nothing uses.',
    evidence: [
      `${formatBytes(latest.fsAvailBytes)} available of ${formatBytes(latest.fsSizeBytes ?? 0)} at ${new Date(latest.at).toISOString()}`,
      `linear fit of recent samples: full around ${when}`,
    ],
    fix: {
      summary: 'Find what grows (images, container layers, logs, volumes) and stop it, or give the data root more space.',
      commands: ['docker system df -v', `du -xh --max-depth=2 ${root} | sort -h | tail -20`, 'dockwarden gc --dry-run'],
    },
  };
}
