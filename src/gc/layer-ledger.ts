import type { InventoryImage } from '../engine/inventory.js';

// What deleting images really gives back. A layer is freed only when the last image
// holding it goes, so deleting one of two images that share a 90% base frees 10%, and
// deleting the second frees the rest. kubelet sums image sizes instead and overstates
// what it freed; this ledger counts each layer once, when its last holder is released.

export interface LayerLedger {
  /** Bytes freed by deleting this image now, given the images released before it. */
  release(image: InventoryImage): number;
  /** Bytes that deleting this image alone would free (its layers no other image holds). */
  uniqueBytes(image: InventoryImage): number;
}

export function layerLedger(images: readonly InventoryImage[]): LayerLedger {
  const holders = new Map<string, number>();
  const initialHolders = new Map<string, number>();
  const sizes = new Map<string, number>();
  for (const image of images) {
    for (const layer of image.layers) {
      holders.set(layer.chainId, (holders.get(layer.chainId) ?? 0) + 1);
      if (layer.size !== null) sizes.set(layer.chainId, layer.size);
    }
  }
  for (const [k, v] of holders) initialHolders.set(k, v);

  const sizesKnown = (image: InventoryImage) => image.layers.every((l) => l.size !== null);

  return {
    release(image) {
      const known = sizesKnown(image);
      // Without layer sizes, /system/df's unique size stands for the layers only this image held.
      let freed = known ? 0 : (image.uniqueSize ?? 0);
      for (const layer of image.layers) {
        const left = (holders.get(layer.chainId) ?? 1) - 1;
        holders.set(layer.chainId, left);
        if (left > 0) continue;
        if (!known && initialHolders.get(layer.chainId) === 1) continue;
        // A size another image's history gave is as good as our own; unknown counts as nothing.
        freed += sizes.get(layer.chainId) ?? 0;
      }
      return freed;
    },
    uniqueBytes(image) {
      if (!sizesKnown(image)) return image.uniqueSize ?? 0;
      return image.layers.filter((l) => holders.get(l.chainId) === 1).reduce((sum, l) => sum + (l.size ?? 0), 0);
    },
  };
}
