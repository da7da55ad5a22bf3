import type { InventoryImage } from '../engine/inventory.js';

// What deleting images really gives back. A layer is freed only when the last image
// holding it goes, so deleting one of two images that share a 90% base frees 10%, and
// deleting the second frees the rest. kubelet sums image sizes instead and overstates
// what it freed; this ledger counts each layer once, when its last holder is released.
//
// With containerd's image store an image also holds content blobs (compressed layers,
// configs, manifests, an index) besides its unpacked snapshots; they are units of the
// same ledger, keyed by digest, so a blob two images share is freed with the last one.
//
// Chain ids and digests are interned to array indices once: a big host has tens of
// thousands of layers, and counting in typed arrays keeps planning well under 100 ms.

export interface LayerLedger {
  /** Bytes freed by deleting this image now, given the images released before it. */
  release(image: InventoryImage): number;
  /** Bytes that deleting this image alone would free (its layers no other image holds). */
  uniqueBytes(image: InventoryImage): number;
}

/** Layers by chain id, then content blobs by digest (a separate key space: `blob:`). */
function unitsOf(image: InventoryImage): { key: string; size: number | null }[] {
  const layers = image.layers.map((l) => ({ key: l.chainId, size: l.size }));
  return image.content ? [...layers, ...image.content.map((b) => ({ key: `blob:${b.digest}`, size: b.size }))] : layers;
}

export function layerLedger(images: readonly InventoryImage[]): LayerLedger {
  const index = new Map<string, number>();
  const layersOf = new Map<string, Int32Array>();
  const unitSizes = new Map<string, (number | null)[]>();
  for (const image of images) {
    const units = unitsOf(image);
    const ids = new Int32Array(units.length);
    units.forEach((unit, i) => {
      let at = index.get(unit.key);
      if (at === undefined) index.set(unit.key, (at = index.size));
      ids[i] = at;
    });
    layersOf.set(image.id, ids);
    unitSizes.set(image.id, units.map((u) => u.size));
  }
  const holders = new Int32Array(index.size);
  // NaN: no image's history gave this layer's size.
  const sizes = new Float64Array(index.size).fill(NaN);
  for (const image of images) {
    const ids = layersOf.get(image.id) as Int32Array;
    (unitSizes.get(image.id) as (number | null)[]).forEach((size, i) => {
      const at = ids[i] as number;
      holders[at] = holders[at]! + 1;
      if (size !== null) sizes[at] = size;
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
        // uniqueSize stands for the layers only this image held; content blobs always have sizes.
        if (!known && initialHolders[at] === 1 && Number.isNaN(sizes[at]!)) continue;
        // A size another image's history gave is as good as our own; unknown counts as nothing.
        const size = sizes[at]!;
        if (!Number.isNaN(size)) freed += size;
      }
      return freed;
    },
    uniqueBytes(image) {
      let bytes = sizesKnown(image) ? 0 : (image.uniqueSize ?? 0);
      for (const at of idsOf(image)) if (holders[at] === 1 && !Number.isNaN(sizes[at]!)) bytes += sizes[at]!;
      return bytes;
    },
  };
}
