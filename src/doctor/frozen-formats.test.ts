import { describe, expect, it } from 'vitest';
import { doctorReport } from './doctor-report.js';
import { FINDING_IDS, type Finding } from '../finding.js';
import { doctorExitCode, runDoctor } from './run-doctor.js';
import { makeFacts, makeFs, makeLocal } from './testing/build-facts.js';

// Scripts and CI depend on these (DESIGN.md, "Command-line contract"). A failure here
// means a breaking change: add, never rename or remove.

describe('frozen formats', () => {
  it('keeps every finding id of DESIGN.md', () => {
    expect(FINDING_IDS).toEqual([
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
    ]);
  });

  it('keeps the shape of doctor --json', () => {
    const full = makeFacts({ host: makeLocal({ dataRootFs: makeFs({ availBytes: 1 }) }) });
    const report = JSON.parse(JSON.stringify(doctorReport(full, runDoctor(full)))) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['findings', 'facts', 'notChecked', 'gaps']);
    const [finding] = report['findings'] as Finding[];
    expect(Object.keys(finding!)).toEqual(['id', 'severity', 'title', 'detail', 'evidence', 'fix']);
    expect(Object.keys(finding!.fix)).toEqual(['summary', 'commands']);
    expect(Object.keys(report['facts'] as object)).toEqual([
      'origin',
      'endpoint',
      'name',
      'serverVersion',
      'apiVersion',
      'driver',
      'backingFilesystem',
      'dockerRootDir',
      'loggingDriver',
      'liveRestore',
      'swarm',
      'dataRootFs',
      'imageStore',
      'containerdRoot',
      'containerdRootFs',
      'engine',
    ]);
    expect(Object.keys((report['facts'] as { dataRootFs: object }).dataRootFs)).toEqual(['mountPoint', 'fsType', 'device', 'sizeBytes', 'availBytes', 'usedPct']);
  });

  it('keeps the exit codes: 2 for any critical, 1 for any warning, else 0', () => {
    const f = (severity: Finding['severity']) => ({ severity }) as Finding;
    expect(doctorExitCode([f('info'), f('warning'), f('critical')])).toBe(2);
    expect(doctorExitCode([f('info'), f('warning')])).toBe(1);
    expect(doctorExitCode([f('info')])).toBe(0);
    expect(doctorExitCode([])).toBe(0);
  });
});
