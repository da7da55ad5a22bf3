// What the engine holds, as gc sees it: images with their layers, every container
// (stopped ones pin their image as firmly as running ones), swarm services' images, and
// the engine's short memory of recent events. Plain data: the planner takes it as is.

export interface InventoryLayer {
  /** Docker's chain id: a layer is stored once per chain (the layer and all below it). */
  chainId: string;
  /** null when the engine's history did not say (see image-layers.ts). */
  size: number | null;
}

export interface InventoryImage {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** The image's own creation date (unix ms), not when it came to this host. */
  created: number;
  /** All layers, shared ones included. */
  size: number;
  /** Layers, base first. Sizes are null when the history did not line up with the layers. */
  layers: InventoryLayer[];
  /**
   * Bytes no other image shares (Size - SharedSize of /system/df), asked for only when the
   * layer sizes are unknown; null otherwise.
   */
  uniqueSize: number | null;
  /** Parent image id (classic builder and `docker commit` only), '' when none. */
  parentId: string;
  /** When it was last tagged on this engine (unix ms); null when never. */
  lastTagTime: number | null;
  /** When its config landed in this engine's image store (unix ms, the host's file time); null when unknown. */
  storedAt: number | null;
  /**
   * containerd's image store: the image's blobs in containerd's content store (index,
   * manifests, configs and layers of every platform held), by digest, so blobs two
   * images share count once. Without access to the store, one entry keyed by the image
   * stands for all its content. null with a graph driver, where layers are all there is.
   */
  content: ContentBlob[] | null;
  /** Why part of the image is missing or unreadable, when it is; null for a whole image. */
  partial: string | null;
}

export interface ContentBlob {
  digest: string;
  size: number;
}

export interface InventoryContainer {
  id: string;
  name: string;
  imageId: string;
  /** The reference it was created with; may be a tag that has moved to another image since. */
  imageRef: string;
  state: string;
  /** unix ms */
  created: number;
}

export interface ServiceImages {
  name: string;
  /** Image reference of the current spec, e.g. `app:2@sha256:…`. */
  current: string;
  /** Image reference of the previous spec: what a rollback returns to. */
  previous: string | null;
}

/** A container or image event from the engine's in-memory log (the last 256 events). */
export interface UseEvent {
  /** `container start`, `image pull`, ... */
  action: string;
  /** The image reference or id the event names. */
  image: string;
  /** unix ms */
  at: number;
}

export interface Inventory {
  /** Top-level images (what `docker images` lists): tagged, or untagged without children. */
  images: InventoryImage[];
  /** child id -> parent id for every image, intermediate ones included. */
  parents: Record<string, string>;
  containers: InventoryContainer[];
  /** null when the services could not be listed (not a swarm manager), with the reason. */
  services: ServiceImages[] | null;
  servicesNote: string | null;
  recentEvents: UseEvent[];
}
