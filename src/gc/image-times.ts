import type { Inventory } from '../engine/inventory.js';
import type { RefIndex } from './image-refs.js';

// When each image came to this host and when it was last used, from the best evidence
// at hand. Docker itself records neither, so gc weighs what it can find, in this order:
//
// first seen (min-age counts from here, as kubelet does, so a freshly pulled old image
// is not deleted at once):
//   1. the agent's record, when the agent runs (it watches every event);
//   2. the time the image's config was written to this engine's image store (a file
//      time on the host; pull, load, import and build all write it);
//   3. the earliest pull/load/import/tag event still in the engine's event log;
//   4. the last time it was tagged on this engine;
//   5. the image's creation date (then nothing says it is not brand new here).
//
// last used (LRU order), the newest of:
//   the agent's record; container create/start/exec and image pull/tag events in the
//   engine's log (the last 256 events); the creation of any existing container from it;
//   the last tag time; and the first-seen time (kubelet starts there too).

export interface Evidence {
  /** unix ms */
  at: number;
  /** Where the time comes from, for the reason shown to people. */
  source: string;
}

export interface ImageTimes {
  firstSeen: Evidence;
  lastUsed: Evidence;
}

/** What the agent's store knows about an image (issue: agent), by image id. */
export interface RecordedUse {
  firstSeen?: number;
  lastUsed?: number;
}

function newest(candidates: (Evidence | null)[]): Evidence | null {
  let best: Evidence | null = null;
  for (const c of candidates) if (c && (!best || c.at > best.at)) best = c;
  return best;
}

export function imageTimes(inventory: Inventory, refs: RefIndex, recorded: ReadonlyMap<string, RecordedUse>): Map<string, ImageTimes> {
  const arrivals = new Map<string, Evidence>();
  const uses = new Map<string, Evidence>();
  const note = (into: Map<string, Evidence>, id: string, e: Evidence, keepEarliest: boolean) => {
    const had = into.get(id);
    if (!had || (keepEarliest ? e.at < had.at : e.at > had.at)) into.set(id, e);
  };
  for (const e of inventory.recentEvents) {
    const id = refs.resolve(e.image);
    if (!id) continue;
    const evidence = { at: e.at, source: `${e.action} event` };
    note(uses, id, evidence, false);
    if (e.action.startsWith('image ')) note(arrivals, id, evidence, true);
  }
  // Newest container per image first, then one Evidence each: hosts run tens of thousands.
  const newestContainer = new Map<string, Inventory['containers'][number]>();
  for (const c of inventory.containers) {
    const had = newestContainer.get(c.imageId);
    if (!had || c.created > had.created) newestContainer.set(c.imageId, c);
  }
  for (const [id, c] of newestContainer) note(uses, id, { at: c.created, source: `container ${c.name} created` }, false);

  const out = new Map<string, ImageTimes>();
  for (const image of inventory.images) {
    const rec = recorded.get(image.id);
    const tagged = image.lastTagTime === null ? null : { at: image.lastTagTime, source: 'last tagged' };
    const firstSeen: Evidence =
      (rec?.firstSeen !== undefined ? { at: rec.firstSeen, source: 'first seen by the agent' } : null) ??
      (image.storedAt !== null ? { at: image.storedAt, source: 'stored on this host' } : null) ??
      arrivals.get(image.id) ??
      tagged ?? { at: image.created, source: 'image created; arrival unknown' };
    // An image is not used before it arrives: a `run app:1` event from before a newer
    // app:1 was pulled resolves to the new image by its tag, but is older than it.
    const arrived = { at: firstSeen.at, source: `no use seen since ${firstSeen.source}` };
    const recordedUse = rec?.lastUsed !== undefined ? { at: rec.lastUsed, source: 'recorded by the agent' } : null;
    const lastUsed = newest([recordedUse, uses.get(image.id) ?? null, tagged, arrived]) as Evidence;
    out.set(image.id, { firstSeen, lastUsed });
  }
  return out;
}
