import type { InventoryImage } from '../engine/inventory.js';
import { StringIndex } from './string-index.js';

// What deleting images really gives back. A layer is freed only when the last image
// holding it goes, so deleting one of two images that share a 90% base frees 10%, and
// deleting the second frees the rest. kubelet sums image sizes instead and overstates
// what it freed; this ledger counts each layer once, when its last holder is released.
//
// With containerd's image store an image also holds content blobs (compressed layers,
// configs, manifests, an index) besides its unpacked snapshots; they are units of the
// same ledger, keyed by digest, so a blob two images share is freed with the last one.
//
// Chain ids and digests are numbered once (string-index.ts): a big host has tens of
// thousands of layers, and counting in typed arrays keeps planning well under 100 ms.

export interface LayerLedger {
  /** Bytes freed by deleting this image now, given the images released before it. */
  release(image: InventoryImage): number;
  /** Bytes that deleting this image alone would free (its layers no other image holds). */
  uniqueBytes(image: InventoryImage): number;
  /** release() of the image at this position of the list the ledger was made from. */
  releaseAt(position: number): number;
  /** uniqueBytes() of the image at this position of the list the ledger was made from. */
  uniqueBytesAt(position: number): number;
}

export function layerLedger(images: readonly InventoryImage[]): LayerLedger {
  // Every unit (a layer by chain id, then a content blob by digest, in a key space of its
  // own: `blob:`) gets a number the first time it is seen; `held` lists each image's units,
  // image after image. holders counts the images holding a unit; a size any image gave
  // wins over none (the last one given stands).
  let total = 0;
  for (const image of images) total += image.layers.length + (image.content ? image.content.length : 0);
  const units = new StringIndex(total);
  const held = new Int32Array(total);
  const start = new Int32Array(images.length + 1);
  const unknownSizes = new Uint8Array(images.length);
  const holders = new Int32Array(total);
  // NaN: no image's history gave this layer's size.
  const sizes = new Float64Array(total).fill(NaN);
  let k = 0;
  const hold = (key: string, size: number | null) => {
    const at = units.add(key);
    holders[at]!++;
    if (size !== null) sizes[at] = size;
    held[k++] = at;
  };
  images.forEach((image, i) => {
    start[i] = k;
    const { layers, content } = image;
    for (let l = 0; l < layers.length; l++) {
      const { chainId, size } = layers[l]!;
      if (size === null) unknownSizes[i] = 1;
      hold(chainId, size);
    }
    if (content) for (let b = 0; b < content.length; b++) hold(`blob:${content[b]!.digest}`, content[b]!.size);
  });
  start[images.length] = k;
  const initialHolders = holders.slice(0, units.size);

  const release = (i: number, uniqueSize: number | null): number => {
    if (i < 0) return 0;
    const known = unknownSizes[i] === 0;
    // Without layer sizes, /system/df's unique size stands for the layers only this image held.
    let freed = known ? 0 : (uniqueSize ?? 0);
    for (let u = start[i]!; u < start[i + 1]!; u++) {
      const at = held[u]!;
      if (--holders[at]! > 0) continue;
      // uniqueSize stands for the layers only this image held; content blobs always have sizes.
      if (!known && initialHolders[at] === 1 && Number.isNaN(sizes[at]!)) continue;
      // A size another image's history gave is as good as our own; unknown counts as nothing.
      const size = sizes[at]!;
      if (!Number.isNaN(size)) freed += size;
    }
    return freed;
  };
  const uniqueBytes = (i: number, uniqueSize: number | null): number => {
    if (i < 0) return 0;
    let bytes = unknownSizes[i] === 1 ? (uniqueSize ?? 0) : 0;
    for (let u = start[i]!; u < start[i + 1]!; u++) {
      const at = held[u]!;
      if (holders[at] === 1 && !Number.isNaN(sizes[at]!)) bytes += sizes[at]!;
    }
    return bytes;
  };
  // By id, for callers that hold the image rather than its position (the last of equal ids).
  let positions: Map<string, number> | null = null;
  const positionOf = (image: InventoryImage): number => {
    positions ??= new Map(images.map((im, i) => [im.id, i]));
    return positions.get(image.id) ?? -1;
  };
  return {
    release: (image) => release(positionOf(image), image.uniqueSize),
    uniqueBytes: (image) => uniqueBytes(positionOf(image), image.uniqueSize),
    releaseAt: (i) => release(i, images[i]!.uniqueSize),
    uniqueBytesAt: (i) => uniqueBytes(i, images[i]!.uniqueSize),
  };
}
