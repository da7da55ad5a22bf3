import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from './engine-api.js';
import { chainIds, layersWithSizes } from './image-layers.js';

// Chain ids decide which layers two images share, so they must be Docker's own; the
// expected values are computed here from the formula in the image spec, not taken from
// the code under test.

const diff = (n: number): string => `sha256:${String(n).repeat(64)}`;
const L1 = diff(1);
const L2 = diff(2);
const L3 = diff(3);

/** chain(L1..Ln) = "sha256:" + hex(sha256(chain(L1..Ln-1) + " " + Ln)) */
const chainOf = (parent: string, layer: string): string => `sha256:${createHash('sha256').update(`${parent} ${layer}`).digest('hex')}`;

/** History as the engine returns it: newest step first. */
const history = (...steps: [createdBy: string, size: number][]): HistoryEntry[] => steps.map(([createdBy, size]) => ({ createdBy, size }));

const sizes = (layers: { size: number | null }[]): (number | null)[] => layers.map((l) => l.size);

describe('chainIds', () => {
  it('gives the first layer its diff id as chain id', () => {
    expect(chainIds([L1])).toEqual([L1]);
  });

  it('hashes each chain id with the next diff id, as Docker does', () => {
    const c2 = chainOf(L1, L2);
    const c3 = chainOf(c2, L3);
    expect(chainIds([L1, L2, L3])).toEqual([L1, c2, c3]);
  });

  it('gives the same layer different chain ids on different bases', () => {
    const [, onL1] = chainIds([L1, L3]);
    const [, onL2] = chainIds([L2, L3]);
    expect(onL1).not.toBe(onL2);
  });

  it('returns no chain ids for an image without layers', () => {
    expect(chainIds([])).toEqual([]);
  });
});

describe('layersWithSizes', () => {
  it('pairs layers with a history of the same length, oldest step with the base layer', () => {
    const layers = layersWithSizes([L1, L2], history(['RUN make', 30], ['ADD rootfs.tar /', 70]), 100);
    expect(layers).toEqual([
      { chainId: L1, size: 70 },
      { chainId: chainOf(L1, L2), size: 30 },
    ]);
  });

  it('skips the zero-size steps that made no layer (ENV, CMD)', () => {
    const steps = history(['CMD ["app"]', 0], ['RUN make', 30], ['ENV A=1', 0], ['ADD rootfs.tar /', 70]);
    expect(sizes(layersWithSizes([L1, L2], steps, 100))).toEqual([70, 30]);
  });

  it('gives every layer a null size when the sizes do not add up to the image size', () => {
    const layers = layersWithSizes([L1, L2], history(['RUN make', 30], ['ADD rootfs.tar /', 70]), 120);
    expect(sizes(layers)).toEqual([null, null]);
    expect(layers.map((l) => l.chainId)).toEqual(chainIds([L1, L2]));
  });

  it('gives null sizes when the non-empty steps do not match the layers one to one', () => {
    // An empty RUN made a layer of 0 bytes: it cannot be told from the ENV step.
    const steps = history(['CMD ["app"]', 0], ['RUN true', 0], ['ENV A=1', 0], ['ADD rootfs.tar /', 70]);
    expect(sizes(layersWithSizes([L1, L2], steps, 70))).toEqual([null, null]);
  });

  it('gives null sizes when the history has fewer steps than the image has layers', () => {
    expect(sizes(layersWithSizes([L1, L2, L3], history(['RUN make', 30], ['ADD rootfs.tar /', 70]), 100))).toEqual([null, null, null]);
  });
});
