import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logTail } from './dockerd.js';
import { inNetns } from './namespaces.js';
import type { SandboxLayout } from './options.js';
import { descendants, isAlive, listProcesses, programName, run, signal, waitUntil, type ProcInfo } from './proc.js';
import { getJson, ping, post } from './unix-http.js';

// `podman system service` as a throwaway engine: Podman answers Docker's API on a unix
// socket. Everything it would share with the host's Podman is moved into the sandbox
// directory (graph root on the loop filesystem, run root, tmp dir, file locks instead of
// /dev/shm/libpod_lock, events in a file, containers.conf/storage.conf/registries.conf of
// its own) and it runs in the sandbox's network namespace. What Podman 4.3 still writes
// to fixed host paths — the blob info cache in /var/lib/containers/cache on every load,
// runc's state in /run/runc, /run/containers — goes to a mount namespace of the sandbox's
// own (pinned at <dir>/mntns) with a tmpfs on /run and an overlay on /var/lib, so it
// vanishes with the sandbox. Only cgroups are global: see removeCgroups.

/** What podman leaves running: the service, conmon per container, the runtime, the init, the network helpers. */
export const PODMAN_PROGRAMS = ['podman', 'conmon', 'crun', 'runc', 'catatonit', 'netavark', 'aardvark-dns'];

export interface PodmanLayout {
  base: SandboxLayout;
  socketPath: string;
  graphRoot: string;
  runRoot: string;
  tmpDir: string;
  containersConf: string;
  storageConf: string;
  registriesConf: string;
  eventsLog: string;
  networksDir: string;
  logPath: string;
  /** Bind mount pinning the mount namespace podman runs in. */
  mntnsPath: string;
}

export function podmanLayoutFor(base: SandboxLayout): PodmanLayout {
  const dir = base.dir;
  return {
    base,
    socketPath: join(dir, 'podman.sock'),
    graphRoot: join(base.mountPoint, 'storage'),
    runRoot: join(dir, 'run'),
    tmpDir: join(dir, 'tmp'),
    containersConf: join(dir, 'containers.conf'),
    storageConf: join(dir, 'storage.conf'),
    registriesConf: join(dir, 'registries.conf'),
    eventsLog: join(dir, 'events.log'),
    networksDir: join(dir, 'networks'),
    logPath: join(dir, 'podman.log'),
    mntnsPath: join(dir, 'mntns'),
  };
}

/** Hard limits of this process from /proc/self/limits ("Max open files", "Max processes"). */
async function hardLimit(name: string): Promise<number | null> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(name));
  const hard = line?.slice(name.length).trim().split(/\s+/)[1];
  return hard && /^\d+$/.test(hard) ? Number(hard) : null;
}

/**
 * Podman 4.3 asks the runtime for nofile and nproc limits of 1048576 (and lowers its own
 * nproc to 32768 at start, seen with strace): without CAP_SYS_RESOURCE (containers, CI)
 * runc then fails with "setrlimit RLIMIT_NOFILE: Operation not permitted". Newer Podman
 * clamps to what it may set; here the defaults say so.
 */
async function ulimits(): Promise<string[]> {
  const nofile = (await hardLimit('Max open files')) ?? 1024;
  const nproc = Math.min((await hardLimit('Max processes')) ?? 4096, 32768);
  return [`nofile=${nofile}:${nofile}`, `nproc=${nproc}:${nproc}`];
}

const toml = (s: string): string => JSON.stringify(s);

