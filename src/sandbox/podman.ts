import { mkdir } from 'node:fs/promises';
import { makeDisk } from './disk.js';
import { type DockerCliOptions, type DockerCliResult, runDockerCli, sandboxEnv } from './docker-cli.js';
import { clearFill, fillTo, fsUsage, importImagesUntil, type FsUsage, type ImportUntilOptions } from './fill.js';
import { currentProcessMarker, writeMarker } from './marker.js';
import { makeSandboxDir, SandboxLifecycle, stopEvery } from './sandbox-lifecycle.js';
import { makeNetns, makePrivateMount } from './namespaces.js';
import { layoutFor, MIN_SIZE_MB, type SandboxFs, type SandboxLayout } from './options.js';
import { chooseRuntime, findPodmanService, makePodmanMountNs, podmanLayoutFor, startPodmanService, writePodmanConfig, type PodmanLayout } from './podman-service.js';
import { findTool } from './preflight.js';
import { isAlive, run, signal, waitUntil } from './proc.js';
import type { Sandbox } from './sandbox.js';
import { cleanupStaleSandboxes, teardownDir } from './teardown.js';
import { loadTestImage, type TestImageOptions } from './test-image.js';

// A throwaway Podman engine (`podman system service`, which answers Docker's API) on a
// loop-mounted filesystem, for the tests: the third engine dockwarden diagnoses and
// collects, beside dockerd with a graph driver and with containerd's image store. The
// host's Podman (its /etc/containers, /var/lib/containers, /run) is never used; see
// podman-service.ts. Needs root and Debian's podman, conmon and runc or crun.
//
//   const p = await startPodmanSandbox({ fs: 'ext4' });   // afterAll(stopAllPodmanSandboxes)
//   await p.importImage('app:1');                          // Podman names it localhost/app:1
//   await p.docker(['run', '-d', '--network', 'none', 'app:1', 'sleep', '1000']);

export interface PodmanSandboxOptions {
  /** @default 'ext4' */
  fs?: SandboxFs;
  /** Size of the sparse disk file in MiB. @default 1024 */
  sizeMb?: number;
  log?: (line: string) => void;
}

/** The parts of a dockerd sandbox that mean something for Podman, plus Podman's own files. */
export type PodmanSandbox = Pick<
  Sandbox,
  | 'dir'
  | 'dockerHost'
  | 'socketPath'
  | 'dataRoot'
  | 'mountPoint'
  | 'fs'
  | 'logPath'
  | 'engineLabel'
  | 'imageMountPoint'
  | 'docker'
  | 'importImage'
  | 'usage'
  | 'imageUsage'
  | 'fillTo'
  | 'clearFill'
  | 'importImagesUntil'
  | 'crash'
  | 'blankDevice'
  | 'detach'
  | 'stop'
> & {
  readonly containersConfPath: string;
  readonly storageConfPath: string;
  readonly eventsLogPath: string;
  /** Stops the service and starts it again on the same storage; containers keep running under conmon. */
  restart(): Promise<void>;
};

/** Why Podman cannot run here, as one sentence; null when it can be tried. */
export async function podmanUnavailable(): Promise<string | null> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the Podman sandbox must run as root (it loop-mounts a filesystem)';
  const tools = [
    ['podman', 'podman'],
    ['conmon', 'conmon'],
    ['docker', 'docker.io (the docker CLI talks to it)'],
    ['mount', 'mount'],
    ['losetup', 'mount'],
    ['unshare', 'util-linux'],
    ['nsenter', 'util-linux'],
    ['ip', 'iproute2'],
  ] as const;
  for (const [tool, pkg] of tools) {
    if (!(await findTool(tool))) return `${tool} is not installed; run \`bash scripts/install-test-deps.sh\` as root (package ${pkg})`;
  }
  if (!(await findTool('runc')) && !(await findTool('crun'))) return 'neither runc nor crun is installed; run `bash scripts/install-test-deps.sh` as root';
  return null;
}

const live = new Set<SandboxLifecycle>();

export function stopAllPodmanSandboxes(): Promise<void> {
  return stopEvery(live);
}

async function podmanVersion(podman: string): Promise<string> {
  return (await run(podman, ['--version'])).stdout.trim().replace(/^podman version /, '');
}

