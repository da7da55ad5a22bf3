import type { DockerInfo } from './docker-info.js';
import type { ServiceFacts, VersionFacts } from './engine-facts.js';

// The narrow view of the Docker Engine API that the rest of dockwarden uses. The dockerode
// implementation is in dockerode-engine.ts; tests use fakes from engine/testing/.

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
  buildCache: { count: number; size: number; inUse: number };
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

export interface EngineApi {
  /** e.g. unix:///var/run/docker.sock */
  readonly endpoint: string;
  version(): Promise<VersionFacts>;
  info(): Promise<DockerInfo>;
  listImages(opts?: { all?: boolean; danglingOnly?: boolean }): Promise<ImageSummary[]>;
  listContainers(opts?: { all?: boolean }): Promise<ContainerSummary[]>;
  /** Swarm services; only a manager can answer (workers get a 503 from the engine). */
  listServices(): Promise<ServiceFacts[]>;
  systemDf(): Promise<SystemDf>;
  /** Follows /events until the signal aborts or the engine closes the stream. */
  events(opts: { since?: string; until?: string; signal?: AbortSignal }): AsyncIterable<EngineEvent>;
  /** Removes an image without `force`: the engine refuses (409) when something uses it. */
  removeImage(id: string): Promise<RemovedImage>;
}
