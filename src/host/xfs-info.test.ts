import { describe, expect, it } from 'vitest';
import { recorded } from './testing/fixtures.js';
import { parseXfsFtype } from './xfs-info.js';

describe('parseXfsFtype', () => {
  it('reads ftype=1 from current xfsprogs (comma before ftype)', () => {
    expect(parseXfsFtype(recorded('xfs_info-6.1-ftype1.txt'))).toBe(1);
  });
  it('reads ftype=0 from a v4 filesystem, past the deprecation warning', () => {
    expect(parseXfsFtype(recorded('xfs_info-6.1-v4-ftype0.txt'))).toBe(0);
  });
  it("reads ftype=0 from CentOS 7's layout (no comma before ftype)", () => {
    expect(parseXfsFtype(recorded('xfs_info-centos7-ftype0.txt'))).toBe(0);
  });
  it('infers ftype=1 for a v5 (crc=1) filesystem when an old xfs_info omits ftype', () => {
    expect(parseXfsFtype('         =                       crc=1        finobt=0\nnaming   =version 2              bsize=4096   ascii-ci=0\n')).toBe(1);
  });
  it('says unknown when neither ftype nor crc=1 is printed', () => {
    expect(parseXfsFtype('naming   =version 2              bsize=4096   ascii-ci=0\n')).toBeNull();
  });
});
