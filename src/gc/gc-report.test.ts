import { describe, expect, it } from 'vitest';
import { gcExitCode, gcReport } from './gc-report.js';
import type { PlannedImage } from './planned-image.js';
import type { GcRun } from './run-gc.js';
import { id, MB, T0 } from './testing/build-inventory.js';

// `dockwarden gc --json` is parsed by scripts: DESIGN.md freezes
//   {"before":{"usedPct"},"after":{"usedPct"},"deleted":[{"id","tags","bytes","reason"}],"kept":[{"id","tags","reason"}]}
// Fields may be added; these tests fail when one of the frozen ones is renamed or removed.

function entry(name: string, code: PlannedImage['code'], reason: string, bytes: number): PlannedImage {
  return {
    id: id(name),
    tags: [`${name}:1`],
    digests: [],
    bytes,
    size: bytes,
    code,
    reason,
    lastUsed: { at: T0, source: 'container web created' },
    firstSeen: { at: T0, source: 'stored on this host' },
  };
}

function run(over: Partial<GcRun> = {}): GcRun {
  return {
    dryRun: false,
    before: { usedPct: 91.23456, imageBytes: null },
    after: { usedPct: 79.994999, imageBytes: null },
    bytesToFree: 300 * MB,
    reachedTarget: true,
    summary: 'Usage 91.2% is above --high 85%.',
    deleted: [entry('old', 'unused', 'least recently used; last used 30d ago (container web created)', 300 * MB)],
    kept: [entry('web', 'in-use', 'in use by container web (running)', 50 * MB)],
    failed: [],
    unplanned: [],
    rounds: 1,
    containers: null,
    buildCache: null,
    notes: [],
    ...over,
  };
}

describe('gcReport, the frozen --json shape', () => {
  it('keeps before.usedPct, after.usedPct, deleted[].{id,tags,bytes,reason} and kept[].{id,tags,reason}', () => {
    // Through JSON, as scripts see it.
    const json = JSON.parse(JSON.stringify(gcReport(run()))) as Record<string, unknown>;
    expect(json).toMatchObject({
      before: { usedPct: expect.any(Number) },
      after: { usedPct: expect.any(Number) },
      deleted: [{ id: id('old'), tags: ['old:1'], bytes: 300 * MB, reason: 'least recently used; last used 30d ago (container web created)' }],
      kept: [{ id: id('web'), tags: ['web:1'], reason: 'in use by container web (running)' }],
    });
  });

  it('rounds usedPct to two decimals', () => {
    const report = gcReport(run());
    expect(report.before.usedPct).toBe(91.23);
    expect(report.after.usedPct).toBe(79.99);
  });

  it('gives null usedPct and the image bytes in budget mode', () => {
    const report = gcReport(run({ before: { usedPct: null, imageBytes: 5000 }, after: { usedPct: null, imageBytes: 4000 } }));
    expect(report.before).toEqual({ usedPct: null, imageBytes: 5000 });
    expect(report.after).toEqual({ usedPct: null, imageBytes: 4000 });
  });

  it('adds the code, size and last use of each image, with the time in ISO form', () => {
    expect(gcReport(run()).kept[0]).toEqual({
      id: id('web'),
      tags: ['web:1'],
      bytes: 50 * MB,
      reason: 'in use by container web (running)',
      code: 'in-use',
      size: 50 * MB,
      lastUsed: '2026-01-01T00:00:00.000Z',
      lastUsedSource: 'container web created',
    });
  });

  it('lists failed deletions by id and tags with the error', () => {
    const failed = [{ image: entry('broken', 'unused', 'least recently used', MB), message: 'The Docker engine answered 500: driver failed.' }];
    expect(gcReport(run({ failed })).failed).toEqual([{ id: id('broken'), tags: ['broken:1'], error: 'The Docker engine answered 500: driver failed.' }]);
  });

  it('passes through the run summary, rounds, prunes and notes', () => {
    const report = gcReport(run({ dryRun: true, rounds: 2, containers: { removed: 3, bytes: null }, buildCache: { bytes: 7 }, notes: ['This node is a swarm worker.'] }));
    expect(report).toMatchObject({
      dryRun: true,
      bytesToFree: 300 * MB,
      reachedTarget: true,
      summary: 'Usage 91.2% is above --high 85%.',
      rounds: 2,
      containers: { removed: 3, bytes: null },
      buildCache: { bytes: 7 },
      notes: ['This node is a swarm worker.'],
    });
  });
});

describe('gcExitCode', () => {
  it('is 0 when the run reached its target or had nothing to do', () => {
    expect(gcExitCode(run())).toBe(0);
    expect(gcExitCode(run({ bytesToFree: 0, deleted: [], rounds: 0 }))).toBe(0);
  });

  it('is 1 when the run could not reach its target', () => {
    expect(gcExitCode(run({ reachedTarget: false }))).toBe(1);
  });

  it('is 3 when a deletion failed, even if the target was reached', () => {
    const failed = [{ image: entry('broken', 'unused', 'least recently used', MB), message: 'boom' }];
    expect(gcExitCode(run({ failed }))).toBe(3);
    expect(gcExitCode(run({ failed, reachedTarget: false }))).toBe(3);
  });
});
