import { describe, expect, it } from 'vitest';
import type { SampledFs } from '../store/sampled-fs.js';
import { unmeasuredChanges, unmeasuredFinding, type Unmeasured } from './unmeasured.js';

const dataRoot: SampledFs = { role: 'data-root', path: '/var/lib/docker', mountPoint: '/' };
const containerd: SampledFs = { role: 'containerd-root', path: '/var/lib/containerd', mountPoint: '/srv' };
const denied: Unmeasured = { fs: dataRoot, error: 'EACCES' };

describe('unmeasuredChanges', () => {
  it('says when a filesystem stops being measurable, once, and when it is again', () => {
    const start = unmeasuredChanges([], [denied]);
    expect(start).toEqual(['cannot measure the data root /var/lib/docker (EACCES): its usage is not sampled and GC does not start when it crosses the high threshold, until it can be measured again']);
    expect(unmeasuredChanges([denied], [{ ...denied }])).toEqual([]);
    expect(unmeasuredChanges([denied], [])).toEqual(['measures the data root /var/lib/docker again']);
  });

  it('says when the cause changes', () => {
    expect(unmeasuredChanges([denied], [{ fs: dataRoot, error: 'EIO' }])).toHaveLength(1);
    expect(unmeasuredChanges([denied], [{ fs: dataRoot, error: 'EIO' }])[0]).toMatch(/^cannot measure the data root \/var\/lib\/docker \(EIO\)/);
  });
});

describe('unmeasuredFinding', () => {
  it('is none while everything is measured', () => {
    expect(unmeasuredFinding([])).toBeNull();
  });

  it('names each filesystem and its error', () => {
    const f = unmeasuredFinding([denied, { fs: containerd, error: 'EIO' }]);
    expect(f).toMatchObject({ id: 'disk.unmeasured', severity: 'warning', evidence: ['statfs /var/lib/docker: EACCES', 'statfs /var/lib/containerd: EIO'] });
    expect(f?.title).toBe("The agent cannot measure the filesystem of the data root /var/lib/docker and containerd's root /var/lib/containerd");
  });
});
