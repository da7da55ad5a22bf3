import type { DockerInfo } from './docker-info.js';
import type { ServiceFacts, VersionFacts } from './engine-facts.js';

// The narrow view of the Docker Engine API that the rest of dockwarden uses. The node:http
// implementation is in http-engine.ts; tests use fakes from engine/testing/.

export interface ImageSummary {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Image creation time, unix seconds (the image's own date, not when this host pulled it). */
  created: number;
  /** Bytes of all layers, shared ones included. */
  size: number;
  /** Bytes shared with other images; -1 when the engine did not compute it (only /system/df does). */
  sharedSize: number;
  /** Containers using the image; -1 when the engine did not compute it. */
  containers: number;
  parentId: string;
  labels: Record<string, string>;
}

export interface ContainerSummary {
  id: string;
  names: string[];
  /** The image reference the container was created with (may be a tag that moved since). */
  image: string;
  imageId: string;
  state: string;
  created: number;
  labels: Record<string, string>;
  /** Bytes written in the container's layer; only from /system/df or size=true. */
  sizeRw: number | null;
}

export interface SystemDf {
  layersSize: number;
  images: ImageSummary[];
  containers: ContainerSummary[];
  volumes: { name: string; size: number; refCount: number }[];
  /** `reclaimable`: bytes of entries neither in use nor shared, what a build cache prune frees. */
  buildCache: { count: number; size: number; inUse: number; reclaimable: number };
}

export interface EngineEvent {
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
  /** Unix nanoseconds as the engine reports them (timeNano), for resuming with `since`. */
  timeNano: bigint;
}

export interface RemovedImage {
  untagged: string[];
  deleted: string[];
}

export interface ImageReferences {
  tags: string[];
  digests: string[];
}

/** The parts of `GET /images/{id}/json` that gc needs. */
export interface ImageDetails {
  id: string;
  /** Uncompressed layer digests, base first: the identity of each layer on disk (with its predecessors). */
  diffIds: string[];
  /** When the image was last tagged on this engine (unix ms); null when never (e.g. `docker load`). */
  lastTagTime: number | null;
  /** The inspect's Size: all layers with a graph driver; the host platform's content blobs with containerd's image store. */
  size: number;
}

/** One entry of `GET /images/{id}/history`, newest first as the engine returns them. */
export interface HistoryEntry {
  createdBy: string;
  /** Bytes of the layer this step made; 0 for steps that made none (ENV, CMD, ...). */
  size: number;
}

export interface PruneResult {
  deleted: string[];
  spaceReclaimed: number;
}

export interface EngineApi {
  /** e.g. unix:///var/run/docker.sock */
  readonly endpoint: string;
  version(): Promise<VersionFacts>;
  info(): Promise<DockerInfo>;
  listImages(opts?: { all?: boolean; danglingOnly?: boolean }): Promise<ImageSummary[]>;
  /** `ancestor`: only containers of this image (an id) or of an image built FROM it. */
  listContainers(opts?: { all?: boolean; ancestor?: string }): Promise<ContainerSummary[]>;
  /** Swarm services; only a manager can answer (workers get a 503 from the engine). */
  listServices(): Promise<ServiceFacts[]>;
  systemDf(): Promise<SystemDf>;
  /** Follows /events until the signal aborts or the engine closes the stream. */
  events(opts: { since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EngineEvent>;
  /** Removes an image (by id) or one reference to it (by tag) without `force`: the engine refuses (409) when something uses it. */
  removeImage(idOrRef: string): Promise<RemovedImage>;
  /**
   * Removes the image `id` with whatever references it has at that moment, as one operation
   * on that id, so that no reference moved to another image since it was read can take that
   * image with it. Docker: DELETE by id with `force` (still refused for a running container
   * or a child image). Podman, whose force removes the containers too: its names taken off
   * by id (libpod untag), then DELETE by id without force, the names put back if refused.
   * Never removes a container.
   */
  removeImageAndReferences(id: string): Promise<RemovedImage>;
  /** The image's references as the engine holds them now. */
  imageReferences(id: string): Promise<ImageReferences>;
  /** Adds `repo:tag` to an image (to put back a tag when a multi-tag removal stops half way). */
  tagImage(id: string, repoTag: string): Promise<void>;
  inspectImage(id: string): Promise<ImageDetails>;
  imageHistory(id: string): Promise<HistoryEntry[]>;
  /** Removes stopped containers created before `until` (a Go duration such as "86400s", relative to the engine's clock). */
  pruneContainers(until: string): Promise<PruneResult>;
  /** Removes build cache that no build is using. */
  pruneBuildCache(): Promise<PruneResult>;
}
