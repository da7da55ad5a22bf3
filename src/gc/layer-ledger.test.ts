import { describe, expect, it } from 'vitest';
import type { InventoryImage } from '../engine/inventory.js';
import { layerLedger } from './layer-ledger.js';
import { image, MB } from './testing/build-inventory.js';

// Two images on a shared 90 MB base with a 10 MB layer of their own each: the case
// where summing image sizes (kubelet) claims 200 MB and the disk gives back 110 MB.

/** An image on the shared 90 MB base; `unknown` hides its layer sizes as a mismatched history does. */
function onBase(name: string, unknown = false): InventoryImage {
  return image(name, {
    layers: [
      ['base', 90 * MB],
      [`${name}-own`, 10 * MB],
    ],
    ...(unknown ? { uniqueSize: 10 * MB } : {}),
  });
}

/** Releases the images in order and returns what each release frees. */
function releaseAll(images: InventoryImage[], order: InventoryImage[] = images): number[] {
  const ledger = layerLedger(images);
  return order.map((i) => ledger.release(i));
}

describe('layerLedger.release', () => {
  it('frees only its own layer for the first of two images sharing a base, and the base with the second', () => {
    const [a, b] = [onBase('a'), onBase('b')];
    expect(releaseAll([a, b])).toEqual([10 * MB, 100 * MB]);
    expect(releaseAll([a, b], [b, a])).toEqual([10 * MB, 100 * MB]);
  });

  it('frees a layer held by three images only when the third goes', () => {
    expect(releaseAll([onBase('a'), onBase('b'), onBase('c')])).toEqual([10 * MB, 10 * MB, 100 * MB]);
  });

  it('frees the whole size of an image that shares nothing', () => {
    expect(
      releaseAll([
        image('solo', {
          layers: [
            ['s1', 60 * MB],
            ['s2', 40 * MB],
          ],
        }),
      ]),
    ).toEqual([100 * MB]);
  });

  it('treats an equal layer on a different base as a different layer', () => {
    const x = image('x', {
      layers: [
        ['base-x', 50 * MB],
        ['common', 10 * MB],
      ],
    });
    const y = image('y', {
      layers: [
        ['base-y', 50 * MB],
        ['common', 10 * MB],
      ],
    });
    expect(releaseAll([x, y])).toEqual([60 * MB, 60 * MB]);
  });
});

describe('layerLedger.uniqueBytes', () => {
  it('counts only the layers no other image holds', () => {
    const [a, b] = [onBase('a'), onBase('b')];
    const solo = image('solo', { size: 70 * MB });
    const ledger = layerLedger([a, b, solo]);
    expect([a, b, solo].map((i) => ledger.uniqueBytes(i))).toEqual([10 * MB, 10 * MB, 70 * MB]);
  });

  it('counts a shared layer as unique once the other holders are released', () => {
    const [a, b] = [onBase('a'), onBase('b')];
    const ledger = layerLedger([a, b]);
    ledger.release(a);
    expect(ledger.uniqueBytes(b)).toBe(100 * MB);
  });
});

describe('layerLedger with unknown layer sizes', () => {
  it("counts an image's unique size from /system/df for what only it holds", () => {
    const [u, v] = [onBase('u', true), onBase('v', true)];
    const ledger = layerLedger([u, v]);
    expect(ledger.uniqueBytes(u)).toBe(10 * MB);
    expect(ledger.release(u)).toBe(10 * MB);
  });

  it('never counts a shared layer whose size no image knows, even when its last holder goes', () => {
    expect(releaseAll([onBase('u', true), onBase('v', true)])).toEqual([10 * MB, 10 * MB]);
  });

  it('counts a shared layer by the size that another image gave, whichever goes last', () => {
    const [u, k] = [onBase('u', true), onBase('k')];
    expect(releaseAll([u, k])).toEqual([10 * MB, 100 * MB]);
    expect(releaseAll([u, k], [k, u])).toEqual([10 * MB, 100 * MB]);
  });

  it('counts nothing for an image whose sizes and unique size are both unknown', () => {
    const lost: InventoryImage = { ...image('lost', { uniqueSize: 0 }), uniqueSize: null };
    const ledger = layerLedger([lost]);
    expect(ledger.uniqueBytes(lost)).toBe(0);
    expect(ledger.release(lost)).toBe(0);
  });
});

describe("layerLedger with containerd's image store", () => {
  // Each image: its unpacked snapshots (layers) and its blobs in the content store, the
  // base layer's compressed blob shared like its snapshot, the manifest and config its own.
  const containerdOnBase = (name: string, contentUnknown = false) =>
    image(name, {
      layers: [
        ['base', 90 * MB],
        [`${name}-own`, 10 * MB],
      ],
      content: contentUnknown
        ? [[`all-content-of:${name}`, 45 * MB]]
        : [
            ['base.tar.gz', 40 * MB],
            [`${name}.tar.gz`, 5 * MB],
            [`${name}-manifest`, 1_000],
          ],
    });

  it('frees snapshots and blobs together, shared ones with the last image holding them', () => {
    const [a, b] = [containerdOnBase('a'), containerdOnBase('b')];
    expect(releaseAll([a, b])).toEqual([10 * MB + 5 * MB + 1_000, 100 * MB + 45 * MB + 1_000]);
    expect(layerLedger([a, b]).uniqueBytes(a)).toBe(15 * MB + 1_000);
  });

  it('counts an image whose blobs are unknown by its whole content, without double-counting its snapshots', () => {
    const [a, b] = [containerdOnBase('a', true), containerdOnBase('b', true)];
    expect(releaseAll([a, b])).toEqual([10 * MB + 45 * MB, 100 * MB + 45 * MB]);
  });

  it('counts content blobs of an image whose snapshot sizes are unknown on top of its unique size', () => {
    const a = image('a', { layers: [['a-own', 1]], uniqueSize: 7 * MB, content: [['a.tar.gz', 3 * MB]] });
    expect(releaseAll([a])).toEqual([10 * MB]);
    expect(layerLedger([a]).uniqueBytes(a)).toBe(10 * MB);
  });
});
