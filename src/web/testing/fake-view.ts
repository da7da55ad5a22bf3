import type { Finding, FindingId, Severity } from '../../finding.js';
import type { GcPlan } from '../../gc/plan-gc.js';
import type { EngineIdentity, GcRunRecord, StoredEvent, StoredFinding, UsageSample } from '../../store/agent-store.js';
import type { AgentHealth, AgentView, EngineSummary, PlanView, UsageView } from '../../agent-view.js';

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
    containers: 4,
    containersRunning: 3,
    containerdFsSizeBytes: null,
    containerdFsAvailBytes: null,
    containerdInodesTotal: null,
    containerdInodesFree: null,
    ...overrides,
  };
}

export class FakeAgentView implements AgentView {
  readonly hostName = 'worker-1';
  healthNow: AgentHealth = { engineUp: true, lastSampleAt: NOW - 30_000, engineEndpoint: 'unix:///var/run/docker.sock', dockwarden: '0.1.0' };
  openFindings: StoredFinding[] = [];
  samples: UsageSample[] = [];
  fullInSeconds: number | null = null;
  fullInFs: UsageView['fullInFs'] = null;
  /** When set, usage() returns this as it is (a store that already downsampled). */
  fixedUsage: UsageView | null = null;
  plan: GcPlan | null = null;
  /** When the plan's engine was read; NOW - 20 s unless set. */
  scannedAt = NOW - 20_000;
  gcPlanCalls = 0;
  engineNow: EngineSummary = {
    engineVersion: '20.10.24+dfsg1',
    driver: 'overlay2',
    dataRoot: '/var/lib/docker',
    dataRootFs: { fsType: 'xfs', device: '/dev/sdb1', mountPoint: '/var/lib/docker' },
    kernel: '6.1.0-18-amd64',
    operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
    liveRestore: false,
  };
  runs: GcRunRecord[] = [];
  storedEvents: StoredEvent[] = [];
  identities: EngineIdentity[] = [];
  forensics: string[] = [];
  /** What runGc() records and returns. */
  nextRun: GcRunRecord | null = null;
  gcRunsStarted = 0;
  /** Makes the named method throw, as a broken store or engine would. */
  failWith: Partial<Record<'health' | 'findings' | 'usage' | 'gcPlan' | 'runGc', Error>> = {};
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
    return { samples: this.samples.filter((s) => s.at >= since && s.at <= until).slice(0, maxPoints), fullInSeconds: this.fullInSeconds, fullInFs: this.fullInFs };
  }

  private planView: PlanView | null = null;

  async gcPlan(): Promise<PlanView> {
    this.gcPlanCalls++;
    this.fail('gcPlan');
    if (!this.plan) throw new Error('no plan set in the fake');
    // The same object while plan and time stay, as the agent gives it.
    if (this.planView?.plan !== this.plan || this.planView.scannedAt !== this.scannedAt) this.planView = { plan: this.plan, scannedAt: this.scannedAt };
    return this.planView;
  }

  engine(): EngineSummary {
    return this.engineNow;
  }

  async runGc(): Promise<GcRunRecord> {
    this.fail('runGc');
    this.gcRunsStarted++;
    if (!this.nextRun) throw new Error('no run set in the fake');
    this.runs.unshift(this.nextRun);
    return this.nextRun;
  }

  gcRuns(limit: number): GcRunRecord[] {
    return this.runs.slice(0, limit);
  }

  events(limit: number): StoredEvent[] {
    return this.storedEvents.slice(0, limit);
  }

  restarts(limit: number): { identities: EngineIdentity[]; forensics: string[] } {
    return { identities: this.identities.slice(0, limit), forensics: this.forensics };
  }
}
