import type { Registry } from 'prom-client';
import type { FsRole, SampledFs } from './store/sampled-fs.js';
import type { GcPlan } from './gc/plan-gc.js';
import type { EngineIdentity, GcRunRecord, StoredEvent, StoredFinding, UsageSample } from './store/agent-store.js';

// What the agent's HTTP side may ask of the running agent: read-only views over its
// store and its latest state. agent/ implements it; web/ serves it. It lives above both
// (src/, not web/) so that neither imports the other.

/**
 * An expected state, not a bug: the engine has not answered yet or is down, or GC has
 * nothing to measure (a remote engine without --budget). The HTTP side answers it as
 * 503 with `{error, code: 'unavailable'}` and logs it once when it begins, not as a
 * failure with a stack on every poll.
 */
export class AgentUnavailable extends Error {
  override readonly name = 'AgentUnavailable';
  readonly code = 'unavailable';
}

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
  /** Seconds until the filesystem that fills first is full at the recent rate; null when none is filling (or unknown). */
  fullInSeconds: number | null;
  /** Which one that is: the data root's, or containerd's root's (containerd's image store on a filesystem of its own). */
  fullInFs: FsRole | null;
}

/** The dashboard's header: which engine, which driver, which data root on which filesystem. */
export interface EngineSummary {
  engineVersion: string | null;
  driver: string | null;
  dataRoot: string | null;
  /** The data root's filesystem as this host sees it; null for a remote engine or before the first diagnosis. */
  dataRootFs: { fsType: string; device: string; mountPoint: string } | null;
  kernel: string | null;
  operatingSystem: string | null;
  liveRestore: boolean | null;
}

/** A GC dry run and how old the look at the engine behind it is. */
export interface PlanView {
  plan: GcPlan;
  /** When the engine was read for it (unix ms): the agent plans from its last scan rather than scanning per request. */
  scannedAt: number;
}

export interface AgentView {
  readonly hostName: string;
  health(): AgentHealth;
  engine(): EngineSummary;
  /** Open findings, most severe first. */
  findings(): StoredFinding[];
  usage(since: number, until: number, maxPoints: number): UsageView;
  /** A GC dry run, with every image's last use and verdict, from the agent's last scan (the same object while nothing changed). Throws AgentUnavailable when there is none to make. */
  gcPlan(): Promise<PlanView>;
  /** Runs GC now, as the schedule would (a dry run when the agent has --no-gc), or joins the run under way and answers with its record. Throws AgentUnavailable when GC cannot run. */
  runGc(): Promise<GcRunRecord>;
  /** Newest first. */
  gcRuns(limit: number): GcRunRecord[];
  /** Engine events the agent stored, newest first. */
  events(limit: number): StoredEvent[];
  /** Each engine (re)start the agent saw, newest first, and what the host says happened at the last one. */
  restarts(limit: number): { identities: EngineIdentity[]; forensics: string[] };
}

/** What the agent tells the Prometheus side (web/metrics.ts implements it, /metrics serves it). */
export interface AgentMetrics {
  /** This agent's own registry (not prom-client's global one), default process metrics included. */
  readonly registry: Registry;
  /** The exposition format's content type, for the /metrics response. */
  readonly contentType: string;
  /** The latest sample, and which filesystems it measured (empty: none, a remote engine). */
  observeSample(sample: UsageSample, filesystems: readonly SampledFs[]): void;
  /** Bytes a GC run would free now (the dry run's prediction). */
  setReclaimable(bytes: number): void;
  /** Bytes a GC run actually freed: added to the counter. */
  addGcDeleted(bytes: number): void;
  /** The open findings: those not in the list (resolved) stop being exported. */
  setFindings(findings: readonly StoredFinding[]): void;
  /** null: not filling, or no trend yet; the series is then absent. */
  setFullInSeconds(seconds: number | null, fs?: SampledFs): void;
  setEngineUp(up: boolean): void;
  render(): Promise<string>;
}
