import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { detachLoops, mountsUnder, unmountAll } from './disk.js';
import { findDaemon, stopDaemon } from './dockerd.js';
import { isAbandoned } from './marker.js';
import { layoutFor, SANDBOX_PARENT, SANDBOX_PREFIX, type SandboxLayout } from './options.js';
import { findPodmanService, PODMAN_PROGRAMS, stopPodmanService } from './podman-service.js';
import { descendants, listProcesses, programName, signal, waitUntil, type ProcInfo } from './proc.js';
import { getJson, ping, post } from './unix-http.js';

// Taking a sandbox apart from what is on disk and in /proc alone, so the same code stops
// a sandbox this process started and one a killed run left behind.

const DAEMON_PROGRAMS = new Set(['dockerd', 'containerd', 'containerd-shim-runc-v2', 'containerd-shim', 'docker-proxy', 'runc', ...PODMAN_PROGRAMS]);

/** dockerd, its containerd and the shims: every daemon process whose arguments name this sandbox. */
function belongsTo(p: ProcInfo, layout: SandboxLayout): boolean {
  if (!DAEMON_PROGRAMS.has(programName(p))) return false;
  const ns = layout.containerdNamespace;
  return p.argv.some((arg, i) => arg.includes(`${layout.dir}/`) || (arg === '-namespace' && (p.argv[i + 1] === ns || p.argv[i + 1] === `${ns}-p`)));
}

/**
 * Kills containers first: busybox `sleep` as PID 1 ignores SIGTERM (the kernel drops
 * default-action signals sent to a namespace's init), so dockerd would otherwise wait
 * each container's full 10 s stop timeout. Leaving swarm first keeps it from
 * rescheduling the tasks it sees dying.
 */
async function quiesce(layout: SandboxLayout, log: (line: string) => void): Promise<void> {
  const sock = layout.socketPath;
  if (!(await ping(sock))) return;
  try {
    const info = await getJson<{ Swarm?: { LocalNodeState?: string } }>(sock, '/info');
    if (info.Swarm?.LocalNodeState && info.Swarm.LocalNodeState !== 'inactive') {
      log('sandbox: leaving swarm.');
      await post(sock, '/swarm/leave?force=1', 30_000);
    }
    const running = await getJson<Array<{ Id: string }>>(sock, '/containers/json');
    await Promise.all(running.map((c) => post(sock, `/containers/${c.Id}/kill`).catch(() => {})));
  } catch (err) {
    log(`sandbox: could not quiesce the engine before stopping it: ${(err as Error).message}`);
  }
}

/** Whatever survived dockerd: its containerd, shims and the container processes under them. */
async function killLeftovers(layout: SandboxLayout, log: (line: string) => void): Promise<void> {
  const findOwn = async (): Promise<ProcInfo[]> => {
    const all = await listProcesses();
    const own = all.filter((p) => p.pid !== process.pid && belongsTo(p, layout));
    return [
      ...descendants(
        all,
        own.map((p) => p.pid),
      ),
      ...own,
    ];
  };
  const leftovers = await findOwn();
  if (leftovers.length === 0) return;
  log(`sandbox: killing leftover processes ${leftovers.map((p) => `${p.pid} (${programName(p)})`).join(', ')}.`);
  for (const p of leftovers) signal(p.pid, 'SIGKILL');
  await waitUntil(async () => (await findOwn()).length === 0, 5_000, 50);
}

/** A separate containerd (the packaged-host layout) is stopped as its service would be: SIGTERM, then a wait. */
async function stopSeparateContainerd(layout: SandboxLayout): Promise<void> {
  const own = (await listProcesses()).filter((p) => programName(p) === 'containerd' && p.argv.includes(layout.containerdConfig));
  for (const p of own) signal(p.pid, 'SIGTERM');
  if (own.length > 0) await waitUntil(async () => !(await listProcesses()).some((p) => own.some((o) => o.pid === p.pid)), 10_000, 50);
}

/** Stops dockerd (gracefully first), kills what survived, unmounts, detaches, deletes. */
export async function teardownDir(dir: string, log: (line: string) => void, knownPid?: number): Promise<void> {
  const layout = layoutFor(dir);
  await quiesce(layout, log);
  await stopDaemon(layout, log, knownPid);
  await stopSeparateContainerd(layout);
  await stopPodmanService(layout, log);
  await killLeftovers(layout, log);
  await unmountAll(dir, log);
  // The sandbox's own disk and every blank device handed out for plans.
  const images = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.img'));
  for (const image of images) await detachLoops(join(dir, image), log);
  const still = await mountsUnder(dir);
  // rm -rf would walk into a mounted filesystem; better to leave the directory behind.
  if (still.length > 0) throw new Error(`Could not unmount ${still.join(', ')}; left ${dir} in place. Run scripts/sandbox-cleanup.sh ${dir} later.`);
  await rm(dir, { recursive: true, force: true });
}

/** Sandbox directories in /tmp, named as startSandbox names them. */
export async function sandboxDirs(): Promise<string[]> {
  const entries = await readdir(SANDBOX_PARENT, { withFileTypes: true });
  const pattern = new RegExp(`^${SANDBOX_PREFIX}[0-9a-f]{8}$`);
  return entries.filter((e) => e.isDirectory() && pattern.test(e.name)).map((e) => join(SANDBOX_PARENT, e.name));
}

/** Tears down every sandbox whose owner died (or, detached, whose dockerd died). */
export async function cleanupStaleSandboxes(log: (line: string) => void): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of await sandboxDirs()) {
    const layout = layoutFor(dir);
    if (!(await isAbandoned(layout.markerPath, async () => (await findDaemon(layout)) !== null || (await findPodmanService(layout)) !== null))) continue;
    log(`sandbox: removing abandoned sandbox ${dir}.`);
    try {
      await teardownDir(dir, log);
      removed.push(dir);
    } catch (err) {
      log(`sandbox: ${(err as Error).message}`);
    }
  }
  return removed;
}
