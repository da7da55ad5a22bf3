import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { tarStream, type TarEntry } from './tar-writer.js';
import { randomBytes } from './test-image.js';
import { unixRequest } from './unix-http.js';

// A multi-platform image as an OCI image layout archive, for `docker load` into
// containerd's image store: an image index with one manifest per platform, each with its
// config and one layer. What registries serve for `docker pull` of a multi-platform
// image, and what a host holds after pulling one: the index and every platform's
// manifest reference, but only some platforms' layers. `withoutBlobs` leaves platforms'
// configs and layers out of the archive, so the engine holds an image whose content is
// partly missing (a pull of only the host's platform, or one that stopped half way).

export interface PlatformSpec {
  architecture: string;
  /** Bytes of random padding in the platform's one layer (a file, so it unpacks to about that much). */
  sizeBytes: number;
}

export interface MultiPlatformOptions {
  platforms: PlatformSpec[];
  /** Architectures whose config and layer are left out of the archive. */
  withoutBlobs?: string[];
  seed?: number;
}

interface Blob {
  digest: string;
  size: number;
  mediaType: string;
  /** null: described but not shipped. */
  content: (() => Iterable<Buffer> | AsyncIterable<Buffer>) | null;
}

const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
};

function jsonBlob(value: unknown, mediaType: string): Blob {
  const bytes = Buffer.from(JSON.stringify(value));
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length, mediaType, content: () => [bytes] };
}

async function layerBlob(entries: TarEntry[]): Promise<Blob> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of tarStream(entries)) {
    hash.update(c);
    size += c.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size, mediaType: MEDIA.layer, content: () => tarStream(entries) };
}

const descriptor = (b: Blob) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size });

/** The archive and the index digest, which containerd's image store gives the image as its id. */
export async function multiPlatformArchive(ref: string, opts: MultiPlatformOptions): Promise<{ id: string; stream: () => AsyncGenerator<Buffer> }> {
  const blobs: Blob[] = [];
  const manifests = [];
  for (const [i, p] of opts.platforms.entries()) {
    const layer = await layerBlob([{ type: 'file', name: `pad-${p.architecture}`, mode: 0o644, size: p.sizeBytes, content: () => randomBytes(p.sizeBytes, (opts.seed ?? 1) + i) }]);
    const config = jsonBlob(
      {
        architecture: p.architecture,
        os: 'linux',
        created: '2024-01-01T00:00:00Z',
        config: { Labels: { 'dockwarden.test-image': '1' } },
        rootfs: { type: 'layers', diff_ids: [layer.digest] },
        history: [{ created_by: `dockwarden multi-platform test image (${p.architecture})` }],
      },
      MEDIA.config,
    );
    const manifest = jsonBlob({ schemaVersion: 2, mediaType: MEDIA.manifest, config: descriptor(config), layers: [descriptor(layer)] }, MEDIA.manifest);
    const shipped = !(opts.withoutBlobs ?? []).includes(p.architecture);
    blobs.push(manifest, ...[config, layer].map((b) => (shipped ? b : { ...b, content: null })));
    manifests.push({ ...descriptor(manifest), platform: { architecture: p.architecture, os: 'linux' } });
  }
  const index = jsonBlob({ schemaVersion: 2, mediaType: MEDIA.index, manifests }, MEDIA.index);
  const [name, tag] = ref.includes(':') ? [ref.slice(0, ref.lastIndexOf(':')), ref.slice(ref.lastIndexOf(':') + 1)] : [ref, 'latest'];
  const fullName = name.includes('/') ? `docker.io/${name}:${tag}` : `docker.io/library/${name}:${tag}`;
  const top = { schemaVersion: 2, mediaType: MEDIA.index, manifests: [{ ...descriptor(index), annotations: { 'io.containerd.image.name': fullName, 'org.opencontainers.image.ref.name': tag } }] };
  const indexJson = Buffer.from(JSON.stringify(top));
  const layout = Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const entries: TarEntry[] = [
    { type: 'file', name: 'oci-layout', mode: 0o644, size: layout.length, content: () => [layout] },
    { type: 'file', name: 'index.json', mode: 0o644, size: indexJson.length, content: () => [indexJson] },
    { type: 'dir', name: 'blobs', mode: 0o755 },
    { type: 'dir', name: 'blobs/sha256', mode: 0o755 },
    ...[index, ...blobs].flatMap((b): TarEntry[] => (b.content ? [{ type: 'file', name: `blobs/sha256/${b.digest.slice(7)}`, mode: 0o644, size: b.size, content: b.content }] : [])),
  ];
  return { id: index.digest, stream: () => tarStream(entries) };
}

/** `docker load` of a multi-platform image into an engine on containerd's image store; returns its id. */
export async function loadMultiPlatformImage(socketPath: string, ref: string, opts: MultiPlatformOptions): Promise<string> {
  const archive = await multiPlatformArchive(ref, opts);
  const res = await unixRequest(socketPath, 'POST', '/images/load?quiet=1', { body: Readable.from(archive.stream()), headers: { 'Content-Type': 'application/x-tar' }, timeoutMs: 300_000 });
  for (const line of res.body.split('\n').filter((l) => l.trim() !== '')) {
    const msg = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
    if (msg.error) throw new Error(`Loading multi-platform test image ${ref} failed: ${msg.error}`);
  }
  if (res.status !== 200) throw new Error(`Loading multi-platform test image ${ref} failed: HTTP ${res.status} ${res.body.trim()}`);
  return archive.id;
}
