import { describe, expect, it } from 'vitest';
import { checkSizeLimits } from './check-size-limits.js';
import { makeFacts, makeFs, makeLocal, makeSetting } from './testing/build-facts.js';

describe('sizelimit.unavailable', () => {
  it('is info for overlay2 on ext4', () => {
    const [finding] = checkSizeLimits(makeFacts()).findings;
    expect(finding?.severity).toBe('info');
  });
  it('shows each mount option once, though mountinfo lists rw for the mount and for its superblock', () => {
    const host = makeLocal({ dataRootFs: makeFs({ mountOptions: ['rw', 'relatime'], superOptions: ['rw', 'errors=remount-ro'] }) });
    expect(checkSizeLimits(makeFacts({ host })).findings[0]?.evidence).toContain('/var/lib/docker: ext4 (rw,relatime,errors=remount-ro)');
  });
  it('is quiet for overlay2 on XFS mounted with pquota (shown as prjquota in mountinfo)', () => {
    const host = makeLocal({ dataRootFs: makeFs({ fsType: 'xfs', xfsFtype: 1, superOptions: ['rw', 'attr2', 'inode64', 'prjquota'] }) });
    expect(checkSizeLimits(makeFacts({ host })).findings).toEqual([]);
  });
  it('is critical when overlay2.size is configured without project quota (dockerd will not start)', () => {
    const host = makeLocal({ dataRootFs: makeFs({ fsType: 'xfs', xfsFtype: 1 }) }, [makeSetting('storage-opt', 'overlay2.size=10G')]);
    expect(checkSizeLimits(makeFacts({ host })).findings[0]?.severity).toBe('critical');
  });
  it('decides overlay2 on extfs from a paste alone, and skips XFS whose mount options are unknown', () => {
    expect(checkSizeLimits(makeFacts({ host: null })).findings[0]?.id).toBe('sizelimit.unavailable');
    const xfs = makeFacts({
      host: null,
      info: {
        DriverStatus: [
          ['Backing Filesystem', 'xfs'],
          ['Supports d_type', 'true'],
        ],
      },
    });
    expect(checkSizeLimits(xfs).notChecked[0]?.reason).toContain('pquota');
  });
  it('does not apply to drivers with their own limits', () => {
    expect(checkSizeLimits(makeFacts({ info: { Driver: 'zfs' } }))).toEqual({ findings: [], notChecked: [] });
  });
});

describe('sizelimit.unavailable and driver names', () => {
  it('judges "Overlay 2" as overlay2', () => {
    expect(checkSizeLimits(makeFacts({ info: { Driver: 'Overlay 2' } })).findings[0]?.id).toBe('sizelimit.unavailable');
  });
  it('lists a driver it does not know as not checked', () => {
    const { findings, notChecked } = checkSizeLimits(makeFacts({ info: { Driver: 'xyz' } }));
    expect(findings).toEqual([]);
    expect(notChecked).toEqual([{ id: 'sizelimit.unavailable', reason: expect.stringContaining('"xyz" is not one dockwarden knows') }]);
  });
});
