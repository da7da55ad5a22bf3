import { describe, expect, it } from 'vitest';
import { replanDecision } from './replan.js';

const limits = { minMs: 1_000, maxMs: 30_000 };
const scan = { id: 'scan-1' };

describe('replanDecision', () => {
  it('plans when nothing was planned, or for a newer scan', () => {
    expect(replanDecision(null, scan, 0, 0, limits)).toEqual({ replan: true, reason: 'nothing was planned yet' });
    expect(replanDecision({ scan: { id: 'scan-0' }, recorded: 0, at: 0 }, scan, 0, 10, limits)).toEqual({ replan: true, reason: 'a newer scan was read' });
  });

  it('reuses the plan of the same scan while no use was recorded, until it is maxMs old', () => {
    expect(replanDecision({ scan, recorded: 3, at: 0 }, scan, 3, 29_999, limits)).toMatchObject({ replan: false });
    expect(replanDecision({ scan, recorded: 3, at: 0 }, scan, 3, 30_000, limits)).toEqual({ replan: true, reason: 'the plan is 30 s old: min-age may have passed for more images' });
  });

  it('plans again for recorded uses at most once per minMs', () => {
    expect(replanDecision({ scan, recorded: 3, at: 0 }, scan, 4, 999, limits)).toMatchObject({ replan: false });
    expect(replanDecision({ scan, recorded: 3, at: 0 }, scan, 4, 1_000, limits)).toEqual({ replan: true, reason: 'uses were recorded since' });
  });
});
