import { EngineError } from '../../core/errors.js';
import type { DockerInfo } from '../docker-info.js';
import type { ContainerSummary, EngineApi, EngineEvent, HistoryEntry, ImageDetails, ImageReferences, ImageSummary, PruneResult, RemovedImage, SystemDf } from '../engine-api.js';
import type { ServiceFacts, VersionFacts } from '../engine-facts.js';

// A stateful engine for tests (kubelet's FakeRuntime): tests build a state, run gc
// against it, and assert on the state left. Image removal follows moby's rules
// (daemon/images/image_delete.go): by id only when at most one tag and one repository;
// by reference it untags (and, with a repository's last tag, that repository's digests),
// and the last reference deletes; a container using the image, or a child image, makes
// the engine answer 409 without `force`.

export interface FakeImage {
  id: string;
  repoTags: string[];
  repoDigests?: string[];
  size: number;
  created?: number;
  parentId?: string;
  diffIds?: string[];
  history?: HistoryEntry[];
  lastTagTime?: number | null;
  /** Bytes shared with other images, as /system/df reports it. @default 0 */
  sharedSize?: number;
}

export interface FakeContainer {
  id: string;
  name: string;
  imageId: string;
  image?: string;
  state?: string;
  created?: number;
}

function conflict(message: string): EngineError {
  return new EngineError(`The Docker engine at fake answered 409: ${message}.`, { status: 409, said: message });
}

function notFound(ref: string): EngineError {
  return new EngineError(`The Docker engine at fake answered 404: No such image: ${ref}.`, { status: 404, said: `No such image: ${ref}` });
}

const repoOf = (ref: string): string => {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
};

const isDigestRef = (ref: string): boolean => ref.includes('@');

/** moby's isSingleReference: at most one tag, and every reference in one repository; false when none. */
function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => !isDigestRef(r));
  if (tags.length > 1) return false;
  const digestRepos = new Set(refs.filter(isDigestRef).map(repoOf));
  return digestRepos.size === 1 && digestRepos.has(repoOf(tags[0] ?? (refs[0] as string)));
}

/** An id or an id prefix of 12 hex digits or more (moby's isImageIDPrefix, as the fake resolves ids). */
const idMatches = (image: FakeImage, ref: string): boolean => image.id === ref || (ref.length >= 12 && image.id.replace('sha256:', '').startsWith(ref.replace('sha256:', '')));

const isRunning = (c: FakeContainer): boolean => ['running', 'paused', 'restarting'].includes(c.state ?? 'running');

export class FakeEngine implements EngineApi {
  readonly endpoint = 'unix:///fake/docker.sock';
  images = new Map<string, FakeImage>();
  containers: FakeContainer[] = [];
  services: ServiceFacts[] = [];
  eventLog: EngineEvent[] = [];
  infoFields: Partial<DockerInfo> = { DockerRootDir: '/var/lib/docker', Driver: 'overlay2' };
  /** Every call, e.g. `removeImage fill/img:1`, for assertions on what gc asked. */
  calls: string[] = [];
  /** Make a call fail once: method name -> error. */
  failNext = new Map<string, Error>();
  /** Runs before each removal: lets a test create a container "while gc runs". */
  beforeRemove: ((ref: string) => void) | null = null;
  /** The engine's clock (unix ms), for prune filters. */
  clock: () => number = () => Date.now();

  constructor(state: { images?: FakeImage[]; containers?: FakeContainer[]; services?: ServiceFacts[] } = {}) {
    for (const i of state.images ?? []) this.images.set(i.id, { repoDigests: [], ...i });
    this.containers = state.containers ?? [];
    this.services = state.services ?? [];
  }

  private record(call: string): void {
    this.calls.push(call);
    const method = call.split(' ')[0] as string;
    const err = this.failNext.get(method);
    if (err) {
      this.failNext.delete(method);
      throw err;
    }
  }

