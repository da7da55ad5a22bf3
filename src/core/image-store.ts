import type { DockerInfo } from './docker-info-schema.js';
import { driverStatusValue } from './driver-status.js';

// Where an engine keeps its images. With a graph driver (overlay2, btrfs, zfs,
// devicemapper...) layers live under `<Docker Root Dir>/<driver>`. With containerd's
// image store (`"features": {"containerd-snapshotter": true}` on Engine 24-28, the
// default on fresh Engine 29 installs) content blobs and unpacked snapshots live in
// containerd's root instead, which on packaged hosts is /var/lib/containerd, not under
// Docker Root Dir: the filesystem that fills with images may not be the data root's.
// `docker info` shows it as `Storage Driver: overlayfs` (the snapshotter's name) with
// `driver-type: io.containerd.snapshotter.v1` in DriverStatus.

export type ImageStoreKind = 'graph' | 'containerd';

const SNAPSHOTTER_TYPE = 'io.containerd.snapshotter.v1';

export function imageStoreKind(info: DockerInfo): ImageStoreKind {
  return driverStatusValue(info, 'driver-type') === SNAPSHOTTER_TYPE ? 'containerd' : 'graph';
}

/** "containerd's image store (overlayfs snapshotter)" or "the overlay2 graph driver", for sentences. */
export function describeImageStore(info: DockerInfo): string {
  const driver = info.Driver?.trim() || 'unknown';
  return imageStoreKind(info) === 'containerd' ? `containerd's image store (${driver} snapshotter)` : `the ${driver} graph driver`;
}
