import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { descendants, isAlive, listProcesses, procInfo, signal, waitUntil } from '../../src/sandbox/proc.js';

// A scratch directory under /tmp that names the test process owning it, so that the next
// run can take apart what a killed run left behind: the directory and every process whose
// arguments name it (sshd -f DIR/sshd_config, ssh-agent -a DIR/agent.sock, an agent's
// --db DIR/agent.db), with their children. The sandbox does the same for its dockerd.

const OWNER_FILE = 'owner';

/** Creates /tmp/<prefix>XXXXXX owned by this process, after removing abandoned ones of the same prefix. */
export async function makeOwnedDir(prefix: string): Promise<string> {
  await sweepAbandoned(prefix);
  const dir = await mkdtemp(join('/tmp', prefix));
  const self = await procInfo(process.pid);
  await writeFile(join(dir, OWNER_FILE), `${process.pid} ${self?.startTime ?? ''}\n`);
  return dir;
}

/** Kills every process that names `dir` in its arguments (children first), then deletes it. */
export async function removeOwnedDir(dir: string): Promise<void> {
  const mine = async () => {
    const all = await listProcesses();
    const naming = all.filter((p) => p.pid !== process.pid && p.argv.some((a) => a.includes(`${dir}/`) || a === dir));
    return [
      ...descendants(
        all,
        naming.map((p) => p.pid),
      ),
      ...naming,
    ];
  };
  const victims = await mine();
  for (const p of victims) signal(p.pid, 'SIGKILL');
  await waitUntil(async () => !(await Promise.all(victims.map((p) => isAlive(p.pid, p.startTime)))).some(Boolean), 5_000, 50);
  await rm(dir, { recursive: true, force: true });
}

async function sweepAbandoned(prefix: string): Promise<void> {
  const names = (await readdir('/tmp')).filter((n) => n.startsWith(prefix));
  for (const name of names) {
    const dir = join('/tmp', name);
    const owner = await readFile(join(dir, OWNER_FILE), 'utf8').catch(() => null);
    // No owner file: not ours, or not written yet by a run starting this very moment.
    if (owner === null) continue;
    const [pid, start] = owner.trim().split(' ').map(Number);
    if (pid !== undefined && Number.isInteger(pid) && (await isAlive(pid, Number.isInteger(start) ? start : undefined))) continue;
    await removeOwnedDir(dir);
  }
}
