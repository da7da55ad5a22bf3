import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { AgentMetrics } from '../agent-view.js';
import { readingOf } from '../store/sampled-fs.js';

// The agent's Prometheus metrics. The names are a frozen format (dashboards and alert
// rules in deploy/ query them): they live in METRIC_NAMES only, metrics.test.ts fails
// when one changes, and the type below stops code from using a name not in the list.
//
// A value the agent does not know is not exported at all (HELP and TYPE only, no sample),
// rather than as 0, NaN or +Inf: Prometheus' convention, so that `absent()` and
// comparisons in alert rules behave. That covers the filesystem gauges before the first
// sample or on a remote engine (no statfs), and `dockwarden_fs_full_seconds` whenever
// the disk is not filling: `dockwarden_fs_full_seconds < 86400` then simply has no result.
//
// The filesystem gauges carry `fs` ("data-root", or "containerd-root" when images live in
// containerd's store on a filesystem of its own) and `mountpoint`: one series each, so
// `dockwarden_fs_used_bytes / dockwarden_fs_size_bytes` works per filesystem unchanged.
// The forecast is the one of the filesystem that fills first, with the same labels.

export const METRIC_NAMES = Object.freeze([
  'dockwarden_fs_size_bytes',
  'dockwarden_fs_used_bytes',
  'dockwarden_images',
  'dockwarden_reclaimable_bytes',
  'dockwarden_gc_deleted_bytes_total',
  'dockwarden_finding',
  'dockwarden_fs_full_seconds',
  'dockwarden_engine_up',
] as const);
export type MetricName = (typeof METRIC_NAMES)[number];

export function createAgentMetrics(): AgentMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const gauge = (name: MetricName, help: string, labelNames: string[] = []) => {
    const g = new Gauge({ name, help, labelNames, registers: [registry] });
    // prom-client starts (and resets) a label-less gauge at 0; unknown must be absent instead.
    if (labelNames.length === 0) g.remove();
    return g;
  };
  const FS_LABELS = ['fs', 'mountpoint'];
  const fsSize = gauge(
    'dockwarden_fs_size_bytes',
    'Size of a filesystem holding engine data (fs="data-root", or "containerd-root" for containerd\'s image store on its own filesystem), in bytes.',
    FS_LABELS,
  );
  const fsUsed = gauge(
    'dockwarden_fs_used_bytes',
    'Bytes of a filesystem holding engine data not available to dockerd (size minus available, as kubelet measures; root-reserved blocks count as used).',
    FS_LABELS,
  );
  const images = gauge('dockwarden_images', 'Images in the engine, at the last sample.');
  const reclaimable = gauge('dockwarden_reclaimable_bytes', 'Bytes a GC run would free now, as the last dry run predicted (shared layers counted once).');
  const gcDeleted = new Counter({
    name: 'dockwarden_gc_deleted_bytes_total' satisfies MetricName,
    help: 'Bytes freed by images the agent deleted.',
    registers: [registry],
  });
  const finding = gauge('dockwarden_finding', 'Open doctor findings: 1 per finding; resolved findings are not exported.', ['id', 'severity']);
  const fullIn = gauge('dockwarden_fs_full_seconds', 'Forecast seconds until the filesystem that fills first is full at the recent rate; absent when none is filling.', FS_LABELS);
  const engineUp = gauge('dockwarden_engine_up', 'Whether the Docker engine answered the last time the agent asked (1) or not (0).');

  return {
    registry,
    contentType: registry.contentType,
    observeSample(sample, filesystems) {
      // Reset first: a filesystem no longer measured (the engine went remote, containerd moved) must not linger.
      fsSize.reset();
      fsUsed.reset();
      for (const fs of filesystems) {
        const reading = readingOf(sample, fs.role);
        if (!reading) continue;
        const labels = { fs: fs.role, mountpoint: fs.mountPoint };
        fsSize.set(labels, reading.sizeBytes);
        fsUsed.set(labels, reading.sizeBytes - reading.availBytes);
      }
      images.set(sample.images);
    },
    setReclaimable: (bytes) => reclaimable.set(bytes),
    addGcDeleted(bytes) {
      // A counter only goes up; a negative "freed" (the disk grew meanwhile) is not a deletion.
      if (bytes > 0) gcDeleted.inc(bytes);
    },
    setFindings(findings) {
      // Reset first: a label set once exported stays until removed, so resolved findings would linger.
      finding.reset();
      for (const f of findings) {
        if (f.resolvedAt === null) finding.set({ id: f.finding.id, severity: f.finding.severity }, 1);
      }
    },
    setFullInSeconds(seconds, fs) {
      fullIn.reset();
      if (seconds !== null && Number.isFinite(seconds) && fs) fullIn.set({ fs: fs.role, mountpoint: fs.mountPoint }, seconds);
    },
    setEngineUp: (up) => engineUp.set(up ? 1 : 0),
    render: () => registry.metrics(),
  };
}
