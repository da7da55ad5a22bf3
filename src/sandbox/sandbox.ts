import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startContainerd } from './containerd.js';
import { makeDisk } from './disk.js';
import { type DockerCliOptions, type DockerCliResult, runDockerCli, sandboxEnv } from './docker-cli.js';
import { killDaemon, startDaemon, stopDaemon, type DaemonConfig } from './dockerd.js';
import { clearFill, fillTo, fsUsage, importImagesUntil, importImagesUntilFull, type FsUsage, type ImportUntilOptions } from './fill.js';
import { currentProcessMarker, writeMarker } from './marker.js';
import { makeSandboxDir, SandboxLifecycle, stopEvery } from './sandbox-lifecycle.js';
import { makeNetns, makePrivateMount } from './namespaces.js';
import { hostEngine } from './engines.js';
import { layoutFor, resolveOptions, type ContainerdMode, type ImageStore, type SandboxFs, type SandboxLayout, type SandboxOptions } from './options.js';
import { preflight } from './preflight.js';
import { run } from './proc.js';
import { cleanupStaleSandboxes, teardownDir } from './teardown.js';
import { loadTestImage, type TestImageOptions } from './test-image.js';

export interface RestartOptions {
  daemonJson?: Record<string, unknown>;
  extraArgs?: string[];
  /** Start on another data root, same socket: how a data-root drift looks from outside. */
  dataRoot?: string;
}

