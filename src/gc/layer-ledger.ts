import type { InventoryImage } from '../engine/inventory.js';

// What deleting images really gives back. A layer is freed only when the last image
// holding it goes, so deleting one of two images that share a 90% base frees 10%, and
// deleting the second frees the rest. kubelet sums image sizes instead and overstates
// what it freed; this ledger counts each layer once, when its last holder is released.
//
// Chain ids are interned to array indices once: a big host has tens of thousands of
// layers, and counting in typed arrays keeps planning well under 100 ms.

export interface LayerLedger {
  /** Bytes freed by deleting this image now, given the images released before it. */
  release(image: InventoryImage): number;
  /** Bytes that deleting this image alone would free (its layers no other image holds). */
  uniqueBytes(image: InventoryImage): number;
}

export function layerLedger(images: readonly InventoryImage[]): LayerLedger {
  const index = new Map<string, number>();
  const layersOf = new Map<string, Int32Array>();
  for (const image of images) {
    const ids = new Int32Array(image.layers.length);
    image.layers.forEach((layer, i) => {
      let at = index.get(layer.chainId);
      if (at === undefined) index.set(layer.chainId, (at = index.size));
      ids[i] = at;
    });
    layersOf.set(image.id, ids);
  }
  const holders = new Int32Array(index.size);
  // NaN: no image's history gave this layer's size.
  const sizes = new Float64Array(index.size).fill(NaN);
  for (const image of images) {
    const ids = layersOf.get(image.id) as Int32Array;
    image.layers.forEach((layer, i) => {
      const at = ids[i] as number;
      holders[at] = holders[at]! + 1;
      if (layer.size !== null) sizes[at] = layer.size;
    });
  }
  const initialHolders = holders.slice();
  const unknownSizes = new Set(images.filter((image) => image.layers.some((l) => l.size === null)).map((image) => image.id));
  const sizesKnown = (image: InventoryImage) => !unknownSizes.has(image.id);
  const idsOf = (image: InventoryImage) => layersOf.get(image.id) ?? new Int32Array(0);

  return {
    release(image) {
      const known = sizesKnown(image);
      // Without layer sizes, /system/df's unique size stands for the layers only this image held.
      let freed = known ? 0 : (image.uniqueSize ?? 0);
      for (const at of idsOf(image)) {
        if (--holders[at]! > 0) continue;
        if (!known && initialHolders[at] === 1) continue;
        // A size another image's history gave is as good as our own; unknown counts as nothing.
        const size = sizes[at]!;
        if (!Number.isNaN(size)) freed += size;
      }
      return freed;
    },
    uniqueBytes(image) {
      if (!sizesKnown(image)) return image.uniqueSize ?? 0;
      let bytes = 0;
      for (const at of idsOf(image)) if (holders[at] === 1) bytes += sizes[at]!;
      return bytes;
    },
  };
}
