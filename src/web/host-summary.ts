import { sampleUsedPercent } from '../core/thresholds.js';
import { SEVERITY_ORDER, type Severity } from '../finding.js';
import type { AgentView } from '../agent-view.js';

// One host in one row: what the fleet view and `dockwarden fleet` show for each agent.
// Frozen like every --json shape (add fields, never rename): other agents read it.

export interface HostSummary {
  host: string;
  engineUp: boolean;
  engineVersion: string | null;
  driver: string | null;
  dataRoot: string | null;
  /** Of the data-root filesystem at the last sample; null when unknown (remote engine, no sample yet). */
  usedPct: number | null;
  fullInSeconds: number | null;
  findings: Record<Severity, number>;
  /** The most severe open finding, or null when healthy. */
  worst: { id: string; severity: Severity; title: string } | null;
  lastSampleAt: string | null;
}

export function hostSummary(view: AgentView, now: number): HostSummary {
  const health = view.health();
  const engine = view.engine();
  const findings = view.findings().map((f) => f.finding);
  const counts = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  const worst = [...findings].sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity))[0];
  // The newest sample of the last hour is "now"; an older one would be a stale reading.
  const usage = view.usage(now - 3_600_000, now, 1_000);
  const last = usage.samples.at(-1);
  // The fullest filesystem holding engine data: containerd's root may fill while the data root has room.
  const pcts = last ? [sampleUsedPercent(last), sampleUsedPercent({ fsSizeBytes: last.containerdFsSizeBytes, fsAvailBytes: last.containerdFsAvailBytes })].filter((p): p is number => p !== null) : [];
  const pct = pcts.length > 0 ? Math.max(...pcts) : null;
  const usedPct = pct === null ? null : Math.round(pct * 100) / 100;
  return {
    host: view.hostName,
    engineUp: health.engineUp,
    engineVersion: engine.engineVersion,
    driver: engine.driver,
    dataRoot: engine.dataRoot,
    usedPct,
    fullInSeconds: usage.fullInSeconds,
    findings: counts,
    worst: worst ? { id: worst.id, severity: worst.severity, title: worst.title } : null,
    lastSampleAt: health.lastSampleAt === null ? null : new Date(health.lastSampleAt).toISOString(),
  };
}