export async function writePodmanConfig(p: PodmanLayout, runtime: 'crun' | 'runc'): Promise<void> {
  const limits = await ulimits();
  await writeFile(
    p.containersConf,
    [
      '# dockwarden sandbox: podman system service on a loop filesystem; nothing shared with the host',
      '[containers]',
      'log_driver = "k8s-file"',
      `default_ulimits = [${limits.map(toml).join(', ')}]`,
      '[network]',
      'network_backend = "netavark"',
      `network_config_dir = ${toml(p.networksDir)}`,
      '[engine]',
      // No systemd here: cgroupfs, and events in a file the API reads back.
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = ${toml(p.eventsLog)}`,
      // The default "shm" lock type shares /dev/shm/libpod_lock with every rootful podman.
      'lock_type = "file"',
      `runtime = ${toml(runtime)}`,
      `tmp_dir = ${toml(p.tmpDir)}`,
      `image_copy_tmp_dir = ${toml(p.tmpDir)}`,
      `static_dir = ${toml(join(p.graphRoot, 'libpod'))}`,
      `volume_path = ${toml(join(p.graphRoot, 'volumes'))}`,
      '',
    ].join('\n'),
  );
  await writeFile(p.storageConf, ['[storage]', 'driver = "overlay"', `graphroot = ${toml(p.graphRoot)}`, `runroot = ${toml(p.runRoot)}`, ''].join('\n'));
  // No registry is reachable from the sandbox's network namespace anyway; no short names either.
  await writeFile(p.registriesConf, ['unqualified-search-registries = []', 'short-name-mode = "disabled"', ''].join('\n'));
}

/**
 * crun 1.8 refuses hosts with a hybrid cgroup hierarchy ("cgroups in hybrid mode not
 * supported"); runc (docker.io's) runs there. On a pure cgroup v2 host podman's default, crun.
 */
export async function chooseRuntime(hasCrun: boolean, hasRunc: boolean): Promise<'crun' | 'runc'> {
  const unified = await readFile('/sys/fs/cgroup/cgroup.controllers', 'utf8').then(
    () => true,
    () => false,
  );
  if (unified && hasCrun) return 'crun';
  if (hasRunc) return 'runc';
  if (hasCrun) return 'crun';
  throw new Error('Neither runc nor crun is installed; podman needs one (bash scripts/install-test-deps.sh).');
}

/** The sandbox's own mount namespace, with /run and /var/lib made private to it (see the top of this file). */
export async function makePodmanMountNs(p: PodmanLayout): Promise<void> {
  await writeFile(p.mntnsPath, '');
  const script = [
    'set -e',
    'mount -t tmpfs -o mode=0755 dw-podman-run /run',
    'mkdir -p /run/.dw-var-lib/upper /run/.dw-var-lib/work',
    'mount -t overlay -o lowerdir=/var/lib,upperdir=/run/.dw-var-lib/upper,workdir=/run/.dw-var-lib/work dw-podman-var-lib /var/lib',
  ].join('\n');
  await run('unshare', [`--mount=${p.mntnsPath}`, '--propagation', 'private', 'sh', '-c', script]);
}

export function podmanArgs(p: PodmanLayout): string[] {
  return ['--root', p.graphRoot, '--runroot', p.runRoot, '--tmpdir', p.tmpDir, 'system', 'service', '--time=0', `unix://${p.socketPath}`];
}

function podmanEnv(p: PodmanLayout): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(DOCKER_|CONTAINERS_|XDG_|REGISTRIES_)/.test(k)) env[k] = v;
  // The compat API spools `docker load` uploads to TMPDIR.
  return { ...env, CONTAINERS_CONF: p.containersConf, CONTAINERS_STORAGE_CONF: p.storageConf, CONTAINERS_REGISTRIES_CONF: p.registriesConf, TMPDIR: p.tmpDir };
}

export const PODMAN_READY_MS = 30_000;

/** Starts the service in the sandbox's network and mount namespaces and waits for `GET /_ping`. */
export async function startPodmanService(p: PodmanLayout, podman: string, log: (line: string) => void): Promise<number> {
  const [nsenter, netArgs] = inNetns(p.base.netnsPath, podman, podmanArgs(p));
  const args = [`--mount=${p.mntnsPath}`, ...netArgs];
  log(`sandbox: ${nsenter} ${args.join(' ')}`);
  const logFd = openSync(p.logPath, 'a');
  let exited: string | null = null;
  try {
    const child = spawn(nsenter, args, { detached: true, stdio: ['ignore', logFd, logFd], env: podmanEnv(p) });
    child.on('exit', (code, sig) => (exited = sig ? `was killed by ${sig}` : `exited with code ${code}`));
    child.on('error', (err) => (exited = `could not start: ${err.message}`));
    child.unref();
    const ready = await waitUntil(async () => exited !== null || (await ping(p.socketPath, 1_000)), PODMAN_READY_MS, 100);
    if (exited !== null || !ready || child.pid === undefined) {
      const why = exited !== null ? `podman ${exited}` : `podman did not answer on ${p.socketPath} within ${PODMAN_READY_MS / 1000} s`;
      await stopPodmanService(p.base, log);
      throw new Error(`${why}. Last lines of ${p.logPath}:\n${await logTail(p.logPath)}`);
    }
    return child.pid;
  } finally {
    closeSync(logFd);
  }
}

/** The running `podman system service` of this sandbox, found by its socket argument. */
export async function findPodmanService(base: SandboxLayout, all?: ProcInfo[]): Promise<ProcInfo | null> {
  const socket = `unix://${podmanLayoutFor(base).socketPath}`;
  return (all ?? (await listProcesses())).find((p) => programName(p) === 'podman' && p.argv.includes('service') && p.argv.includes(socket)) ?? null;
}

