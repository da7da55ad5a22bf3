import { createHash } from 'node:crypto';
import type { HistoryEntry } from './engine-api.js';
import type { InventoryLayer } from './inventory.js';

// Which layers an image has and what each weighs, so gc can tell what deleting a set of
// images really frees. Layers are stored once per chain id (a layer together with every
// layer below it), so two images share storage exactly where their chain ids agree.

/** Docker's chain ids: chain(L1) = L1, chain(L1..Ln) = sha256(chain(L1..Ln-1) + " " + Ln). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  let chain = '';
  for (const diff of diffIds) {
    chain = chain === '' ? diff : `sha256:${createHash('sha256').update(`${chain} ${diff}`).digest('hex')}`;
    out.push(chain);
  }
  return out;
}

/**
 * Pairs each layer with its size from the image history. The history has one entry per
 * build step and only some steps made a layer (ENV and CMD do not); the API does not say
 * which, so the pairing is trusted only when it is unambiguous and the sizes add up to
 * the image's size. Otherwise the sizes are null and gc falls back to /system/df's
 * shared size for that image.
 */
export function layersWithSizes(diffIds: string[], history: HistoryEntry[], imageSize: number | null): InventoryLayer[] {
  const chains = chainIds(diffIds);
  const sizes = pairSizes(diffIds.length, [...history].reverse());
  // null: no total to check against (containerd's store, whose list Size adds content).
  const known = sizes !== null && (imageSize === null || sizes.reduce((a, b) => a + b, 0) === imageSize);
  return chains.map((chainId, i) => ({ chainId, size: known ? (sizes[i] as number) : null }));
}

function pairSizes(layers: number, oldestFirst: HistoryEntry[]): number[] | null {
  if (oldestFirst.length === layers) return oldestFirst.map((h) => h.size);
  const made = oldestFirst.filter((h) => h.size > 0).map((h) => h.size);
  return made.length === layers ? made : null;
}