  private find(ref: string): FakeImage | undefined {
    const byId = [...this.images.values()].find((i) => idMatches(i, ref));
    return byId ?? [...this.images.values()].find((i) => i.repoTags.includes(ref) || (i.repoDigests ?? []).includes(ref));
  }

  async version(): Promise<VersionFacts> {
    return { version: '20.10.24', apiVersion: '1.41', minApiVersion: '1.12', negotiatedApiVersion: '1.41' };
  }

  async info(): Promise<DockerInfo> {
    return { Images: this.images.size, Containers: this.containers.length, ...this.infoFields } as DockerInfo;
  }

  async listImages(): Promise<ImageSummary[]> {
    this.record('listImages');
    return [...this.images.values()].map((i) => ({
      id: i.id,
      repoTags: i.repoTags,
      repoDigests: i.repoDigests ?? [],
      created: i.created ?? 1_700_000_000,
      size: i.size,
      sharedSize: -1,
      containers: -1,
      parentId: i.parentId ?? '',
      labels: {},
    }));
  }

  async listContainers(opts: { all?: boolean; ancestor?: string } = {}): Promise<ContainerSummary[]> {
    this.record(opts.ancestor ? `listContainers ancestor=${opts.ancestor}` : 'listContainers');
    const ancestor = opts.ancestor;
    const descends = (imageId: string): boolean => {
      for (let i = this.images.get(imageId); i; i = i.parentId ? this.images.get(i.parentId) : undefined) if (i.id === ancestor) return true;
      return imageId === ancestor;
    };
    return (ancestor ? this.containers.filter((c) => descends(c.imageId)) : this.containers).map((c) => ({
      id: c.id,
      names: [c.name],
      image: c.image ?? c.imageId,
      imageId: c.imageId,
      state: c.state ?? 'running',
      created: c.created ?? 1_700_000_000,
      labels: {},
      sizeRw: null,
    }));
  }

  async listServices(): Promise<ServiceFacts[]> {
    this.record('listServices');
    return this.services;
  }

  async systemDf(): Promise<SystemDf> {
    this.record('systemDf');
    const images = (await this.listImages()).map((i) => ({ ...i, sharedSize: this.images.get(i.id)?.sharedSize ?? 0 }));
    return { layersSize: images.reduce((s, i) => s + i.size, 0), images, containers: [], volumes: [], buildCache: { count: 0, size: 0, inUse: 0, reclaimable: 0 } };
  }

  async *events(): AsyncIterable<EngineEvent> {
    this.record('events');
    yield* this.eventLog;
  }

