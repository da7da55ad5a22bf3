import type { InventoryImage } from '../engine/inventory.js';
import { StringIndex } from './string-index.js';

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

const DOCKER_HUB = /^(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)\//;

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
  const name = rest.replace(DOCKER_HUB, '').replace(/^library\/(?=[^/]+$)/, '');
  return { name, tag, digest };
}

const ID_PREFIX = /^(?:sha256:)?([0-9a-f]{12,64})$/;

export interface RefIndex {
  /** The local image a reference names, or null when none does. */
  resolve(ref: string): string | null;
}

/** True when parseRef would change the name: a Docker Hub host or an official image's `library/`. */
function needsFamiliarForm(ref: string): boolean {
  switch (ref.charCodeAt(0)) {
    case 0x64: // d
    case 0x69: // i
    case 0x72: // r
      return DOCKER_HUB.test(ref);
    case 0x6c: // l
      return ref.startsWith('library/');
    default:
      return false;
  }
}

/** `name:tag` of a reference in its familiar form, `latest` when it has no tag: the key tags are indexed by. */
function tagKey(ref: string): string {
  // The engine lists tags in their familiar form already: most are their own key.
  if (!ref.includes('@') && !needsFamiliarForm(ref)) {
    const colon = ref.lastIndexOf(':');
    return colon > ref.lastIndexOf('/') ? ref : `${ref}:latest`;
  }
  const p = parseRef(ref);
  return `${p.name}:${p.tag ?? 'latest'}`;
}

/** `name@digest` of a reference in its familiar form, null without a digest: the key digests are indexed by. */
function digestKey(ref: string): string | null {
  const at = ref.indexOf('@');
  // `repo@sha256:…` as the engine lists digests is its own key; other spellings are parsed.
  if (at > 0 && at < ref.length - 1 && !needsFamiliarForm(ref) && ref.lastIndexOf(':', at) <= ref.lastIndexOf('/', at)) return ref;
  const p = parseRef(ref);
  return p.digest ? `${p.name}@${p.digest}` : null;
}

/** References to image ids: each key's image is the last image listing it. */
class RefTable {
  private readonly index: StringIndex;
  private readonly ids: string[];
  constructor(capacity: number) {
    this.index = new StringIndex(capacity);
    this.ids = new Array<string>(capacity);
  }
  set(key: string, id: string): void {
    this.ids[this.index.add(key)] = id;
  }
  get(key: string): string | undefined {
    const at = this.index.find(key);
    return at < 0 ? undefined : this.ids[at];
  }
}

/**
 * `knownIds`: the images' ids already numbered (the planner has them), to look full ids
 * up without numbering them again.
 */
export function refIndex(images: readonly Pick<InventoryImage, 'id' | 'repoTags' | 'repoDigests'>[], knownIds?: StringIndex): RefIndex {
  let tags = 0;
  let digests = 0;
  for (const image of images) {
    tags += image.repoTags.length;
    digests += image.repoDigests.length;
  }
  const byTag = new RefTable(tags);
  const byDigest = new RefTable(digests);
  // Indexed loops: tens of thousands of references, and for-of allocates in unoptimised code.
  for (let i = 0; i < images.length; i++) {
    const { id, repoTags, repoDigests } = images[i]!;
    for (let t = 0; t < repoTags.length; t++) byTag.set(tagKey(repoTags[t]!), id);
    for (let d = 0; d < repoDigests.length; d++) {
      const key = digestKey(repoDigests[d]!);
      if (key !== null) byDigest.set(key, id);
    }
  }
  const ids = images.map((i) => i.id);
  let fullIds = knownIds ?? null;
  return {
    resolve(ref) {
      const idMatch = ID_PREFIX.exec(ref);
      if (idMatch) {
        // Events name full ids: a lookup, not a scan of every image.
        const full = `sha256:${idMatch[1] as string}`;
        fullIds ??= idIndex(ids);
        if (fullIds.find(full) >= 0) return full;
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

function idIndex(ids: readonly string[]): StringIndex {
  const index = new StringIndex(ids.length);
  for (const id of ids) index.add(id);
  return index;
}
