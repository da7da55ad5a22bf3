import { describe, expect, it } from 'vitest';
import { createAgentMetrics, METRIC_NAMES } from './metrics.js';
import { GB, NOW, sample, storedFinding } from './testing/fake-view.js';

const DATA_ROOT = { role: 'data-root' as const, path: '/var/lib/docker', mountPoint: '/var/lib/docker' };

/** The exposition's sample lines for one metric name (no HELP/TYPE), e.g. `dockwarden_images 16`. */
function series(text: string, name: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
}

describe('METRIC_NAMES', () => {
  it('is the frozen list of DESIGN.md (dashboards and alert rules query these names)', () => {
    expect(METRIC_NAMES).toEqual([
      'dockwarden_fs_size_bytes',
      'dockwarden_fs_used_bytes',
      'dockwarden_images',
      'dockwarden_reclaimable_bytes',
      'dockwarden_gc_deleted_bytes_total',
      'dockwarden_finding',
      'dockwarden_fs_full_seconds',
      'dockwarden_engine_up',
    ]);
    expect(Object.isFrozen(METRIC_NAMES)).toBe(true);
  });

  it('names exactly the dockwarden_ metrics the registry exports', async () => {
    const m = createAgentMetrics();
    const exported = (await m.registry.getMetricsAsJSON()).map((x) => x.name).filter((n) => n.startsWith('dockwarden_'));
    expect(exported.sort()).toEqual([...METRIC_NAMES].sort());
    const text = await m.render();
    for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
  });
});

describe('createAgentMetrics', () => {
  it('has its own registry with the default process metrics, so two agents (or tests) do not collide', async () => {
    const a = createAgentMetrics();
    const b = createAgentMetrics();
    a.setEngineUp(true);
    b.setEngineUp(false);
    expect(series(await a.render(), 'dockwarden_engine_up')).toEqual(['dockwarden_engine_up 1']);
    expect(series(await b.render(), 'dockwarden_engine_up')).toEqual(['dockwarden_engine_up 0']);
    expect(await a.render()).toContain('process_cpu_user_seconds_total');
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('exports nothing but HELP and TYPE for values not known yet, rather than a misleading 0', async () => {
    const text = await createAgentMetrics().render();
    for (const name of METRIC_NAMES.filter((n) => n !== 'dockwarden_gc_deleted_bytes_total')) {
      expect(series(text, name), name).toEqual([]);
    }
    // A counter starts at 0: nothing was deleted yet, which is a fact, not an unknown.
    expect(series(text, 'dockwarden_gc_deleted_bytes_total')).toEqual(['dockwarden_gc_deleted_bytes_total 0']);
  });

  it('measures used bytes as size minus available (kubelet), and drops them when the filesystem cannot be measured', async () => {
    const m = createAgentMetrics();
    m.observeSample(sample(NOW, { fsSizeBytes: 100 * GB, fsAvailBytes: 15 * GB, images: 21 }), [DATA_ROOT]);
    let text = await m.render();
    expect(series(text, 'dockwarden_fs_size_bytes')).toEqual([`dockwarden_fs_size_bytes{fs="data-root",mountpoint="/var/lib/docker"} ${100 * GB}`]);
    expect(series(text, 'dockwarden_fs_used_bytes')).toEqual([`dockwarden_fs_used_bytes{fs="data-root",mountpoint="/var/lib/docker"} ${85 * GB}`]);
    expect(series(text, 'dockwarden_images')).toEqual(['dockwarden_images 21']);

    // A remote engine: no statfs. Yesterday's numbers must not linger as if current.
    m.observeSample(sample(NOW + 30_000, { fsSizeBytes: null, fsAvailBytes: null, images: 20 }), []);
    text = await m.render();
    expect(series(text, 'dockwarden_fs_size_bytes')).toEqual([]);
    expect(series(text, 'dockwarden_fs_used_bytes')).toEqual([]);
    expect(series(text, 'dockwarden_images')).toEqual(['dockwarden_images 20']);
  });

  it("labels containerd's root filesystem apart from the data root's when images live there", async () => {
    const m = createAgentMetrics();
    const containerd = { role: 'containerd-root' as const, path: '/var/lib/containerd', mountPoint: '/srv/containerd' };
    m.observeSample(sample(NOW, { fsSizeBytes: 100 * GB, fsAvailBytes: 60 * GB, containerdFsSizeBytes: 50 * GB, containerdFsAvailBytes: 1 * GB }), [DATA_ROOT, containerd]);
    expect(series(await m.render(), 'dockwarden_fs_used_bytes')).toEqual([
      `dockwarden_fs_used_bytes{fs="data-root",mountpoint="/var/lib/docker"} ${40 * GB}`,
      `dockwarden_fs_used_bytes{fs="containerd-root",mountpoint="/srv/containerd"} ${49 * GB}`,
    ]);
    m.setFullInSeconds(600, containerd);
    expect(series(await m.render(), 'dockwarden_fs_full_seconds')).toEqual(['dockwarden_fs_full_seconds{fs="containerd-root",mountpoint="/srv/containerd"} 600']);
  });

  it('exports one finding series per open finding and drops the ones that resolved', async () => {
    const m = createAgentMetrics();
    m.setFindings([storedFinding('disk.pressure', 'critical'), storedFinding('logging.none', 'warning')]);
    expect(series(await m.render(), 'dockwarden_finding').sort()).toEqual([
      'dockwarden_finding{id="disk.pressure",severity="critical"} 1',
      'dockwarden_finding{id="logging.none",severity="warning"} 1',
    ]);

    m.setFindings([storedFinding('logging.none', 'warning'), storedFinding('disk.pressure', 'critical', { resolvedAt: NOW })]);
    expect(series(await m.render(), 'dockwarden_finding')).toEqual(['dockwarden_finding{id="logging.none",severity="warning"} 1']);

    m.setFindings([]);
    expect(series(await m.render(), 'dockwarden_finding')).toEqual([]);
  });

  it('exports the forecast only while the disk is filling', async () => {
    const m = createAgentMetrics();
    m.setFullInSeconds(7200, DATA_ROOT);
    expect(series(await m.render(), 'dockwarden_fs_full_seconds')).toEqual(['dockwarden_fs_full_seconds{fs="data-root",mountpoint="/var/lib/docker"} 7200']);
    m.setFullInSeconds(null);
    expect(series(await m.render(), 'dockwarden_fs_full_seconds')).toEqual([]);
    m.setFullInSeconds(Infinity, DATA_ROOT);
    expect(series(await m.render(), 'dockwarden_fs_full_seconds')).toEqual([]);
  });

  it('counts deleted bytes up only, and keeps the latest reclaimable figure', async () => {
    const m = createAgentMetrics();
    m.addGcDeleted(3 * GB);
    m.addGcDeleted(-1 * GB); // the disk grew during the run: not a negative deletion
    m.addGcDeleted(2 * GB);
    m.setReclaimable(9 * GB);
    m.setReclaimable(4 * GB);
    const text = await m.render();
    expect(series(text, 'dockwarden_gc_deleted_bytes_total')).toEqual([`dockwarden_gc_deleted_bytes_total ${5 * GB}`]);
    expect(series(text, 'dockwarden_reclaimable_bytes')).toEqual([`dockwarden_reclaimable_bytes ${4 * GB}`]);
  });
});
