import { EngineError } from '../../core/errors.js';
import type { DockerInfo } from '../docker-info.js';
import type { ContainerSummary, EngineApi, EngineEvent, HistoryEntry, ImageDetails, ImageSummary, PruneResult, RemovedImage, SystemDf } from '../engine-api.js';
import type { ServiceFacts, VersionFacts } from '../engine-facts.js';

// A stateful engine for tests (kubelet's FakeRuntime): tests build a state, run gc
// against it, and assert on the state left. Image removal follows moby's rules
// (daemon/images/image_delete.go): by id only when at most one tag and one repository;
// by reference it untags, and the last reference deletes; a container using the image,
// or a child image, makes the engine answer 409 without `force`.

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
    const byId = [...this.images.values()].find((i) => i.id === ref || (ref.length >= 12 && i.id.replace('sha256:', '').startsWith(ref.replace('sha256:', ''))));
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

  async listContainers(): Promise<ContainerSummary[]> {
    this.record('listContainers');
    return this.containers.map((c) => ({ id: c.id, names: [c.name], image: c.image ?? c.imageId, imageId: c.imageId, state: c.state ?? 'running', created: c.created ?? 1_700_000_000, labels: {}, sizeRw: null }));
  }

  async listServices(): Promise<ServiceFacts[]> {
    this.record('listServices');
    return this.services;
  }

  async systemDf(): Promise<SystemDf> {
    this.record('systemDf');
    const images = await this.listImages();
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
    const byId = image.id === ref || !(image.repoTags.includes(ref) || (image.repoDigests ?? []).includes(ref));
    const refs = [...image.repoTags, ...(image.repoDigests ?? [])];
    if (byId && (image.repoTags.length > 1 || new Set(refs.map(repoOf)).size > 1)) {
      throw conflict(`conflict: unable to delete ${image.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    }
    if (!byId && refs.length > 1) {
      image.repoTags = image.repoTags.filter((t) => t !== ref);
      image.repoDigests = (image.repoDigests ?? []).filter((d) => d !== ref);
      return { untagged: [ref], deleted: [] };
    }
    const user = this.containers.find((c) => c.imageId === image.id);
    if (user) throw conflict(`conflict: unable to delete ${image.id.slice(7, 19)} (cannot be forced) - image is being used by ${user.state === 'running' ? 'running' : 'stopped'} container ${user.id.slice(0, 12)}`);
    if ([...this.images.values()].some((i) => i.parentId === image.id)) throw conflict(`conflict: unable to delete ${image.id.slice(7, 19)} (cannot be forced) - image has dependent child images`);
    this.images.delete(image.id);
    return { untagged: refs, deleted: [image.id] };
  }

  async tagImage(id: string, repoTag: string): Promise<void> {
    this.record(`tagImage ${id} ${repoTag}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    if (!image.repoTags.includes(repoTag)) image.repoTags.push(repoTag);
  }

  async inspectImage(id: string): Promise<ImageDetails> {
    this.record(`inspectImage ${id}`);
    const image = this.find(id);
    if (!image) throw notFound(id);
    return { id: image.id, diffIds: image.diffIds ?? [`sha256:diff-of-${image.id.slice(7)}`], lastTagTime: image.lastTagTime ?? null };
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
    const cutoff = Date.now() / 1000 - seconds;
    const gone = this.containers.filter((c) => c.state !== 'running' && c.state !== 'paused' && (c.created ?? 0) < cutoff);
    this.containers = this.containers.filter((c) => !gone.includes(c));
    return { deleted: gone.map((c) => c.id), spaceReclaimed: 0 };
  }

  async pruneBuildCache(): Promise<PruneResult> {
    this.record('pruneBuildCache');
    return { deleted: [], spaceReclaimed: 0 };
  }
}
