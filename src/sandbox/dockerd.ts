import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { enginePath, type EngineBuild } from './engines.js';
import { inNetns } from './namespaces.js';
import type { SandboxLayout } from './options.js';
import { descendants, isAlive, listProcesses, procInfo, programName, signal, waitUntil, type ProcInfo } from './proc.js';
import { ping } from './unix-http.js';

// Starting and stopping the sandbox's dockerd. Every path it would otherwise share with
// the host's Docker is moved into the sandbox: data root, exec root (and with it the
// managed containerd's socket and state), socket, pidfile, daemon.json and the libtrust
// key; it runs in the sandbox's network namespace (see namespaces.ts).

export interface DaemonConfig {
  dockerd: string;
  /** A fetched engine: its containerd and shims go first on dockerd's PATH; null for the host's. */
  engine: EngineBuild | null;
  /** A separate containerd's socket (`--containerd`); null: dockerd starts its own. */
  containerdSocket: string | null;
  dataRoot: string;
  storageDriver: string | undefined;
  daemonJson: Record<string, unknown>;
  extraArgs: string[];
  /** data-root and storage-driver live in daemon.json, which is written once and then left to its editors. */
  rootInDaemonJson: boolean;
}

export function dockerdArgs(layout: SandboxLayout, config: DaemonConfig): string[] {
  const ns = layout.containerdNamespace;
  return [
    '--config-file',
    layout.daemonJsonPath,
    ...(config.rootInDaemonJson ? [] : ['--data-root', config.dataRoot]),
    '--exec-root',
    layout.execRoot,
    '--host',
    `unix://${layout.socketPath}`,
    '--pidfile',
    layout.pidFile,
    // No docker0 and no iptables rules: fewer moving parts (and no iptables binary needed),
    // even inside the sandbox's own network namespace. Containers run with `--network none`.
    '--bridge=none',
    '--iptables=false',
    '--ip-masq=false',
    // If a system containerd listens on /run/containerd/containerd.sock, dockerd uses it
    // instead of starting its own; distinct namespaces keep two sandboxes (and the host)
    // from seeing each other's containers and images there.
    '--containerd-namespace',
    ns,
    '--containerd-plugins-namespace',
    `${ns}-p`,
    ...(config.storageDriver && !config.rootInDaemonJson ? ['--storage-driver', config.storageDriver] : []),
    ...(config.containerdSocket ? ['--containerd', config.containerdSocket] : []),
    ...config.extraArgs,
  ];
}

export const READY_TIMEOUT_MS = 30_000;

/**
 * Starts dockerd in its own session (a Ctrl-C in the terminal must not reach it before
 * the sandbox has killed its containers) and waits until `GET /_ping` answers.
 */
