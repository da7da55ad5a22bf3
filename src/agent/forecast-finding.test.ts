import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../store/agent-store.js';
import { forecastFinding } from './forecast-finding.js';

const NOW = Date.parse('2026-11-25T06:00:00Z');
const latest: UsageSample = { at: NOW, fsSizeBytes: 100e9, fsAvailBytes: 8e9, inodesTotal: null, inodesFree: null, images: 10, imageBytes: null, containers: 2, containersRunning: 1 };

describe('forecastFinding', () => {
  it('warns when the data root fills within a day, saying when', () => {
    const f = forecastFinding(5 * 3600, latest, '/var/lib/docker', NOW);
    expect(f).toMatchObject({ id: 'disk.forecast', severity: 'warning', title: 'The data root /var/lib/docker will be full in about 5h' });
    expect(f?.evidence).toContain('linear fit of recent samples: full around 2026-11-25T11:00:00.000Z');
  });

  it('stays quiet beyond a day or without a trend', () => {
    expect(forecastFinding(25 * 3600, latest, '/var/lib/docker', NOW)).toBeNull();
    expect(forecastFinding(null, latest, '/var/lib/docker', NOW)).toBeNull();
  });
});
