// The frozen shape of a doctor finding and the stable list of finding ids.
// Scripts match on these ids: add new ones, never rename.

export const FINDING_IDS = [
  'storage.no-dtype',
  'storage.devicemapper-loop',
  'storage.deprecated-driver',
  'storage.fs-mismatch',
  'thinpool.space-low',
  'thinpool.no-deferred',
  'data-root.on-root-fs',
  'data-root.config-conflict',
  'data-root.drift',
  'disk.pressure',
  'logging.none',
  'logging.unbounded',
  'swarm.no-rollback',
  'upgrade.restarts-docker',
  'sizelimit.unavailable',
  'disk.forecast',
  'disk.unmeasured',
] as const;
export type FindingId = (typeof FINDING_IDS)[number];

export type Severity = 'critical' | 'warning' | 'info';
export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'warning', 'info'];

export interface Fix {
  /** One sentence: what to change. */
  summary: string;
  /** Commands or config snippets to run or apply, in order. */
  commands: string[];
}

export interface Finding {
  id: FindingId;
  severity: Severity;
  title: string;
  /** Why it matters on this host, in sentences. */
  detail: string;
  /** The lines of facts the finding stands on, e.g. `Storage Driver: devicemapper`. */
  evidence: string[];
  fix: Fix;
}

/** A check that could not decide, and why (e.g. host facts unknown from a `docker info` paste). */
export interface NotChecked {
  id: FindingId;
  reason: string;
}

export interface CheckResult {
  findings: Finding[];
  notChecked: NotChecked[];
}
