import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { logTail } from './dockerd.js';
import { enginePath, type EngineBuild } from './engines.js';
import { inNetns } from './namespaces.js';
import type { SandboxLayout } from './options.js';
import { waitUntil } from './proc.js';

// A containerd of the sandbox's own beside dockerd, the way packaged hosts run them
// (containerd.io or Debian's containerd: a service of its own, root /var/lib/containerd,
// and dockerd pointed at its socket). Its root sits on a filesystem of its own, so the
// filesystem that fills with images is not the data root's: what dockwarden must see.
// It survives dockerd restarts and crashes, as a system service does; teardown kills it.

/**
 * Config format 2 is read by containerd 1.7 and migrated by 2.x. The CRI plugin is off:
 * nothing here is Kubernetes, and it would look for CNI configuration on the host.
 */
export function containerdConfig(layout: SandboxLayout): string {
  return [
    'version = 2',
    `root = "${layout.containerdRoot}"`,
    `state = "${layout.containerdState}"`,
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = "${layout.containerdSocket}"`,
    '',
  ].join('\n');
}

const READY_TIMEOUT_MS = 30_000;

/** Starts it in the sandbox's network namespace, detached, and waits for its socket. */
export async function startContainerd(layout: SandboxLayout, engine: EngineBuild, log: (line: string) => void): Promise<void> {
  await mkdir(layout.containerdRoot, { recursive: true });
  await writeFile(layout.containerdConfig, containerdConfig(layout));
  const [program, args] = inNetns(layout.netnsPath, engine.containerd, ['--config', layout.containerdConfig]);
  log(`sandbox: ${program} ${args.join(' ')}`);
  const logFd = openSync(layout.containerdLog, 'a');
  let exited: string | null = null;
  try {
    const child = spawn(program, args, { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, PATH: enginePath(engine) } });
    child.on('exit', (code, sig) => (exited = sig ? `was killed by ${sig}` : `exited with code ${code}`));
    child.on('error', (err) => (exited = `could not start: ${err.message}`));
    child.unref();
    const isSocket = async () => (await stat(layout.containerdSocket).catch(() => null))?.isSocket() ?? false;
    const ready = await waitUntil(async () => exited !== null || (await isSocket()), READY_TIMEOUT_MS, 50);
    if (exited !== null || !ready) {
      const why = exited !== null ? `containerd ${exited}` : `containerd did not create ${layout.containerdSocket} within ${READY_TIMEOUT_MS / 1000} s`;
      throw new Error(`${why}. Last lines of ${layout.containerdLog}:\n${await logTail(layout.containerdLog)}`);
    }
  } finally {
    closeSync(logFd);
  }
}
