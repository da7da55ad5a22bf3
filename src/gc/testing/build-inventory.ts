import type { Inventory, InventoryContainer, InventoryImage, InventoryLayer, ServiceImages, UseEvent } from '../../engine/inventory.js';

// Builders for planner tests, after kubelet's makeImage(id, size): a readable line per
// image, with defaults that make it an ordinary, old, unused, collectable image.

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const MINUTE = 60_000;
export const DAY = 86_400_000;
export const MB = 1_000_000;

let seq = 0;
/** A 64-hex image id from a short name: id('a') -> sha256:61000…. */
export function id(name: string): string {
  return `sha256:${Buffer.from(name).toString('hex').padEnd(64, '0').slice(0, 64)}`;
}

export interface ImageSpec {
  tags?: string[];
  digests?: string[];
  /** Total bytes; with no `layers`, one private layer of this size. */
  size?: number;
  /** Layers base first as [name, bytes]; equal names across images are shared layers. */
  layers?: [string, number][];
  /** When it landed on the host (unix ms). @default T0 - 30 days */
  storedAt?: number | null;
  created?: number;
  lastTagTime?: number | null;
  parentId?: string;
  /** Layer sizes unknown: /system/df's unique size stands in. */
  uniqueSize?: number;
  /** containerd's image store: content blobs as [digest name, bytes]; equal names across images are shared blobs. */
  content?: [string, number][];
  partial?: string;
}

export function image(name: string, spec: ImageSpec = {}): InventoryImage {
  const layersSpec = spec.layers ?? [[`${name}-layer-${++seq}`, spec.size ?? 100 * MB]];
  // Chain ids are cumulative: a layer is shared only when everything below it is too.
  let chain = '';
  const layers: InventoryLayer[] = layersSpec.map(([layer, size]) => {
    chain = chain === '' ? layer : `${chain}/${layer}`;
    return { chainId: chain, size: spec.uniqueSize !== undefined ? null : size };
  });
  return {
    id: id(name),
    repoTags: spec.tags ?? [`${name}:latest`],
    repoDigests: spec.digests ?? [],
    created: spec.created ?? T0 - 365 * DAY,
    size: layersSpec.reduce((sum, [, s]) => sum + s, 0),
    layers,
    uniqueSize: spec.uniqueSize ?? null,
    parentId: spec.parentId ?? '',
    lastTagTime: spec.lastTagTime ?? null,
    storedAt: spec.storedAt === undefined ? T0 - 30 * DAY : spec.storedAt,
    content: spec.content ? spec.content.map(([digest, size]) => ({ digest, size })) : null,
    partial: spec.partial ?? null,
  };
}

export function container(name: string, imageName: string, spec: Partial<InventoryContainer> = {}): InventoryContainer {
  return { id: id(`c-${name}`).slice(7), name, imageId: id(imageName), imageRef: `${imageName}:latest`, state: 'running', created: T0 - DAY, ...spec };
}

export function inventory(parts: { images: InventoryImage[]; containers?: InventoryContainer[]; services?: ServiceImages[] | null; events?: UseEvent[]; parents?: Record<string, string> }): Inventory {
  return {
    images: parts.images,
    parents: parts.parents ?? Object.fromEntries(parts.images.filter((i) => i.parentId).map((i) => [i.id, i.parentId])),
    containers: parts.containers ?? [],
    services: parts.services === undefined ? [] : parts.services,
    servicesNote: parts.services === null ? 'This node is a swarm worker.' : null,
    recentEvents: parts.events ?? [],
  };
}

/** A filesystem of `sizeBytes` with `usedPct` percent unavailable (kubelet's measure). */
export function fsUsage(usedPct: number, sizeBytes = 10_000 * MB) {
  return { kind: 'filesystem' as const, path: '/var/lib/docker', sizeBytes, availBytes: Math.round((sizeBytes * (100 - usedPct)) / 100) };
}
