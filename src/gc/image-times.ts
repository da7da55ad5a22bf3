import type { Inventory } from '../engine/inventory.js';
import { imageIndex, usersByImage, type ImageIndex, type ImageUsers } from './container-users.js';
import type { RefIndex } from './image-refs.js';

// When each image came to this host and when it was last used, from the best evidence
// at hand. Docker itself records neither, so gc weighs what it can find, in this order:
//
// first seen (min-age counts from here, as kubelet does, so a freshly pulled old image
// is not deleted at once; an image that leaves the engine and comes back has arrived
// again, see recordedStay):
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
  /** The last deletion of this id the agent saw: what it recorded up to then is of a copy that left. */
  goneAt?: number;
}

const AGENT_FIRST_SEEN = 'first seen by the agent';
const AGENT_SAW_RETURN = 'seen by the agent arriving again after its deletion';
const STORED_SINCE_AGENT = "stored on this host after the agent's first sighting: it left and came back";
const DELETED_SINCE_RECORD = "the agent's record ended with its deletion";
const BACK_SINCE_DELETION = 'deleted, as the agent saw, and back since; arrival unknown';

/**
 * Whether the agent's record is of the copy the engine holds now, and if not, why. The
 * record is of a copy that is gone when its first sighting is not after the last deletion
 * of that id the agent saw (the image came back while the agent was not looking), or when
 * this copy was stored on the host after that first sighting (it left and came back,
 * deletion unseen). Either way its times say nothing of the image there now.
 */
function recordedStay(rec: RecordedUse | undefined, storedAt: number | null): { record: RecordedUse | undefined; discounted: string | null } {
  if (rec?.goneAt !== undefined && (rec.firstSeen === undefined || rec.firstSeen <= rec.goneAt)) return { record: undefined, discounted: DELETED_SINCE_RECORD };
  if (rec?.firstSeen === undefined) return { record: rec, discounted: null };
  if (storedAt !== null && storedAt > rec.firstSeen) return { record: undefined, discounted: STORED_SINCE_AGENT };
  return { record: rec, discounted: null };
}

const NO_USE_SINCE = new Map(
  [AGENT_FIRST_SEEN, AGENT_SAW_RETURN, STORED_SINCE_AGENT, BACK_SINCE_DELETION, 'stored on this host', 'last tagged', 'image created; arrival unknown'].map((s) => [s, `no use seen since ${s}`]),
);

/** "no use seen since stored on this host": one string per source, not one per image. */
function noUseSince(source: string): string {
  return NO_USE_SINCE.get(source) ?? `no use seen since ${source}`;
}

export function imageTimes(inventory: Inventory, refs: RefIndex, recorded: ReadonlyMap<string, RecordedUse>): Map<string, ImageTimes> {
  const index = imageIndex(inventory.images);
  const times = imageTimesByNumber(inventory, index, refs, recorded, usersByImage(index, inventory.containers));
  const out = new Map<string, ImageTimes>();
  for (let num = 0; num < index.ids.size; num++) out.set(index.ids.key(num), times[num]!);
  return out;
}

/** The same, by image id number (see ImageIndex), for the planner. */
export function imageTimesByNumber(inventory: Inventory, index: ImageIndex, refs: RefIndex, recorded: ReadonlyMap<string, RecordedUse>, users: ImageUsers): ImageTimes[] {
  const arrivals: (Evidence | undefined)[] = new Array(index.ids.size);
  const uses: (Evidence | undefined)[] = new Array(index.ids.size);
  const note = (into: (Evidence | undefined)[], num: number, e: Evidence, keepEarliest: boolean) => {
    const had = into[num];
    if (!had || (keepEarliest ? e.at < had.at : e.at > had.at)) into[num] = e;
  };
  for (const e of inventory.recentEvents) {
    const id = refs.resolve(e.image);
    const num = id === null ? -1 : index.ids.find(id);
    if (num < 0) continue;
    const evidence = { at: e.at, source: `${e.action} event` };
    note(uses, num, evidence, false);
    if (e.action.startsWith('image ')) note(arrivals, num, evidence, true);
  }
  // The newest container per image, one Evidence each: hosts run tens of thousands.
  for (let num = 0; num < index.ids.size; num++) {
    const newest = users.newest[num]!;
    if (newest < 0) continue;
    const c = inventory.containers[newest]!;
    note(uses, num, { at: c.created, source: `container ${c.name} created` }, false);
  }

  const out: ImageTimes[] = new Array(index.ids.size);
  const noneRecorded = recorded.size === 0;
  inventory.images.forEach((image, i) => {
    const num = index.numberOf[i]!;
    const raw = noneRecorded ? undefined : recorded.get(image.id);
    const { record: rec, discounted } = recordedStay(raw, image.storedAt);
    const tagged = image.lastTagTime === null ? null : { at: image.lastTagTime, source: 'last tagged' };
    const stored = image.storedAt === null ? null : { at: image.storedAt, source: discounted === STORED_SINCE_AGENT ? STORED_SINCE_AGENT : 'stored on this host' };
    let firstSeen: Evidence = (rec?.firstSeen !== undefined ? { at: rec.firstSeen, source: rec.goneAt === undefined ? AGENT_FIRST_SEEN : AGENT_SAW_RETURN } : null) ??
      stored ??
      arrivals[num] ??
      tagged ?? { at: image.created, source: 'image created; arrival unknown' };
    // Back after a deletion the agent saw: it arrived after that deletion, whatever older
    // evidence (an arrival event of the copy that left, a tag, the creation date) says.
    if (discounted === DELETED_SINCE_RECORD && raw?.goneAt !== undefined) {
      firstSeen = firstSeen.at <= raw.goneAt ? { at: raw.goneAt, source: BACK_SINCE_DELETION } : { at: firstSeen.at, source: `${firstSeen.source}, after a deletion the agent saw` };
    }
    // The newest of the evidence, the first of equals: the agent's record, events and
    // containers, the last tag, and the arrival.
    let lastUsed: Evidence | null = rec?.lastUsed !== undefined ? { at: rec.lastUsed, source: 'recorded by the agent' } : null;
    const used = uses[num];
    if (used && (!lastUsed || used.at > lastUsed.at)) lastUsed = used;
    if (tagged && (!lastUsed || tagged.at > lastUsed.at)) lastUsed = tagged;
    // An image is not used before it arrives: a `run app:1` event from before a newer
    // app:1 was pulled resolves to the new image by its tag, but is older than it.
    if (!lastUsed || firstSeen.at > lastUsed.at) lastUsed = { at: firstSeen.at, source: noUseSince(firstSeen.source) };
    out[num] = { firstSeen, lastUsed };
  });
  return out;
}
