import { formatDuration } from '../core/duration.js';
import type { Inventory, InventoryImage } from '../engine/inventory.js';
import type { ImageIndex, ImageUsers } from './container-users.js';
import type { GcPolicy } from './gc-policy.js';
import type { RefIndex } from './image-refs.js';
import type { ImageTimes } from './image-times.js';

// Why an image must stay, whatever the disk says. The strongest reason wins, because
// that is the one an operator must act on to free the image: a container must go before
// a --keep pattern matters.

export type KeepCode = 'in-use' | 'service' | 'previous-spec' | 'parent' | 'keep' | 'min-age';

export interface Protection {
  code: KeepCode;
  reason: string;
}

export function imageLabel(image: Pick<InventoryImage, 'id' | 'repoTags'>): string {
  return image.repoTags[0] ?? image.id.replace(/^sha256:/, '').slice(0, 12);
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}

/** By image id number: a top-level image built on it (through intermediate images too). */
function childrenByNumber(inventory: Inventory, index: ImageIndex): (InventoryImage | undefined)[] {
  const out: (InventoryImage | undefined)[] = new Array(index.ids.size);
  // Only the classic builder and `docker commit` record parents: most hosts have none.
  const parents = new Map(Object.entries(inventory.parents));
  if (parents.size === 0) return out;
  for (const image of inventory.images) {
    if (!parents.has(image.id)) continue;
    const seen = new Set<string>();
    for (let p = parents.get(image.id); p && !seen.has(p); p = parents.get(p)) {
      seen.add(p);
      const num = index.ids.find(p);
      if (num >= 0 && !out[num]) out[num] = image;
    }
  }
  return out;
}

/** By image id number: the first service whose current spec, and whose previous spec, names it. */
function serviceRefs(inventory: Inventory, index: ImageIndex, refs: RefIndex): { current: (string | undefined)[]; previous: (string | undefined)[] } {
  const current: (string | undefined)[] = new Array(index.ids.size);
  const previous: (string | undefined)[] = new Array(index.ids.size);
  const numberOf = (ref: string | null) => {
    const id = ref ? refs.resolve(ref) : null;
    return id ? index.ids.find(id) : -1;
  };
  for (const s of inventory.services ?? []) {
    const cur = numberOf(s.current);
    if (cur >= 0) current[cur] ??= s.name;
    const prev = numberOf(s.previous);
    if (prev >= 0) previous[prev] ??= s.name;
  }
  return { current, previous };
}

/** By image id number (see ImageIndex): why each image must stay, null when nothing protects it. */
export function protections(
  inventory: Inventory,
  index: ImageIndex,
  refs: RefIndex,
  times: readonly ImageTimes[],
  users: ImageUsers,
  policy: GcPolicy,
  now: number,
  refused: ReadonlyMap<string, string>,
): (Protection | null)[] {
  const children = childrenByNumber(inventory, index);
  const services = serviceRefs(inventory, index, refs);
  const refusals: (string | undefined)[] = new Array(index.ids.size);
  for (const [id, reason] of refused) {
    const num = index.ids.find(id);
    if (num >= 0) refusals[num] = reason;
  }
  const out: (Protection | null)[] = new Array(index.ids.size).fill(null);
  inventory.images.forEach((image, i) => {
    const num = index.numberOf[i]!;
    out[num] = protectionOf(image, num);
  });
  return out;

  function protectionOf(image: InventoryImage, num: number): Protection | null {
    const refusal = refusals[num];
    if (refusal) return { code: 'in-use', reason: refusal };
    const count = users.count[num]!;
    if (count > 0) {
      const first = inventory.containers[users.first[num]!]!;
      const more = count > 1 ? ` and ${count - 1} more ${plural(count - 1, 'container', 'containers')}` : '';
      return { code: 'in-use', reason: `in use by container ${first.name} (${first.state})${more}` };
    }
    const current = services.current[num];
    if (current) return { code: 'service', reason: `image of service ${current}` };
    const previous = services.previous[num];
    if (previous) return { code: 'previous-spec', reason: `previous spec of service ${previous}, needed for rollback` };
    const child = children[num];
    if (child) return { code: 'parent', reason: `parent of image ${imageLabel(child)}; the engine refuses to delete an image others build on` };
    const keep = policy.keep.length > 0 ? keptBy(image) : null;
    if (keep) return { code: 'keep', reason: `matches --keep ${keep}` };
    const t = times[num];
    if (t && now - t.firstSeen.at < policy.minAgeMs) {
      return { code: 'min-age', reason: `first seen ${formatDuration(now - t.firstSeen.at)} ago (${t.firstSeen.source}), younger than --min-age ${formatDuration(policy.minAgeMs)}` };
    }
    return null;
  }

  /** The first --keep pattern that matches the image's id, bare id, a tag or a digest. */
  function keptBy(image: InventoryImage): string | null {
    // The bare hex too: people copy ids from `docker images`, which shows them without sha256:.
    const bare = image.id.startsWith('sha256:') ? image.id.slice('sha256:'.length) : image.id;
    for (const { regex, pattern } of policy.keep) {
      if (regex.test(image.id) || regex.test(bare)) return pattern;
      for (let t = 0; t < image.repoTags.length; t++) if (regex.test(image.repoTags[t]!)) return pattern;
      for (let d = 0; d < image.repoDigests.length; d++) if (regex.test(image.repoDigests[d]!)) return pattern;
    }
    return null;
  }
}
