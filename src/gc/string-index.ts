// Dense numbers for strings — image ids, layer chain ids, blob digests — so that the
// planner can count and look things up in typed arrays. A Map<string, number> costs about
// 100 ns per operation on a small server and reallocates as it grows, and planning a big
// host (10,000 images, 50,000 containers, 27,000 layers) takes some 10^5 of them. This is
// an open-addressing table sized once: every key is compared in full on a hit, so the
// hash only decides how fast, never what is found.

/** Keys are kept in chunks of 4096: one array of 50,000 would be allocated as a large object on every plan. */
const SHIFT = 12;
const CHUNK = 1 << SHIFT;

export class StringIndex {
  private readonly chunks: string[][] = [];
  private count = 0;
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly capacity: number;

  /** `capacity`: at most how many keys will be added. */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    this.capacity = capacity;
  }

  get size(): number {
    return this.count;
  }

  /** The key numbered `num`. */
  key(num: number): string {
    return this.chunks[num >>> SHIFT]![num & (CHUNK - 1)]!;
  }

  /** The key's number, -1 when it has none. */
  find(key: string): number {
    for (let at = hash(key) & this.mask; ; at = (at + 1) & this.mask) {
      const slot = this.slots[at]!;
      if (slot === 0) return -1;
      if (this.key(slot - 1) === key) return slot - 1;
    }
  }

  /** The key's number, given the next one when it is new. */
  add(key: string): number {
    for (let at = hash(key) & this.mask; ; at = (at + 1) & this.mask) {
      const slot = this.slots[at]!;
      if (slot === 0) {
        if (this.count === this.capacity) throw new RangeError(`StringIndex: more keys than the ${this.capacity} it was sized for.`);
        if ((this.count & (CHUNK - 1)) === 0) this.chunks.push(new Array<string>(Math.min(CHUNK, this.capacity - this.count)));
        this.chunks[this.count >>> SHIFT]![this.count & (CHUNK - 1)] = key;
        this.slots[at] = ++this.count;
        return this.count - 1;
      }
      if (this.key(slot - 1) === key) return slot - 1;
    }
  }
}

/**
 * FNV-1a over the length and the last 16 characters: ids and digests end in random hex,
 * and names made up by hand differ at their end too. Equal tails only cost probes.
 */
function hash(key: string): number {
  const n = key.length;
  let h = Math.imul(n ^ 0x811c9dc5, 0x01000193);
  for (let i = n > 16 ? n - 16 : 0; i < n; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h ^ (h >>> 15);
}