/** Podman's processes whose arguments name the sandbox directory, and everything under them. */
async function ownProcesses(base: SandboxLayout): Promise<ProcInfo[]> {
  const all = await listProcesses();
  const own = all.filter((p) => p.pid !== process.pid && PODMAN_PROGRAMS.includes(programName(p)) && p.argv.some((a) => a.includes(`${base.dir}/`)));
  return [
    ...descendants(
      all,
      own.map((p) => p.pid),
    ),
    ...own,
  ];
}

/** Container ids from containers/storage's own list, for the cgroups podman made for them. */
async function containerIds(p: PodmanLayout): Promise<string[]> {
  const text = await readFile(join(p.graphRoot, 'overlay-containers', 'containers.json'), 'utf8').catch(() => '[]');
  try {
    return (JSON.parse(text) as Array<{ id?: string }>).flatMap((c) => (c.id ? [c.id] : []));
  } catch {
    return [];
  }
}

/**
 * With cgroupfs podman makes /sys/fs/cgroup/<controller>/libpod_parent/libpod-<id> (and
 * libpod_parent/conmon) and removes a container's when it is cleaned up; a killed podman
 * leaves them. Removes this sandbox's, then the shared ones when no other podman runs.
 */
async function removeCgroups(ids: string[], log: (line: string) => void): Promise<void> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((d) => join('/sys/fs/cgroup', d))];
  const othersRun = (await listProcesses()).some((p) => p.pid !== process.pid && ['podman', 'conmon'].includes(programName(p)));
  for (const root of roots) {
    const parent = join(root, 'libpod_parent');
    const children = await readdir(parent).catch(() => [] as string[]);
    for (const child of children.filter((c) => ids.some((id) => c.includes(id)))) {
      await rmdir(join(parent, child)).catch((err: Error) => log(`sandbox: cannot remove cgroup ${join(parent, child)}: ${err.message}`));
    }
    // conmon's shared cgroup, then the parent; rmdir fails on a cgroup still in use, which is left alone.
    if (!othersRun) for (const dir of [join(parent, 'conmon'), parent]) await rmdir(dir).catch(() => undefined);
  }
}

/**
 * Kills running containers (busybox `sleep` as PID 1 ignores SIGTERM), stops the service
 * (SIGTERM, then SIGKILL), kills whatever podman process still names the sandbox, and
 * removes its cgroups. Safe to call when no podman ever ran there.
 */
export async function stopPodmanService(base: SandboxLayout, log: (line: string) => void, graceMs = 10_000): Promise<void> {
  const p = podmanLayoutFor(base);
  if (await ping(p.socketPath)) {
    try {
      const running = await getJson<Array<{ Id: string }>>(p.socketPath, '/containers/json');
      await Promise.all(running.map((c) => post(p.socketPath, `/containers/${c.Id}/kill`).catch(() => {})));
      // conmon runs `podman container cleanup` for each: wait for it, or runc state and mounts stay.
      await waitUntil(async () => (await getJson<unknown[]>(p.socketPath, '/containers/json').catch(() => [])).length === 0, 10_000, 100);
    } catch (err) {
      log(`sandbox: could not stop podman's containers first: ${(err as Error).message}`);
    }
  }
  const service = await findPodmanService(base);
  if (service) {
    const gone = async (): Promise<boolean> => !(await isAlive(service.pid, service.startTime));
    signal(service.pid, 'SIGTERM');
    if (!(await waitUntil(gone, graceMs, 50))) {
      log(`sandbox: podman ${service.pid} ignored SIGTERM for ${graceMs / 1000} s; killing it.`);
      signal(service.pid, 'SIGKILL');
      await waitUntil(gone, 5_000, 50);
    }
  }
  const leftovers = await ownProcesses(base);
  if (leftovers.length > 0) {
    log(`sandbox: killing leftover podman processes ${leftovers.map((x) => `${x.pid} (${programName(x)})`).join(', ')}.`);
    for (const x of leftovers) signal(x.pid, 'SIGKILL');
    await waitUntil(async () => (await ownProcesses(base)).length === 0, 5_000, 50);
  }
  // Only a Podman sandbox has a containers.conf: a dockerd sandbox's teardown touches no cgroup.
  if (
    await readFile(p.containersConf).then(
      () => true,
      () => false,
    )
  )
    await removeCgroups(await containerIds(p), log);
}
