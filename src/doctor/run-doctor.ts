import { DEFAULT_HIGH_PCT } from '../core/thresholds.js';
import type { HostFacts } from '../facts.js';
import { checkDataRoot } from './check-data-root.js';
import { checkDiskPressure } from './check-disk-pressure.js';
import { checkFsMismatch } from './check-fs-mismatch.js';
import { checkLogging } from './check-logging.js';
import { checkSizeLimits } from './check-size-limits.js';
import { checkStorageDriver } from './check-storage-driver.js';
import { checkSwarm } from './check-swarm.js';
import { checkThinpool } from './check-thinpool.js';
import { checkUpgrades } from './check-upgrades.js';
import { adaptForDockerDesktop } from './desktop.js';
import { adaptForPodman } from './podman.js';
import { SEVERITY_ORDER, type CheckResult, type Finding } from '../finding.js';

export interface DoctorOptions {
  /** Usage above which disk.pressure fires: the GC high threshold. */
  highPct: number;
}

export const DEFAULT_DOCTOR_OPTIONS: DoctorOptions = { highPct: DEFAULT_HIGH_PCT };

/** Every check, pure: HostFacts in, findings (most severe first) and skipped checks out. */
export function runDoctor(facts: HostFacts, opts: DoctorOptions = DEFAULT_DOCTOR_OPTIONS): CheckResult {
  const results: CheckResult[] = [
    checkStorageDriver(facts),
    checkFsMismatch(facts),
    checkThinpool(facts),
    checkDataRoot(facts),
    checkDiskPressure(facts, opts),
    checkLogging(facts),
    checkSwarm(facts),
    checkUpgrades(facts),
    checkSizeLimits(facts),
  ];
  const findings = results.flatMap((r) => r.findings);
  findings.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  // The checks speak of Linux servers; Docker Desktop's VM takes its fixes through Desktop's settings.
  // Engines configured another way get their own fixes: Podman (storage.conf, no dockerd) and Docker Desktop (its VM).
  return adaptForPodman(facts, adaptForDockerDesktop(facts, { findings, notChecked: results.flatMap((r) => r.notChecked) }));
}

/** DESIGN.md's contract: 2 if any critical, 1 if any warning, else 0. */
export function doctorExitCode(findings: Finding[]): 0 | 1 | 2 {
  if (findings.some((f) => f.severity === 'critical')) return 2;
  if (findings.some((f) => f.severity === 'warning')) return 1;
  return 0;
}
