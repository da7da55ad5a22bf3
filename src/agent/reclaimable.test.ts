import { describe, expect, it } from 'vitest';
import type { PlannedImage } from '../gc/planned-image.js';
import { reclaimableBytes } from './reclaimable.js';

const planned = (code: PlannedImage['code'], bytes: number): PlannedImage => ({
  id: `sha256:${code}`,
  tags: [],
  digests: [],
  bytes,
  size: bytes,
  code,
  reason: code,
  lastUsed: { at: 0, source: 'image created' },
  firstSeen: { at: 0, source: 'image created' },
});

describe('reclaimableBytes', () => {
  it('counts what was deleted and what was kept only because the target was reached', () => {
    expect(reclaimableBytes({ deleted: [planned('unused', 100), planned('dangling', 20)], kept: [planned('not-needed', 300)] })).toBe(420);
  });

  it('does not count images kept for a reason', () => {
    expect(reclaimableBytes({ deleted: [], kept: [planned('in-use', 1000), planned('min-age', 50)] })).toBe(0);
  });
});
