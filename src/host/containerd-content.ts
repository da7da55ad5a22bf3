import { posix } from 'node:path';
import type { HostProbe } from './host-probe.js';

// What an image holds in containerd's content store, read from the store itself
// (`<root>/io.containerd.content.v1.content/blobs/sha256/<hex>`, one file per blob).
// With containerd's image store an image's id is the digest of its index (a
// multi-platform image) or manifest; these JSON blobs list every manifest, config and
// layer blob by digest and size. Blobs shared by two images are one file, so gc can
// count them once. A platform manifest the index names but the store lacks is a platform
// never pulled — every pulled multi-platform image looks like that, and it is whole; a
// manifest whose config or layers are absent is a partial image (a pull that stopped half
// way, content removed by hand), reported as such. Only the small JSON blobs are read;
// layers are only checked for existence.

export interface ContentBlob {
  digest: string;
  size: number;
}

export interface ImageContent {
  /** Blobs present in the store: the index, manifests, configs and layers, each once. */
  blobs: ContentBlob[];
  /** Blobs that manifests present in the store name but the store does not hold: a partial image. */
  missing: string[];
  /** Platform manifests the index names, how many are in the store, and how many of those have all their blobs. */
  platforms: { named: number; present: number; complete: number };
  /** When the image's own blob (index or manifest) was written: its arrival (unix ms). */
  storedAt: number | null;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
// An index inside an index is legal; deeper than this is not an image anyone pushes.
const MAX_DEPTH = 4;

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

export function contentDir(containerdRoot: string): string {
  return posix.join(containerdRoot, 'io.containerd.content.v1.content');
}

function blobPath(root: string, digest: string): string | null {
  const m = /^(sha256|sha512):([0-9a-f]{64,128})$/.exec(digest);
  return m ? posix.join(contentDir(root), 'blobs', m[1]!, m[2]!) : null;
}

function descriptors(value: unknown): Descriptor[] {
  if (!Array.isArray(value)) return [];
  return value.filter((d): d is Descriptor => d !== null && typeof d === 'object' && typeof (d as Descriptor).digest === 'string' && typeof (d as Descriptor).size === 'number');
}

/** The JSON of a manifest or index blob; null when the store lacks it or it is not JSON. */
async function readJson(probe: HostProbe, root: string, digest: string): Promise<Record<string, unknown> | null> {
  const path = blobPath(root, digest);
  const text = path ? await probe.readFile(path) : null;
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Walks one image's blobs from its id. Throws only for I/O errors other than "absent"
 * (EACCES: not root), which the caller turns into a gap.
 */
export async function readImageContent(probe: HostProbe, containerdRoot: string, imageId: string): Promise<ImageContent> {
  const present = new Map<string, number>();
  const missing = new Set<string>();
  const platforms = { named: 0, present: 0, complete: 0 };
  /** `optional`: a manifest an index names, absent when its platform was never pulled. */
  const have = async (d: Descriptor, optional = false): Promise<boolean> => {
    if (present.has(d.digest)) return true;
    const path = blobPath(containerdRoot, d.digest);
    const size = path ? await probe.fileSize(path) : null;
    if (size !== null) present.set(d.digest, size);
    else if (!optional) missing.add(d.digest);
    return size !== null;
  };
  /** Returns whether everything under `d` is present. */
  const walk = async (d: Descriptor, depth: number): Promise<boolean> => {
    if (!(await have(d, depth > 0))) return false;
    const isIndex = d.mediaType !== undefined && INDEX_TYPES.has(d.mediaType);
    const isManifest = d.mediaType !== undefined && MANIFEST_TYPES.has(d.mediaType);
    if (depth > MAX_DEPTH || (!isIndex && !isManifest && depth > 0)) return true;
    const doc = await readJson(probe, containerdRoot, d.digest);
    if (!doc) return true;
    const type = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : d.mediaType;
    if ((type && INDEX_TYPES.has(type)) || Array.isArray(doc['manifests'])) {
      let all = true;
      for (const m of descriptors(doc['manifests'])) {
        const complete = await walk(m, depth + 1);
        if (depth === 0) {
          platforms.named++;
          if (present.has(m.digest)) platforms.present++;
          if (complete) platforms.complete++;
        }
        all &&= complete;
      }
      return all;
    }
    const parts = [...descriptors([doc['config']]), ...descriptors(doc['layers'])];
    let all = true;
    for (const p of parts) all = (await have(p)) && all;
    return all;
  };
  const own = { digest: imageId, size: 0 };
  const complete = await walk(own, 0);
  if (platforms.named === 0 && present.has(imageId)) {
    platforms.named = platforms.present = 1;
    if (complete) platforms.complete = 1;
  }
  const path = blobPath(containerdRoot, imageId);
  const storedAt = path && present.has(imageId) ? await probe.modifiedAt(path) : null;
  return { blobs: [...present].map(([digest, size]) => ({ digest, size })), missing: [...missing], platforms, storedAt };
}

/** Every image's content, or null with the reason when the store cannot be read here. */
export async function readImagesContent(probe: HostProbe, containerdRoot: string, imageIds: readonly string[]): Promise<{ content: Map<string, ImageContent> | null; gap: string | null }> {
  const content = new Map<string, ImageContent>();
  try {
    if ((await probe.readDir(posix.join(contentDir(containerdRoot), 'blobs'))) === null) {
      return { content: null, gap: `containerd's content store ${contentDir(containerdRoot)} does not exist here: what deleting an image frees in it is estimated from the engine's sizes.` };
    }
    for (const id of imageIds) content.set(id, await readImageContent(probe, containerdRoot, id));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return {
      content: null,
      gap: `containerd's content store ${contentDir(containerdRoot)} cannot be read (${code}): what deleting an image frees in it is estimated from the engine's sizes; run dockwarden as root.`,
    };
  }
  return { content, gap: null };
}
