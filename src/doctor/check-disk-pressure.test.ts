import { describe, expect, it } from 'vitest';
import { checkDiskPressure } from './check-disk-pressure.js';
import { CONTAINERD_STORE_INFO, makeContainerd, makeFacts, makeFs, makeLocal } from './testing/build-facts.js';

const GiB = 1024 ** 3;
const at = (availGiB: number, inodesFree = 6_000_000) => makeFacts({ host: makeLocal({ dataRootFs: makeFs({ sizeBytes: 100 * GiB, availBytes: availGiB * GiB, inodesFree }) }) });

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

describe("disk.pressure with containerd's image store", () => {
  const containerdAt = (availGiB: number, host: Partial<Parameters<typeof makeLocal>[0]> = {}) =>
    makeFacts({
      info: CONTAINERD_STORE_INFO,
      host: makeLocal({
        containerd: makeContainerd({
          rootFs: makeFs({ path: '/var/lib/containerd', mountPoint: '/var/lib/containerd', device: '/dev/sdc1', deviceId: '8:33', sizeBytes: 100 * GiB, availBytes: availGiB * GiB }),
        }),
        ...host,
      }),
    });

  it("names containerd's root filesystem when it is the full one, and the data root's as another", () => {
    const [finding] = checkDiskPressure(containerdAt(0.5), { highPct: 85 }).findings;
    expect(finding).toMatchObject({ id: 'disk.pressure', severity: 'critical' });
    expect(finding?.title).toBe("containerd's root filesystem is 99.5% full (space), above the 85% threshold");
    expect(finding?.detail).toContain("containerd's root /var/lib/containerd lives on /var/lib/containerd (ext4)");
    expect(finding?.evidence.join('\n')).toContain('the data root /var/lib/docker is on another filesystem:');
  });

  it('is quiet when both filesystems are below the threshold', () => {
    expect(checkDiskPressure(containerdAt(50), { highPct: 85 })).toEqual({ findings: [], notChecked: [] });
  });

  it('still judges the data root when containerd has room', () => {
    const facts = containerdAt(50, { dataRootFs: makeFs({ sizeBytes: 100 * GiB, availBytes: 2 * GiB }) });
    expect(checkDiskPressure(facts, { highPct: 85 }).findings[0]?.title).toMatch(/^The data root filesystem is 98.0% full/);
  });

  it("judges a filesystem holding both roots once (dockerd's own containerd, under the data root)", () => {
    const fs = makeFs({ sizeBytes: 100 * GiB, availBytes: 3 * GiB });
    const facts = makeFacts({
      info: CONTAINERD_STORE_INFO,
      host: makeLocal({ dataRootFs: fs, containerd: makeContainerd({ managedByDockerd: true, root: '/var/lib/docker/containerd/daemon', rootFs: fs }) }),
    });
    const [finding] = checkDiskPressure(facts, { highPct: 85 }).findings;
    expect(finding?.title).toBe("The filesystem of the data root and of containerd's root is 97.0% full (space), above the 85% threshold");
    expect(finding?.evidence).toHaveLength(2);
  });

  it("lists containerd's root as not checked from a paste", () => {
    const { notChecked } = checkDiskPressure(makeFacts({ info: CONTAINERD_STORE_INFO, host: null }), { highPct: 85 });
    expect(notChecked.map((n) => n.reason).join(' ')).toMatch(/containerd's image store, whose root .* not known here/);
  });

  it("judges the data root of a snapshot that predates containerd facts, and says containerd's root was not checked", () => {
    const facts = makeFacts({ info: CONTAINERD_STORE_INFO, host: makeLocal({ dataRootFs: makeFs({ sizeBytes: 100 * GiB, availBytes: 1 * GiB }) }) });
    const result = checkDiskPressure(facts, { highPct: 85 });
    expect(result.findings[0]?.title).toMatch(/^The data root filesystem is 99.0% full/);
    expect(result.notChecked[0]?.reason).toMatch(/does not say where containerd's root is/);
  });
});
