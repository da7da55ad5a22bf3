import { createHash } from 'node:crypto';
import { tarStream, type TarEntry } from './tar-writer.js';

// An image in `docker save` format, for `POST /images/load`. Unlike
// `docker import`, load takes the whole image config, so a test image can carry
// STOPSIGNAL and a chosen creation date (import on 20.10 rejects STOPSIGNAL), and its
// id, the sha256 of that config, is known before it is loaded.
//
// The config must list each layer's diff id, the sha256 of the uncompressed layer tar,
// and dockerd checks it. A layer is generated twice from the same entries (once to
// hash, once to send) instead of being buffered: padding can be hundreds of MiB.

export interface ImageConfig {
  cmd: string[];
  env: string[];
  stopSignal: string;
  labels: Record<string, string>;
  created: Date;
  comment: string;
}

async function digest(chunks: AsyncIterable<Buffer>): Promise<{ hex: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const c of chunks) {
    hash.update(c);
    size += c.length;
  }
  return { hex: hash.digest('hex'), size };
}

const ARCH: Partial<Record<NodeJS.Architecture, string>> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

export interface ImageArchive {
  /** `sha256:<hex>` of the config: the id dockerd will give the image. */
  id: string;
  stream: () => AsyncGenerator<Buffer>;
}

/** `layers` base first; images given the same base entries share that layer on disk. */
export async function imageArchive(ref: string, layers: TarEntry[][], config: ImageConfig): Promise<ImageArchive> {
  const diffs = await Promise.all(layers.map((layer) => digest(tarStream(layer))));
  const created = config.created.toISOString();
  const configJson = Buffer.from(
    JSON.stringify({
      architecture: ARCH[process.arch] ?? process.arch,
      os: 'linux',
      created,
      config: { Cmd: config.cmd, Env: config.env, StopSignal: config.stopSignal, Labels: config.labels },
      rootfs: { type: 'layers', diff_ids: diffs.map((d) => `sha256:${d.hex}`) },
      history: diffs.map((d, i) => ({ created, created_by: i === diffs.length - 1 ? config.comment : `layer ${i + 1}` })),
    }),
  );
  const configHex = createHash('sha256').update(configJson).digest('hex');
  const manifest = Buffer.from(JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [ref], Layers: diffs.map((d) => `${d.hex}/layer.tar`) }]));
  // Two layers with the same bytes are one directory in the archive.
  const unique = [...new Map(diffs.map((d, i) => [d.hex, { d, layer: layers[i] as TarEntry[] }])).values()];
  const outer: TarEntry[] = [
    ...unique.flatMap(({ d, layer }): TarEntry[] => [
      { type: 'dir', name: d.hex, mode: 0o755 },
      { type: 'file', name: `${d.hex}/layer.tar`, mode: 0o644, size: d.size, content: () => tarStream(layer) },
    ]),
    { type: 'file', name: `${configHex}.json`, mode: 0o644, size: configJson.length, content: () => [configJson] },
    { type: 'file', name: 'manifest.json', mode: 0o644, size: manifest.length, content: () => [manifest] },
  ];
  return { id: `sha256:${configHex}`, stream: () => tarStream(outer) };
}
