import type { InventoryImage } from '../engine/inventory.js';

// Matching the many spellings of an image reference to a local image id. Services name
// images as `app:2@sha256:…` (swarm pins the digest when a registry answered) or plain
// `app:2`; events carry whatever the user typed (`busybox`, `docker.io/library/busybox`,
// an id prefix). Docker lists tags in their short ("familiar") form, so references are
// reduced to that form before comparing.

interface ParsedRef {
  /** Familiar repository name: `busybox`, `fill/img`, `registry:5000/app`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export function parseRef(ref: string): ParsedRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  let rest = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = rest.replace(/^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '').replace(/^library\/(?=[^/]+$)/, '');
  return { name, tag, digest };
}

const ID_PREFIX = /^(?:sha256:)?([0-9a-f]{12,64})$/;

export interface RefIndex {
  /** The local image a reference names, or null when none does. */
  resolve(ref: string): string | null;
}

export function refIndex(images: readonly Pick<InventoryImage, 'id' | 'repoTags' | 'repoDigests'>[]): RefIndex {
  const byTag = new Map<string, string>();
  const byDigest = new Map<string, string>();
  for (const image of images) {
    for (const t of image.repoTags) {
      const p = parseRef(t);
      byTag.set(`${p.name}:${p.tag ?? 'latest'}`, image.id);
    }
    for (const d of image.repoDigests) {
      const p = parseRef(d);
      if (p.digest) byDigest.set(`${p.name}@${p.digest}`, image.id);
    }
  }
  const ids = images.map((i) => i.id);
  const fullIds = new Set(ids);
  return {
    resolve(ref) {
      const idMatch = ID_PREFIX.exec(ref);
      if (idMatch) {
        // Events name full ids: a set lookup, not a scan of every image.
        const full = `sha256:${idMatch[1] as string}`;
        if (fullIds.has(full)) return full;
        const hits = ids.filter((id) => id.slice('sha256:'.length).startsWith(idMatch[1] as string));
        if (hits.length === 1) return hits[0] as string;
      }
      const p = parseRef(ref);
      if (p.digest) {
        const hit = byDigest.get(`${p.name}@${p.digest}`);
        if (hit) return hit;
        // A pinned digest this host never pulled: the tag is the best remaining clue.
        if (p.tag === null) return null;
      }
      return byTag.get(`${p.name}:${p.tag ?? 'latest'}`) ?? null;
    },
  };
}
