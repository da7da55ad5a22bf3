import { describe, expect, it } from 'vitest';
import type { UsageSample } from '../store/agent-store.js';
import { forecastFinding } from './forecast-finding.js';

const NOW = Date.parse('2026-11-25T06:00:00Z');
const latest: UsageSample = {
  at: NOW,
  fsSizeBytes: 100e9,
  fsAvailBytes: 8e9,
  inodesTotal: null,
  inodesFree: null,
  images: 10,
  containers: 2,
  containersRunning: 1,
  containerdFsSizeBytes: null,
  containerdFsAvailBytes: null,
  containerdInodesTotal: null,
  containerdInodesFree: null,
};

const dataRoot = { role: 'data-root' as const, path: '/var/lib/docker', mountPoint: '/var/lib/docker' };

describe('forecastFinding', () => {
  it('warns when the data root fills within a day, saying when', () => {
    const f = forecastFinding({ fs: dataRoot, seconds: 5 * 3600 }, latest, NOW);
    expect(f).toMatchObject({ id: 'disk.forecast', severity: 'warning', title: 'The data root /var/lib/docker will be full in about 5h' });
    expect(f?.evidence).toContain('linear fit of recent samples: full around 2026-11-25T11:00:00.000Z');
    expect(f?.evidence[0]).toMatch(/^\/var\/lib\/docker: 7.45 GiB available of 93.1 GiB/);
  });

  it("names containerd's root when that is the filesystem filling", () => {
    const containerd = { role: 'containerd-root' as const, path: '/var/lib/containerd', mountPoint: '/var/lib/containerd' };
    const f = forecastFinding({ fs: containerd, seconds: 2 * 3600 }, { ...latest, containerdFsSizeBytes: 50e9, containerdFsAvailBytes: 1e9 }, NOW);
    expect(f?.title).toBe("containerd's root /var/lib/containerd will be full in about 2h");
    expect(f?.fix.summary).toContain("give containerd's root /var/lib/containerd more space");
  });

  it('stays quiet beyond a day or without a trend', () => {
    expect(forecastFinding({ fs: dataRoot, seconds: 25 * 3600 }, latest, NOW)).toBeNull();
    expect(forecastFinding(null, latest, NOW)).toBeNull();
  });
});
