// The shape of a remediation plan: steps an operator can read, a script can run, and the
// dashboard can show (`dockwarden plan --json`). Frozen like every --json shape: add
// fields, never rename.

export const PLAN_KINDS = ['overlay2', 'direct-lvm', 'btrfs', 'zfs', 'pquota'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

/** How images and containers reach the new storage. */
export type MigrateMode =
  /** rsync the old data root (same driver only: overlay2 to overlay2). */
  | 'copy'
  /** `docker save` every tagged image before, `docker load` after: works across drivers and without a registry. */
  | 'save'
  /** Start empty; the tagged images are listed so they can be pulled again. */
  | 'fresh';

export interface PlanStep {
  /** Stable slug, e.g. `format`. */
  id: string;
  title: string;
  /**
   * `change` steps are skipped when their verify lines already hold (that is what makes
   * a re-run finish the job); `check` steps always run (preflight, the final verify).
   */
  kind: 'change' | 'check';
  /** What cannot be undone, announced and confirmed before the step runs; null when nothing is. */
  destructive: string | null;
  /** Bash lines, run in order under `set -euo pipefail`. */
  commands: string[];
  /** Bash conditions that must all hold once the step has run. */
  verify: string[];
}

export interface Plan {
  kind: PlanKind;
  title: string;
  /** What the plan does and what it costs, in sentences (downtime, what is lost). */
  summary: string[];
  /** Things the operator must know before running it. */
  warnings: string[];
  /** The values the script is built from (device, roots, files), shown at its top. */
  settings: Record<string, string>;
  steps: PlanStep[];
  /** Run by `script --rollback`: back to the old root and configuration. */
  rollback: PlanStep[];
}
