import { join } from 'node:path';
import type { EngineBuild } from './engines.js';

export type SandboxFs = 'ext4' | 'xfs' | 'btrfs';

/**
 * Where images live. `graph`: the classic graph driver under the data root (overlay2).
 * `containerd`: containerd's image store (daemon.json `features.containerd-snapshotter`,
 * the default on fresh Engine 29 installs), with content and snapshots in containerd's root.
 */
export type ImageStore = 'graph' | 'containerd';

/**
 * `managed`: dockerd starts its own containerd (root `<data-root>/containerd/daemon`).
 * `separate`: a containerd of its own, root on a second loop filesystem, and dockerd
 * `--containerd SOCKET`: how packaged hosts run (containerd.io, root /var/lib/containerd).
 */
export type ContainerdMode = 'managed' | 'separate';

export interface SandboxOptions {
  /** Filesystem of the loop-mounted disk that holds the data root. @default 'ext4' */
  fs?: SandboxFs;
  /**
   * Size of the (sparse) disk file in MiB. @default 1024
   * Raised to the smallest size mkfs accepts: 300 MiB for xfs (xfsprogs >= 5.19 refuses
   * anything smaller), 128 MiB for btrfs (about 110 MiB is its floor), 64 MiB for ext4
   * (dockerd needs room for its own metadata).
   */
  sizeMb?: number;
  /** Passed as `--storage-driver`, e.g. 'btrfs'; otherwise dockerd picks (overlay2). */
  storageDriver?: string;
  /** Written to the sandbox's own daemon.json (the host's /etc/docker is never read). */
  daemonJson?: Record<string, unknown>;
  /** Appended to dockerd's command line. */
  extraArgs?: string[];
  /**
   * Put data-root and storage-driver in the sandbox's daemon.json instead of on dockerd's
   * command line, and leave that file alone on restarts: a host configured the way
   * `dockwarden plan` and `config set` expect, whose daemon.json they may rewrite.
   */
  rootInDaemonJson?: boolean;
  /** Which dockerd (and containerd) to run; see engines.ts. @default the host's */
  engine?: EngineBuild;
  /** @default 'graph' */
  imageStore?: ImageStore;
  /** @default 'managed' */
  containerd?: ContainerdMode;
  /** Size of containerd's own filesystem (separate containerd only), in MiB. @default 512 */
  containerdSizeMb?: number;
  /** Receives one line per step (mkfs, mount, start, stop...). @default silent */
  log?: (line: string) => void;
}

export const MIN_SIZE_MB: Record<SandboxFs, number> = { ext4: 64, xfs: 300, btrfs: 128 };
export const DEFAULT_SIZE_MB = 1024;

export interface ResolvedOptions {
  fs: SandboxFs;
  sizeMb: number;
  storageDriver: string | undefined;
  daemonJson: Record<string, unknown>;
  extraArgs: string[];
  rootInDaemonJson: boolean;
  engine: EngineBuild | null;
  imageStore: ImageStore;
  containerd: ContainerdMode;
  containerdSizeMb: number;
  log: (line: string) => void;
}

export function resolveOptions(opts: SandboxOptions = {}): ResolvedOptions {
  const fs = opts.fs ?? 'ext4';
  if (!(fs in MIN_SIZE_MB)) throw new Error(`Unknown sandbox filesystem "${String(fs)}": use ext4, xfs or btrfs.`);
  const log = opts.log ?? (() => {});
  const asked = opts.sizeMb ?? DEFAULT_SIZE_MB;
  const sizeMb = Math.max(Math.ceil(asked), MIN_SIZE_MB[fs]);
  if (sizeMb !== asked) log(`sandbox: ${fs} needs at least ${MIN_SIZE_MB[fs]} MiB; using ${sizeMb} MiB instead of ${asked}.`);
  const imageStore = opts.imageStore ?? 'graph';
  const containerd = opts.containerd ?? 'managed';
  if (containerd === 'separate' && imageStore !== 'containerd') {
    throw new Error('A separate containerd holds images only with the containerd image store: pass imageStore: "containerd" too.');
  }
  return {
    fs,
    sizeMb,
    storageDriver: opts.storageDriver,
    daemonJson: opts.daemonJson ?? {},
    extraArgs: opts.extraArgs ?? [],
    rootInDaemonJson: opts.rootInDaemonJson ?? false,
    engine: opts.engine ?? null,
    imageStore,
    containerd,
    containerdSizeMb: Math.max(Math.ceil(opts.containerdSizeMb ?? 512), MIN_SIZE_MB[fs]),
    log,
  };
}

/**
 * Where everything of one sandbox lives. The directory is short on purpose: unix socket
 * paths are limited to 108 bytes, and containerd puts its socket under the exec root.
 */
export interface SandboxLayout {
  dir: string;
  id: string;
  image: string;
  mountPoint: string;
  execRoot: string;
  socketPath: string;
  pidFile: string;
  logPath: string;
  daemonJsonPath: string;
  /** dockerd 20.10 creates a libtrust key in /etc/docker unless told otherwise. */
  keyPath: string;
  /** An empty docker CLI config dir, so the caller's contexts and credentials stay out. */
  cliConfigDir: string;
  markerPath: string;
  /** Bind mount pinning the sandbox's network namespace. */
  netnsPath: string;
  fillerPath: string;
  containerdNamespace: string;
  /** Which dockerd and containerd the sandbox runs: what `scripts/sandbox engine-start` starts again. */
  enginePath: string;
  /** A separate containerd's disk, mount, root (on that mount), state, socket, config and log. */
  containerdImage: string;
  containerdMount: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  containerdConfig: string;
  containerdLog: string;
  containerdFillerPath: string;
}

export const SANDBOX_PARENT = '/tmp';
export const SANDBOX_PREFIX = 'dw-';

export function layoutFor(dir: string): SandboxLayout {
  const id = dir.slice(dir.lastIndexOf('/') + 1 + SANDBOX_PREFIX.length);
  const mountPoint = join(dir, 'mnt');
  return {
    dir,
    id,
    image: join(dir, 'disk.img'),
    mountPoint,
    execRoot: join(dir, 'exec'),
    socketPath: join(dir, 'docker.sock'),
    pidFile: join(dir, 'docker.pid'),
    logPath: join(dir, 'dockerd.log'),
    daemonJsonPath: join(dir, 'daemon.json'),
    keyPath: join(dir, 'key.json'),
    cliConfigDir: join(dir, 'cli'),
    markerPath: join(dir, 'sandbox.env'),
    netnsPath: join(dir, 'netns'),
    fillerPath: join(mountPoint, 'filler'),
    containerdNamespace: `dw-${id}`,
    enginePath: join(dir, 'engine.json'),
    containerdImage: join(dir, 'containerd.img'),
    containerdMount: join(dir, 'cmnt'),
    containerdRoot: join(dir, 'cmnt', 'containerd'),
    containerdState: join(dir, 'cstate'),
    containerdSocket: join(dir, 'containerd.sock'),
    containerdConfig: join(dir, 'containerd.toml'),
    containerdLog: join(dir, 'containerd.log'),
    containerdFillerPath: join(dir, 'cmnt', 'filler'),
  };
}
