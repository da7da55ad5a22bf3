import { formatDuration } from '../core/duration.js';
import type { Inventory, InventoryImage } from '../engine/inventory.js';
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

/** image id -> the first container created from it, and how many there are. */
function containersByImage(inventory: Inventory): Map<string, { first: Inventory['containers'][number]; count: number }> {
  const out = new Map<string, { first: Inventory['containers'][number]; count: number }>();
  for (const c of inventory.containers) {
    const had = out.get(c.imageId);
    if (had) had.count++;
    else out.set(c.imageId, { first: c, count: 1 });
  }
  return out;
}

/** image id -> a top-level image built on it (through intermediate images too). */
function childrenByImage(inventory: Inventory): Map<string, InventoryImage> {
  const topLevel = new Set(inventory.images.map((i) => i.id));
  const out = new Map<string, InventoryImage>();
  for (const image of inventory.images) {
    const seen = new Set<string>();
    for (let p = inventory.parents[image.id]; p && !seen.has(p); p = inventory.parents[p]) {
      seen.add(p);
      if (topLevel.has(p) && !out.has(p)) out.set(p, image);
    }
  }
  return out;
}

function serviceRefs(inventory: Inventory, refs: RefIndex): { current: Map<string, string>; previous: Map<string, string> } {
  const current = new Map<string, string>();
  const previous = new Map<string, string>();
  for (const s of inventory.services ?? []) {
    const cur = refs.resolve(s.current);
    if (cur && !current.has(cur)) current.set(cur, s.name);
    const prev = s.previous ? refs.resolve(s.previous) : null;
    if (prev && !previous.has(prev)) previous.set(prev, s.name);
  }
  return { current, previous };
}

export function protections(
  inventory: Inventory,
  refs: RefIndex,
  times: ReadonlyMap<string, ImageTimes>,
  policy: GcPolicy,
  now: number,
  refused: ReadonlyMap<string, string>,
): Map<string, Protection> {
  const users = containersByImage(inventory);
  const children = childrenByImage(inventory);
  const services = serviceRefs(inventory, refs);
  const out = new Map<string, Protection>();
  for (const image of inventory.images) {
    const p = protectionOf(image);
    if (p) out.set(image.id, p);
  }
  return out;

  function protectionOf(image: InventoryImage): Protection | null {
    const refusal = refused.get(image.id);
    if (refusal) return { code: 'in-use', reason: refusal };
    const using = users.get(image.id);
    if (using) {
      const more = using.count > 1 ? ` and ${using.count - 1} more ${plural(using.count - 1, 'container', 'containers')}` : '';
      return { code: 'in-use', reason: `in use by container ${using.first.name} (${using.first.state})${more}` };
    }
    const current = services.current.get(image.id);
    if (current) return { code: 'service', reason: `image of service ${current}` };
    const previous = services.previous.get(image.id);
    if (previous) return { code: 'previous-spec', reason: `previous spec of service ${previous}, needed for rollback` };
    const child = children.get(image.id);
    if (child) return { code: 'parent', reason: `parent of image ${imageLabel(child)}; the engine refuses to delete an image others build on` };
    // The bare hex too: people copy ids from `docker images`, which shows them without sha256:.
    const names = [image.id, image.id.replace(/^sha256:/, ''), ...image.repoTags, ...image.repoDigests];
    const keep = policy.keep.find((k) => names.some((n) => k.regex.test(n)));
    if (keep) return { code: 'keep', reason: `matches --keep ${keep.pattern}` };
    const t = times.get(image.id);
    if (t && now - t.firstSeen.at < policy.minAgeMs) {
      return { code: 'min-age', reason: `first seen ${formatDuration(now - t.firstSeen.at)} ago (${t.firstSeen.source}), younger than --min-age ${formatDuration(policy.minAgeMs)}` };
    }
    return null;
  }
}