  async removeImage(ref: string): Promise<RemovedImage> {
    this.beforeRemove?.(ref);
    this.record(`removeImage ${ref}`);
    const image = this.find(ref);
    if (!image) throw notFound(ref);
    const refs = () => [...image.repoTags, ...(image.repoDigests ?? [])];
    const untagged: string[] = [];
    const unref = (r: string) => {
      image.repoTags = image.repoTags.filter((t) => t !== r);
      image.repoDigests = (image.repoDigests ?? []).filter((d) => d !== r);
      untagged.push(r);
    };
    if (!idMatches(image, ref)) {
      const user = this.containers.find((c) => c.imageId === image.id);
      if (user && isSingleReference(refs())) {
        throw conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${user.id.slice(0, 12)} is using its referenced image ${image.id.slice(7, 19)}`);
      }
      unref(ref);
      // A repository whose last tag goes keeps none of its digest references either.
      if (!isDigestRef(ref) && !image.repoTags.some((t) => repoOf(t) === repoOf(ref))) {
        for (const d of (image.repoDigests ?? []).filter((d) => repoOf(d) === repoOf(ref))) unref(d);
      }
      if (refs().length > 0) return { untagged, deleted: [] };
      // The last reference is gone: the engine deletes the image quietly, leaving it untagged on a conflict.
      if (this.deleteConflict(image, true)) return { untagged, deleted: [] };
    } else {
      if (isSingleReference(refs())) {
        const c = this.deleteConflict(image, false);
        if (c) throw c;
        for (const r of refs()) unref(r);
      }
      const c = this.deleteConflict(image, true);
      if (c) throw c;
    }
    this.images.delete(image.id);
    return { untagged, deleted: [image.id] };
  }

  async removeImageAndReferences(id: string): Promise<RemovedImage> {
    this.beforeRemove?.(id);
    this.record(`removeImageAndReferences ${id}`);
    const image = [...this.images.values()].find((i) => idMatches(i, id));
    if (!image) throw notFound(id);
    // As dockerd's DELETE by id with force: only the hard conflicts stop it.
    const c = this.deleteConflict(image, false);
    if (c && /cannot be forced/.test(c.message)) throw c;
    const untagged = [...image.repoTags, ...(image.repoDigests ?? [])];
    this.images.delete(image.id);
    return { untagged, deleted: [image.id] };
  }

  async imageReferences(id: string): Promise<ImageReferences> {
    this.record(`imageReferences ${id}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    return { tags: [...image.repoTags], digests: [...(image.repoDigests ?? [])] };
  }

  /** moby's checkImageDeleteConflict without `force`, in its order: children, running, references, stopped. */
  private deleteConflict(image: FakeImage, references: boolean): EngineError | null {
    const short = image.id.slice(7, 19);
    if ([...this.images.values()].some((i) => i.parentId === image.id)) return conflict(`conflict: unable to delete ${short} (cannot be forced) - image has dependent child images`);
    const running = this.containers.find((c) => c.imageId === image.id && isRunning(c));
    if (running) return conflict(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.id.slice(0, 12)}`);
    if (references && [...image.repoTags, ...(image.repoDigests ?? [])].length > 0)
      return conflict(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    const stopped = this.containers.find((c) => c.imageId === image.id);
    if (stopped) return conflict(`conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${stopped.id.slice(0, 12)}`);
    return null;
  }

  async tagImage(id: string, repoTag: string): Promise<void> {
    this.record(`tagImage ${id} ${repoTag}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    // A tag names one image: tagging moves it from whichever image had it.
    for (const other of this.images.values()) other.repoTags = other.repoTags.filter((t) => t !== repoTag);
    image.repoTags.push(repoTag);
  }

  async inspectImage(id: string): Promise<ImageDetails> {
    this.record(`inspectImage ${id}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    return { id: image.id, diffIds: image.diffIds ?? [`sha256:diff-of-${image.id.slice(7)}`], lastTagTime: image.lastTagTime ?? null, size: image.size };
  }

  async imageHistory(id: string): Promise<HistoryEntry[]> {
    this.record(`imageHistory ${id}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    return image.history ?? [{ createdBy: 'fake', size: image.size }];
  }

  async pruneContainers(until: string): Promise<PruneResult> {
    this.record(`pruneContainers ${until}`);
    const seconds = Number(until.replace(/s$/, ''));
    // As dockerd: now - until, truncated to a whole second.
    const cutoff = Math.floor(this.clock() / 1000) - seconds;
    const gone = this.containers.filter((c) => !isRunning(c) && (c.created ?? 1_700_000_000) < cutoff);
    this.containers = this.containers.filter((c) => !gone.includes(c));
    return { deleted: gone.map((c) => c.id), spaceReclaimed: 0 };
  }

  async pruneBuildCache(): Promise<PruneResult> {
    this.record('pruneBuildCache');
    return { deleted: [], spaceReclaimed: 0 };
  }
}

/**
 * A FakeEngine for a running agent: /events, followed, stays open and quiet until the
 * caller aborts; asked with `until` (gc's replay of the log) it closes at once.
 */
export class FollowingFakeEngine extends FakeEngine {
  override async *events(opts: { until?: string; signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
    if (opts.until !== undefined) return;
    const signal = opts.signal;
    await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  }
}
