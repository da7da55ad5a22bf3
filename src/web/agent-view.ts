import type { GcPlan } from '../gc/plan-gc.js';
import type { StoredFinding, UsageSample } from '../store/agent-store.js';

// What the agent's HTTP side may ask of the running agent: read-only views over its
// store and its latest state. agent/ implements it; web/ serves it.

export interface AgentHealth {
  /** The engine answered the last time the agent asked. */
  engineUp: boolean;
  /** unix ms; null before the first sample. */
  lastSampleAt: number | null;
  engineEndpoint: string;
  dockwarden: string;
}

export interface UsageView {
  samples: UsageSample[];
  /** Seconds until the data-root filesystem is full at the recent rate; null when not filling (or unknown). */
  fullInSeconds: number | null;
}

export interface AgentView {
  readonly hostName: string;
  health(): AgentHealth;
  /** Open findings, most severe first. */
  findings(): StoredFinding[];
  usage(since: number, until: number, maxPoints: number): UsageView;
  /** A GC dry run now, with every image's last use and verdict. */
  gcPlan(): Promise<GcPlan>;
}
