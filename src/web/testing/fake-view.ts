import type { Finding, FindingId, Severity } from '../../doctor/finding.js';
import type { GcPlan } from '../../gc/plan-gc.js';
import type { StoredFinding, UsageSample } from '../../store/agent-store.js';
import type { AgentHealth, AgentView, UsageView } from '../agent-view.js';

// A stateful fake of the running agent, after kubelet's FakeRuntime: tests set its
// fields, make requests, and assert on what it was asked and what came back.

export const NOW = Date.parse('2026-03-01T12:00:00Z');
export const GB = 1_000_000_000;

export function storedFinding(id: FindingId, severity: Severity, overrides: Partial<StoredFinding> = {}): StoredFinding {
  const finding: Finding = {
    id,
    severity,
    title: `${id} on this host`,
    detail: `Why ${id} matters.`,
    evidence: [`evidence of ${id}`],
    fix: { summary: `Fix ${id}.`, commands: [] },
  };
  return { finding, firstSeen: NOW - 3_600_000, lastSeen: NOW - 60_000, resolvedAt: null, ...overrides };
}

export function sample(at: number, overrides: Partial<UsageSample> = {}): UsageSample {
  return {
    at,
    fsSizeBytes: 100 * GB,
    fsAvailBytes: 40 * GB,
    inodesTotal: 6_000_000,
    inodesFree: 5_000_000,
    images: 16,
    imageBytes: 30 * GB,
    containers: 4,
    containersRunning: 3,
    ...overrides,
  };
}

export class FakeAgentView implements AgentView {
  readonly hostName = 'worker-1';
  healthNow: AgentHealth = { engineUp: true, lastSampleAt: NOW - 30_000, engineEndpoint: 'unix:///var/run/docker.sock', dockwarden: '0.1.0' };
  openFindings: StoredFinding[] = [];
  samples: UsageSample[] = [];
  fullInSeconds: number | null = null;
  /** When set, usage() returns this as it is (a store that already downsampled). */
  fixedUsage: UsageView | null = null;
  plan: GcPlan | null = null;
  /** Makes the named method throw, as a broken store or engine would. */
  failWith: Partial<Record<'health' | 'findings' | 'usage' | 'gcPlan', Error>> = {};
  usageCalls: { since: number; until: number; maxPoints: number }[] = [];

  private fail(method: keyof FakeAgentView['failWith']): void {
    const err = this.failWith[method];
    if (err) throw err;
  }

  health(): AgentHealth {
    this.fail('health');
    return this.healthNow;
  }

  findings(): StoredFinding[] {
    this.fail('findings');
    return this.openFindings;
  }

  usage(since: number, until: number, maxPoints: number): UsageView {
    this.fail('usage');
    this.usageCalls.push({ since, until, maxPoints });
    if (this.fixedUsage) return this.fixedUsage;
    return { samples: this.samples.filter((s) => s.at >= since && s.at <= until).slice(0, maxPoints), fullInSeconds: this.fullInSeconds };
  }

  async gcPlan(): Promise<GcPlan> {
    this.fail('gcPlan');
    if (!this.plan) throw new Error('no plan set in the fake');
    return this.plan;
  }
}
