import type { ContainerSummary, EngineEvent, HistoryEntry, ImageDetails, ImageReferences, ImageSummary, PruneResult, RemovedImage, SystemDf } from './engine-api.js';
import type { ServiceFacts } from './engine-facts.js';
import { versionComponents, type VersionComponent } from '../core/engine-product.js';
import { canonicalImageId } from './image-id.js';
import { dockerAction } from './podman-events.js';
import { serviceFactsFromSpec, type RawService } from './service-facts.js';

// The engine's JSON answers in dockwarden's types, checked with plain guards (zod's import
// alone costs ~90 ms, more than a whole gc request round): a field of another type than
// the API's is read as absent, and a missing one takes the API's zero value, except an
// entry's Id — an image or container without one cannot be told apart, so the answer is
// refused with a TypeError that the caller turns into an EngineError.

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (o: Obj, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const num = (o: Obj, k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? o[k] : undefined);
const obj = (o: Obj, k: string): Obj | undefined => (isObject(o[k]) ? o[k] : undefined);
const strings = (o: Obj, k: string): string[] => (Array.isArray(o[k]) ? (o[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);

function labels(o: Obj, k: string): Record<string, string> {
  const raw = obj(o, k);
  if (!raw) return {};
  return Object.fromEntries(Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function answer(raw: unknown, what: string): Obj {
  if (!isObject(raw)) throw new TypeError(`${what} answered ${describe(raw)}, not a JSON object`);
  return raw;
}

/** A JSON array of objects; null (Go's empty slice) is an empty list. */
function entries(raw: unknown, what: string): Obj[] {
  if (raw === null || raw === undefined) return [];
  if (!Array.isArray(raw)) throw new TypeError(`${what} answered ${describe(raw)}, not a JSON array`);
  return raw.map((e, i) => {
    if (!isObject(e)) throw new TypeError(`${what} answered ${describe(e)} as entry ${i}, not a JSON object`);
    return e;
  });
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the text ${JSON.stringify(v.slice(0, 60))}` : typeof v;
}

function id(o: Obj, k: string, what: string): string {
  const v = str(o, k);
  if (!v) throw new TypeError(`${what} answered an entry without ${k}: ${JSON.stringify(o).slice(0, 120)}`);
  return v;
}

export function imageSummary(o: Obj, what = '/images/json'): ImageSummary {
  return {
    id: canonicalImageId(id(o, 'Id', what)),
    // Untagged images come back as ["<none>:<none>"] from older engines and [] or null from newer.
    repoTags: strings(o, 'RepoTags').filter((t) => t !== '<none>:<none>'),
    repoDigests: strings(o, 'RepoDigests').filter((d) => d !== '<none>@<none>'),
    created: num(o, 'Created') ?? 0,
    size: num(o, 'Size') ?? 0,
    sharedSize: num(o, 'SharedSize') ?? -1,
    containers: num(o, 'Containers') ?? -1,
    parentId: str(o, 'ParentId') ?? '',
    labels: labels(o, 'Labels'),
  };
}

export function containerSummary(o: Obj, what = '/containers/json'): ContainerSummary {
  return {
    id: id(o, 'Id', what),
    names: strings(o, 'Names').map((n) => n.replace(/^\//, '')),
    image: str(o, 'Image') ?? '',
    imageId: canonicalImageId(str(o, 'ImageID') ?? ''),
    state: str(o, 'State') ?? '',
    created: num(o, 'Created') ?? 0,
    labels: labels(o, 'Labels'),
    sizeRw: num(o, 'SizeRw') ?? null,
  };
}

export const imageList = (raw: unknown): ImageSummary[] => entries(raw, '/images/json').map((o) => imageSummary(o));
export const containerList = (raw: unknown): ContainerSummary[] => entries(raw, '/containers/json').map((o) => containerSummary(o));

export function systemDf(raw: unknown): SystemDf {
  const df = answer(raw, '/system/df');
  const cache = entries(df['BuildCache'], '/system/df BuildCache');
  const cacheSize = (c: Obj) => num(c, 'Size') ?? 0;
  return {
    layersSize: num(df, 'LayersSize') ?? 0,
    images: entries(df['Images'], '/system/df Images').map((o) => imageSummary(o, '/system/df Images')),
    containers: entries(df['Containers'], '/system/df Containers').map((o) => containerSummary(o, '/system/df Containers')),
    volumes: entries(df['Volumes'], '/system/df Volumes').map((v) => {
      const usage = obj(v, 'UsageData') ?? {};
      return { name: str(v, 'Name') ?? '', size: num(usage, 'Size') ?? -1, refCount: num(usage, 'RefCount') ?? -1 };
    }),
    buildCache: {
      count: cache.length,
      size: cache.reduce((sum, c) => sum + cacheSize(c), 0),
      inUse: cache.filter((c) => c['InUse'] === true).length,
      reclaimable: cache.filter((c) => c['InUse'] !== true && c['Shared'] !== true).reduce((sum, c) => sum + cacheSize(c), 0),
    },
  };
}

/**
 * One line of /events. timeNano is read from the text: as a JSON number it is beyond 2^53
 * and would lose its last digits, and the agent resumes the stream from it.
 */
export function engineEvent(line: string): EngineEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new TypeError(`/events sent a line that is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
  }
  const e = answer(parsed, '/events');
  const type = str(e, 'Type') ?? 'container';
  const actor = obj(e, 'Actor') ?? {};
  const exactNano = e['timeNano'] === undefined ? undefined : /"timeNano"\s*:\s*"?(\d+)/.exec(line)?.[1];
  return {
    type,
    action: dockerAction(type, str(e, 'Action') ?? str(e, 'status') ?? ''),
    actorId: str(actor, 'ID') ?? str(e, 'id') ?? '',
    attributes: labels(actor, 'Attributes'),
    timeNano: exactNano ? BigInt(exactNano) : BigInt(Math.trunc(num(e, 'time') ?? 0)) * 1_000_000_000n,
  };
}

export function removedImage(raw: unknown): RemovedImage {
  const items = Array.isArray(raw) ? raw.filter(isObject) : [];
  return {
    untagged: items.flatMap((i) => str(i, 'Untagged') ?? []),
    deleted: items.flatMap((i) => {
      const d = str(i, 'Deleted');
      return d ? [canonicalImageId(d)] : [];
    }),
  };
}

export function imageDetails(raw: unknown): ImageDetails {
  const o = answer(raw, '/images/{id}/json');
  // Go's zero time means "never tagged here".
  const tagged = Date.parse(str(obj(o, 'Metadata') ?? {}, 'LastTagTime') ?? '');
  return {
    id: id(o, 'Id', '/images/{id}/json'),
    diffIds: strings(obj(o, 'RootFS') ?? {}, 'Layers'),
    lastTagTime: Number.isFinite(tagged) && tagged > 0 ? tagged : null,
    size: num(o, 'Size') ?? 0,
  };
}

export function imageReferences(raw: unknown): ImageReferences {
  const o = answer(raw, '/images/{id}/json');
  return { tags: strings(o, 'RepoTags').filter((t) => t !== '<none>:<none>'), digests: strings(o, 'RepoDigests').filter((d) => d !== '<none>@<none>') };
}

export const imageHistory = (raw: unknown): HistoryEntry[] => entries(raw, '/images/{id}/history').map((h) => ({ createdBy: str(h, 'CreatedBy') ?? '', size: num(h, 'Size') ?? 0 }));

export function pruneResult(raw: unknown, what: string, deletedKey: string): PruneResult {
  const o = answer(raw, what);
  return { deleted: strings(o, deletedKey), spaceReclaimed: num(o, 'SpaceReclaimed') ?? 0 };
}

/** The parts of a spec serviceFactsFromSpec reads, each of the type it expects. */
function rawSpec(o: Obj | undefined): RawService['Spec'] {
  if (!o) return undefined;
  const image = str(obj(obj(o, 'TaskTemplate') ?? {}, 'ContainerSpec') ?? {}, 'Image');
  const updateLike = (k: string) => {
    const u = obj(o, k);
    return u ? { Parallelism: num(u, 'Parallelism'), FailureAction: str(u, 'FailureAction'), Monitor: num(u, 'Monitor'), Order: str(u, 'Order') } : null;
  };
  return {
    Name: str(o, 'Name'),
    Mode: obj(o, 'Mode'),
    TaskTemplate: { ContainerSpec: { Image: image } },
    UpdateConfig: updateLike('UpdateConfig'),
    RollbackConfig: updateLike('RollbackConfig'),
  };
}

export const serviceList = (raw: unknown): ServiceFacts[] =>
  entries(raw, '/services').map((s) => serviceFactsFromSpec({ ID: id(s, 'ID', '/services'), Spec: rawSpec(obj(s, 'Spec')) ?? {}, PreviousSpec: rawSpec(obj(s, 'PreviousSpec')) ?? null }));

export interface VersionAnswer {
  version: string;
  apiVersion: string;
  minApiVersion: string | null;
  components: VersionComponent[] | null;
}

export function versionAnswer(raw: unknown): VersionAnswer {
  const o = answer(raw, '/version');
  const apiVersion = str(o, 'ApiVersion');
  if (!apiVersion) throw new TypeError(`/version answered without ApiVersion: ${JSON.stringify(o).slice(0, 120)}`);
  return { version: str(o, 'Version') ?? '', apiVersion, minApiVersion: str(o, 'MinAPIVersion') ?? null, components: versionComponents(o) };
}