export interface Sandbox {
  readonly dir: string;
  /** `unix://<dir>/docker.sock`, for DOCKER_HOST or `--host`. */
  readonly dockerHost: string;
  readonly socketPath: string;
  /** Current data root; changes with `restart({ dataRoot })`. */
  readonly dataRoot: string;
  readonly mountPoint: string;
  readonly fs: SandboxFs;
  readonly daemonJsonPath: string;
  readonly logPath: string;
  /** Which engine runs, e.g. "docker.io 28.5.2+dfsg4-5 + containerd 2.1.9+ds1-5 (sid)". */
  readonly engineLabel: string;
  readonly imageStore: ImageStore;
  readonly containerdMode: ContainerdMode;
  /**
   * containerd's root when images live there: its own filesystem for a separate
   * containerd, `<data root>/containerd/daemon` for dockerd's own; null for a graph driver.
   */
  readonly containerdRoot: string | null;
  /** The mount point of the filesystem that holds image content (the data root's, or containerd's own). */
  readonly imageMountPoint: string;
  /** Runs the docker CLI against this sandbox; rejects with its stderr on a non-zero exit. */
  docker(args: string[], opts?: DockerCliOptions): Promise<DockerCliResult>;
  /** Runs the engine's `ctr` against its containerd, in the sandbox's namespace (to break images as a failed pull would). */
  ctr(args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Imports a busybox image with random padding (runs `sleep`, `sh`, `true`); returns its id. */
  importImage(ref: string, opts?: TestImageOptions): Promise<string>;
  /** Statfs of the data root's filesystem. */
  usage(): Promise<FsUsage>;
  /** Statfs of the filesystem that holds image content, as gc measures it (the data root's unless containerd has its own). */
  imageUsage(): Promise<FsUsage>;
  /**
   * Grows a filler file (outside the data root) until the filesystem is `percent` full:
   * the data root's, or with `on: 'images'` the one holding image content.
   */
  fillTo(percent: number, on?: 'data-root' | 'images'): Promise<FsUsage>;
  clearFill(): Promise<void>;
  /** Imports distinct padded images until the image filesystem is `percent` full; returns their refs. */
  importImagesUntil(percent: number, opts?: ImportUntilOptions): Promise<string[]>;
  /** Imports images until the engine refuses one for want of space (a pull on a full disk); returns refs and the refusal. */
  importImagesUntilFull(opts?: ImportUntilOptions): Promise<{ refs: string[]; refusal: string }>;
  /** Stops dockerd as `systemctl restart docker` would (containers get their stop timeout) and starts it again. */
  restart(opts?: RestartOptions): Promise<void>;
  /** SIGKILLs dockerd and its containerd, as a crash would; `restart()` brings it back. */
  crash(): Promise<void>;
  blankDevice(sizeMb: number): Promise<string>;
  detach(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<SandboxLifecycle>();

/** Stops every sandbox this process started and has not detached; for afterAll and signal handlers. */
export function stopAllSandboxes(): Promise<void> {
  return stopEvery(live);
}

/**
 * Starts a private dockerd on a freshly formatted loop-mounted filesystem under
 * /tmp/dw-<id>/. Needs root. Removes sandboxes abandoned by killed runs first.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const o = resolveOptions(opts);
  const tools = await preflight(o.fs);
  const engine = o.engine ?? (await hostEngine());
  await cleanupStaleSandboxes(o.log);
  const dir = await makeSandboxDir();
  const layout = layoutFor(dir);
  // The marker comes first: from here on a killed run leaves something cleanup can find.
  await writeMarker(layout.markerPath, await currentProcessMarker());
  const separate = o.containerd === 'separate';
  const config: DaemonConfig = {
    dockerd: o.engine?.dockerd ?? tools.dockerd,
    engine: o.engine,
    containerdSocket: separate ? layout.containerdSocket : null,
    dataRoot: join(layout.mountPoint, 'docker'),
    storageDriver: o.storageDriver,
    daemonJson: o.imageStore === 'containerd' ? { features: { 'containerd-snapshotter': true }, ...o.daemonJson } : o.daemonJson,
    extraArgs: o.extraArgs,
    rootInDaemonJson: o.rootInDaemonJson,
  };
  let pid: number;
  try {
    const t0 = performance.now();
    await makePrivateMount(dir);
    await makeNetns(layout.netnsPath);
    await mkdir(layout.cliConfigDir);
    await makeDisk(tools.mkfs, o.fs, layout.image, o.sizeMb, layout.mountPoint);
    await writeFile(layout.enginePath, `${JSON.stringify({ dockerd: config.dockerd, engine: config.engine, containerdSocket: config.containerdSocket })}\n`);
    if (separate) {
      if (!engine) throw new Error('No containerd to start: install docker.io (scripts/install-test-deps.sh) or pass a fetched engine.');
      await makeDisk(tools.mkfs, o.fs, layout.containerdImage, o.containerdSizeMb, layout.containerdMount);
      await startContainerd(layout, engine, o.log);
    }
    const t1 = performance.now();
    pid = await startDaemon(layout, config, o.log);
    o.log(
      `sandbox: ${dir} up (${o.fs}, ${o.sizeMb} MiB, ${engine?.label ?? tools.dockerd}, ${o.imageStore} store${separate ? `, containerd on its own ${o.containerdSizeMb} MiB` : ''}): disk ${Math.round(t1 - t0)} ms, dockerd ${Math.round(performance.now() - t1)} ms.`,
    );
  } catch (err) {
    await teardownDir(dir, o.log).catch((e: Error) => o.log(`sandbox: cleanup after a failed start: ${e.message}`));
    throw err;
  }
  const store = { label: engine?.label ?? tools.dockerd, imageStore: o.imageStore, containerd: o.containerd };
  return new LoopSandbox(layout, o.fs, config, store, pid, o.log);
}

class LoopSandbox extends SandboxLifecycle implements Sandbox {
  readonly dockerHost: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    layout: SandboxLayout,
    readonly fs: SandboxFs,
    private config: DaemonConfig,
    private readonly store: { label: string; imageStore: ImageStore; containerd: ContainerdMode },
    private pid: number,
    log: (line: string) => void,
  ) {
    super(layout, log, live);
    this.dockerHost = `unix://${layout.socketPath}`;
    this.env = sandboxEnv(this.dockerHost, layout.cliConfigDir, process.env);
  }

  protected override knownPid(): number {
    return this.pid;
  }

  get socketPath(): string {
    return this.layout.socketPath;
  }
  get dataRoot(): string {
    return this.config.dataRoot;
  }
  get mountPoint(): string {
    return this.layout.mountPoint;
  }
  get daemonJsonPath(): string {
    return this.layout.daemonJsonPath;
  }
  get logPath(): string {
    return this.layout.logPath;
  }
  get engineLabel(): string {
    return this.store.label;
  }
  get imageStore(): ImageStore {
    return this.store.imageStore;
  }
  get containerdMode(): ContainerdMode {
    return this.store.containerd;
  }
  get containerdRoot(): string | null {
    if (this.store.imageStore !== 'containerd') return null;
    return this.store.containerd === 'separate' ? this.layout.containerdRoot : join(this.config.dataRoot, 'containerd', 'daemon');
  }
  get imageMountPoint(): string {
    return this.store.containerd === 'separate' ? this.layout.containerdMount : this.layout.mountPoint;
  }

  docker(args: string[], opts?: DockerCliOptions): Promise<DockerCliResult> {
    return runDockerCli(this.env, args, opts);
  }

  importImage(ref: string, opts?: TestImageOptions): Promise<string> {
    return loadTestImage(this.layout.socketPath, ref, opts);
  }

  ctr(args: string[]): Promise<{ stdout: string; stderr: string }> {
    const address = this.config.containerdSocket ?? join(this.layout.execRoot, 'containerd', 'containerd.sock');
    const ctr = this.config.engine ? join(this.config.engine.binDirs[0] ?? '', 'ctr') : 'ctr';
    return run(ctr, ['--address', address, '--namespace', this.layout.containerdNamespace, ...args]);
  }

  usage(): Promise<FsUsage> {
    return fsUsage(this.layout.mountPoint);
  }

  imageUsage(): Promise<FsUsage> {
    return fsUsage(this.imageMountPoint);
  }

  fillTo(percent: number, on: 'data-root' | 'images' = 'data-root'): Promise<FsUsage> {
    const separateImages = on === 'images' && this.store.containerd === 'separate';
    return fillTo(separateImages ? this.layout.containerdFillerPath : this.layout.fillerPath, percent);
  }

  async clearFill(): Promise<void> {
    await clearFill(this.layout.fillerPath);
    if (this.store.containerd === 'separate') await clearFill(this.layout.containerdFillerPath);
  }

  importImagesUntil(percent: number, opts?: ImportUntilOptions): Promise<string[]> {
    return importImagesUntil(this.layout.socketPath, this.imageMountPoint, percent, opts);
  }

  importImagesUntilFull(opts?: ImportUntilOptions): Promise<{ refs: string[]; refusal: string }> {
    return importImagesUntilFull(this.layout.socketPath, this.imageMountPoint, opts);
  }

  async restart(opts: RestartOptions = {}): Promise<void> {
    if (this.stopped) throw new Error(`Sandbox ${this.dir} is stopped; it cannot be restarted.`);
    await stopDaemon(this.layout, this.log, this.pid);
    this.config = {
      ...this.config,
      daemonJson: opts.daemonJson ?? this.config.daemonJson,
      extraArgs: opts.extraArgs ?? this.config.extraArgs,
      dataRoot: opts.dataRoot ?? this.config.dataRoot,
    };
    this.pid = await startDaemon(this.layout, this.config, this.log);
  }

  crash(): Promise<void> {
    return killDaemon(this.layout, this.pid);
  }
}