export async function startDaemon(layout: SandboxLayout, config: DaemonConfig, log: (line: string) => void): Promise<number> {
  // dockerd 20.10 creates a libtrust key in /etc/docker unless told otherwise, and only
  // daemon.json can tell it (there is no flag); a caller's own value wins.
  const daemonJson = {
    'deprecated-key-path': layout.keyPath,
    ...(config.rootInDaemonJson ? { 'data-root': config.dataRoot, ...(config.storageDriver ? { 'storage-driver': config.storageDriver } : {}) } : {}),
    ...config.daemonJson,
  };
  // 'wx': in rootInDaemonJson mode an existing file belongs to whoever edited it since.
  await writeFile(layout.daemonJsonPath, `${JSON.stringify(daemonJson, null, 2)}\n`, { flag: config.rootInDaemonJson ? 'wx' : 'w' }).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const [program, args] = inNetns(layout.netnsPath, config.dockerd, dockerdArgs(layout, config));
  log(`sandbox: ${program} ${args.join(' ')}`);
  const logFd = openSync(layout.logPath, 'a');
  let exited: string | null = null;
  try {
    const env = config.engine ? { ...process.env, PATH: enginePath(config.engine) } : process.env;
    const child = spawn(program, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
    child.on('exit', (code, sig) => (exited = sig ? `was killed by ${sig}` : `exited with code ${code}`));
    child.on('error', (err) => (exited = `could not start: ${err.message}`));
    // The sandbox is tracked by pidfile, not by this handle: let the caller's process exit
    // while dockerd runs on (scripts/sandbox start depends on it).
    child.unref();
    const pid = child.pid;
    const ready = await waitUntil(async () => exited !== null || (await ping(layout.socketPath, 1_000)), READY_TIMEOUT_MS, 100);
    if (exited !== null || !ready || pid === undefined) {
      const why = exited !== null ? `dockerd ${exited}` : `dockerd did not answer on ${layout.socketPath} within ${READY_TIMEOUT_MS / 1000} s`;
      if (pid !== undefined) await stopDaemon(layout, log, pid);
      throw new Error(`${why}. Last lines of ${layout.logPath}:\n${await logTail(layout.logPath)}`);
    }
    return pid;
  } finally {
    closeSync(logFd);
  }
}

export async function logTail(path: string, lines = 25): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether `pid` is this sandbox's dockerd: a pidfile or a remembered pid may have been reused. */
async function ownDaemon(layout: SandboxLayout, pid: number): Promise<ProcInfo | null> {
  const info = await procInfo(pid);
  if (!info || info.state === 'Z' || programName(info) !== 'dockerd') return null;
  return info.argv.includes(`unix://${layout.socketPath}`) ? info : null;
}

/** The running dockerd of this sandbox: the pid we started it with, else its pidfile's. */
export async function findDaemon(layout: SandboxLayout, hint?: number): Promise<ProcInfo | null> {
  const fromFile = await readFile(layout.pidFile, 'utf8').then(
    (t) => Number(t.trim()),
    () => NaN,
  );
  for (const pid of [hint, fromFile]) {
    const info = pid !== undefined && Number.isInteger(pid) ? await ownDaemon(layout, pid) : null;
    if (info) return info;
  }
  return null;
}

/**
 * SIGTERM, then SIGKILL after `graceMs`. dockerd stops its containers (each waits its
 * stop timeout) and its managed containerd, then removes the pidfile.
 */
export async function stopDaemon(layout: SandboxLayout, log: (line: string) => void, hint?: number, graceMs = 20_000): Promise<void> {
  const daemon = await findDaemon(layout, hint);
  if (!daemon) return;
  const { pid, startTime } = daemon;
  const gone = async (): Promise<boolean> => !(await isAlive(pid, startTime));
  signal(pid, 'SIGTERM');
  if (await waitUntil(gone, graceMs, 50)) return;
  log(`sandbox: dockerd ${pid} ignored SIGTERM for ${graceMs / 1000} s; killing it.`);
  signal(pid, 'SIGKILL');
  await waitUntil(gone, 5_000, 50);
  // A killed dockerd leaves its pidfile behind; remove it so nothing mistakes it for live.
  await rm(layout.pidFile, { force: true });
}

/**
 * What a crash or an OOM kill looks like: SIGKILL to dockerd and everything below it
 * (its managed containerd would otherwise hold the socket the next dockerd needs).
 */
export async function killDaemon(layout: SandboxLayout, hint?: number): Promise<void> {
  const daemon = await findDaemon(layout, hint);
  if (!daemon) return;
  const victims = [...descendants(await listProcesses(), [daemon.pid]), daemon];
  for (const p of victims) signal(p.pid, 'SIGKILL');
  await waitUntil(async () => !(await Promise.all(victims.map((p) => isAlive(p.pid, p.startTime)))).some(Boolean), 10_000, 50);
  // Orphans may linger as zombies until something reaps them, and the next dockerd
  // takes a pidfile naming a zombie (kill(pid, 0) succeeds) for a live containerd.
  await rm(layout.pidFile, { force: true });
  await rm(`${layout.execRoot}/containerd/containerd.pid`, { force: true });
}
