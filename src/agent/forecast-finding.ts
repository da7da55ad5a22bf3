import { formatDuration } from '../core/duration.js';
import type { Finding } from '../finding.js';
import { formatBytes } from '../core/human-size.js';
import type { UsageSample } from '../store/agent-store.js';
import { readingOf } from '../store/sampled-fs.js';
import { describeFs, type Forecast } from './fills-first.js';

// disk.forecast: a filesystem holding engine data (the data root's, or containerd's
// root's) fills within a day at the recent rate. disk.pressure says "now"; this says
// "tonight", while there is still time to act in working hours.

export const FORECAST_HORIZON_S = 24 * 3600;

export function forecastFinding(forecast: Forecast | null, latest: UsageSample | null, now: number): Finding | null {
  const reading = forecast && latest ? readingOf(latest, forecast.fs.role) : null;
  if (!forecast || forecast.seconds >= FORECAST_HORIZON_S || !latest || !reading) return null;
  const fullInSeconds = forecast.seconds;
  const root = forecast.fs.path;
  const when = new Date(now + fullInSeconds * 1000).toISOString();
  const what = describeFs(forecast.fs);
  return {
    id: 'disk.forecast',
    severity: 'warning',
    title: `${what.replace(/^t/, 'T')} will be full in about ${formatDuration(fullInSeconds * 1000)}`,
    detail:
      'At the rate of the last hours the filesystem runs out of space within a day. When it does, pulls and container starts fail and ' +
      'dockerd can corrupt its metadata; GC above the high threshold only frees images nothing uses.',
    evidence: [
      `${forecast.fs.mountPoint}: ${formatBytes(reading.availBytes)} available of ${formatBytes(reading.sizeBytes)} at ${new Date(latest.at).toISOString()}`,
      `linear fit of recent samples: full around ${when}`,
    ],
    fix: {
      summary: `Find what grows (images, container layers, logs, volumes) and stop it, or give ${what} more space.`,
      commands: ['docker system df -v', `du -xh --max-depth=2 ${root} | sort -h | tail -20`, 'dockwarden gc --dry-run'],
    },
  };
}