export async function startPodmanSandbox(opts: PodmanSandboxOptions = {}): Promise<PodmanSandbox> {
  const log = opts.log ?? (() => {});
  const fs = opts.fs ?? 'ext4';
  const sizeMb = Math.max(Math.ceil(opts.sizeMb ?? 1024), MIN_SIZE_MB[fs]);
  const unavailable = await podmanUnavailable();
  if (unavailable) throw new Error(`No Podman sandbox: ${unavailable}.`);
  const mkfs = await findTool(`mkfs.${fs}`);
  if (!mkfs) throw new Error(`No Podman sandbox: mkfs.${fs} is not installed; run \`bash scripts/install-test-deps.sh\` as root.`);
  const podman = (await findTool('podman')) as string;
  const runtime = await chooseRuntime(Boolean(await findTool('crun')), Boolean(await findTool('runc')));
  await cleanupStaleSandboxes(log);
  const dir = await makeSandboxDir();
  const base = layoutFor(dir);
  const p = podmanLayoutFor(base);
  await writeMarker(base.markerPath, await currentProcessMarker());
  try {
    const t0 = performance.now();
    await makePrivateMount(dir);
    await makeNetns(base.netnsPath);
    await mkdir(base.cliConfigDir);
    await makeDisk(mkfs, fs, base.image, sizeMb, base.mountPoint);
    for (const d of [p.runRoot, p.tmpDir, p.networksDir]) await mkdir(d);
    await writePodmanConfig(p, runtime);
    // After the loop mount: the namespace gets a copy of it.
    await makePodmanMountNs(p);
    const t1 = performance.now();
    await startPodmanService(p, podman, log);
    log(`sandbox: ${dir} up (podman ${await podmanVersion(podman)}, ${runtime}, ${fs}, ${sizeMb} MiB): disk ${Math.round(t1 - t0)} ms, podman ${Math.round(performance.now() - t1)} ms.`);
  } catch (err) {
    await teardownDir(dir, log).catch((e: Error) => log(`sandbox: cleanup after a failed start: ${e.message}`));
    throw err;
  }
  return new LoopPodman(p, fs, `podman ${await podmanVersion(podman)} (${runtime})`, podman, log);
}

class LoopPodman extends SandboxLifecycle implements PodmanSandbox {
  readonly dockerHost: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    private readonly p: PodmanLayout,
    readonly fs: SandboxFs,
    readonly engineLabel: string,
    private readonly podman: string,
    log: (line: string) => void,
  ) {
    super(p.base, log, live);
    this.dockerHost = `unix://${p.socketPath}`;
    this.env = sandboxEnv(this.dockerHost, p.base.cliConfigDir, process.env);
  }

  private get base(): SandboxLayout {
    return this.p.base;
  }
  get socketPath(): string {
    return this.p.socketPath;
  }
  /** Podman's graph root: what its /info reports as DockerRootDir. */
  get dataRoot(): string {
    return this.p.graphRoot;
  }
  get mountPoint(): string {
    return this.base.mountPoint;
  }
  get imageMountPoint(): string {
    return this.base.mountPoint;
  }
  get logPath(): string {
    return this.p.logPath;
  }
  get containersConfPath(): string {
    return this.p.containersConf;
  }
  get storageConfPath(): string {
    return this.p.storageConf;
  }
  get eventsLogPath(): string {
    return this.p.eventsLog;
  }

  docker(args: string[], opts?: DockerCliOptions): Promise<DockerCliResult> {
    return runDockerCli(this.env, args, opts);
  }

  importImage(ref: string, opts?: TestImageOptions): Promise<string> {
    return loadTestImage(this.p.socketPath, ref, opts);
  }

  usage(): Promise<FsUsage> {
    return fsUsage(this.base.mountPoint);
  }

  imageUsage(): Promise<FsUsage> {
    return fsUsage(this.base.mountPoint);
  }

  fillTo(percent: number): Promise<FsUsage> {
    return fillTo(this.base.fillerPath, percent);
  }

  clearFill(): Promise<void> {
    return clearFill(this.base.fillerPath);
  }

  importImagesUntil(percent: number, opts: ImportUntilOptions = {}): Promise<string[]> {
    // Podman stores an unqualified `fill/img:1` as `localhost/fill/img:1`: number on from the names it lists.
    return importImagesUntil(this.p.socketPath, this.base.mountPoint, percent, { ...opts, prefix: opts.prefix ?? 'localhost/fill/img' });
  }

  /** Signals the service and waits until it is gone; its containers run on under conmon. */
  private async endService(sig: NodeJS.Signals): Promise<void> {
    const service = await findPodmanService(this.base);
    if (!service) return;
    signal(service.pid, sig);
    await waitUntil(async () => !(await isAlive(service.pid, service.startTime)), 10_000, 50);
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error(`Sandbox ${this.dir} is stopped; it cannot be restarted.`);
    await this.endService('SIGTERM');
    await startPodmanService(this.p, this.podman, this.log);
  }

  crash(): Promise<void> {
    return this.endService('SIGKILL');
  }
}
