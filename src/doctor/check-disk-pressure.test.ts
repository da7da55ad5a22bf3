import { describe, expect, it } from 'vitest';
import { checkDiskPressure } from './check-disk-pressure.js';
import { makeFacts, makeFs, makeLocal } from './testing/build-facts.js';

const GiB = 1024 ** 3;
const at = (availGiB: number, inodesFree = 6_000_000) =>
  makeFacts({ host: makeLocal({ dataRootFs: makeFs({ sizeBytes: 100 * GiB, availBytes: availGiB * GiB, inodesFree }) }) });

describe('disk.pressure', () => {
  it('is quiet at or below the high threshold', () => {
    expect(checkDiskPressure(at(15), { highPct: 85 }).findings).toEqual([]);
  });
  it('warns above the high threshold, measured as kubelet does (100 - available/capacity)', () => {
    const [finding] = checkDiskPressure(at(14), { highPct: 85 }).findings;
    expect(finding?.severity).toBe('warning');
    expect(finding?.title).toContain('86.0% full (space)');
  });
  it('is critical at 95% and above', () => {
    expect(checkDiskPressure(at(4), { highPct: 85 }).findings[0]?.severity).toBe('critical');
  });
  it('counts inodes: a filesystem out of inodes is full with space to spare', () => {
    const [finding] = checkDiskPressure(at(50, 100_000), { highPct: 85 }).findings;
    expect(finding?.title).toContain('(inodes)');
  });
  it('follows the threshold it is given', () => {
    expect(checkDiskPressure(at(30), { highPct: 60 }).findings).toHaveLength(1);
  });
  it('says it could not check without host facts', () => {
    expect(checkDiskPressure(makeFacts({ host: null }), { highPct: 85 }).notChecked[0]?.id).toBe('disk.pressure');
  });
});
