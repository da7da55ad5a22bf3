import { describe, expect, it } from 'vitest';
import type { SampledFs } from '../store/sampled-fs.js';
import { imageFsRole, pressureTrigger } from './pressure-trigger.js';

describe('pressureTrigger', () => {
  it('runs GC when usage crosses --high', () => {
    expect(pressureTrigger(90, 80, 85)).toEqual({ run: true, reason: 'usage 90.0% crossed --high 85% (from 80.0%)' });
    expect(pressureTrigger(85.5, 85, 85)).toMatchObject({ run: true });
  });

  it('runs GC on the first reading above --high (at start, or after a sample that could not measure)', () => {
    expect(pressureTrigger(90, null, 85)).toEqual({ run: true, reason: 'usage 90.0% crossed --high 85% (from no reading before)' });
  });

  it('does not run again while usage stays above --high', () => {
    expect(pressureTrigger(92, 90, 85)).toEqual({ run: false, reason: 'usage 92.0% is still above --high 85%: GC ran when it crossed' });
  });

  it('does not run at or below --high, nor without a reading', () => {
    expect(pressureTrigger(85, 90, 85)).toEqual({ run: false, reason: 'usage 85.0% is at or below --high 85%' });
    expect(pressureTrigger(null, 90, 85)).toEqual({ run: false, reason: 'usage was not measured: the pressure trigger waits for a reading' });
  });
});

describe('imageFsRole', () => {
  const dataRoot: SampledFs = { role: 'data-root', path: '/var/lib/docker', mountPoint: '/' };
  const containerdRoot: SampledFs = { role: 'containerd-root', path: '/var/lib/containerd', mountPoint: '/var/lib/containerd' };

  it("measures containerd's root with containerd's image store when it is a filesystem of its own", () => {
    expect(imageFsRole('containerd', [dataRoot, containerdRoot])).toBe('containerd-root');
  });

  it('measures the data root with a graph driver, or when containerd shares it', () => {
    expect(imageFsRole('graph', [dataRoot, containerdRoot])).toBe('data-root');
    expect(imageFsRole('containerd', [dataRoot])).toBe('data-root');
  });
});
