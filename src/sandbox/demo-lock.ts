import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { currentProcessMarker } from './marker.js';
import { isAlive } from './proc.js';

// One `dockwarden demo` at a time: a second one would start a second engine on the same
// dashboard port and confuse whoever follows the printed commands. The lock names its
// owner by pid and start time (a reused pid is not the owner), so a demo killed with -9
// does not block the next one; its sandbox is removed by the next startSandbox.

export const DEMO_LOCK = existsSync('/run') ? '/run/dockwarden-demo.json' : '/tmp/dockwarden-demo.json';

export interface DemoOwner {
  pid: number;
  startTime: number | null;
  startedAt: string;
  /** Filled in once known: where the running demo can be seen. */
  dashboard?: string;
  dockerHost?: string;
}

export interface DemoLock {
  /** Records where the demo can be seen, for a second demo to point at. */
  update(more: Pick<DemoOwner, 'dashboard' | 'dockerHost'>): Promise<void>;
  release(): Promise<void>;
}

/** Takes the lock, or returns the live demo that holds it. */
export async function takeDemoLock(now: Date, path = DEMO_LOCK): Promise<DemoLock | { heldBy: DemoOwner }> {
  const self = await currentProcessMarker();
  const owner: DemoOwner = { pid: process.pid, startTime: self.ownerStart, startedAt: now.toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${JSON.stringify(owner)}\n`, { flag: 'wx', mode: 0o644 });
      return {
        update: (more) => writeFile(path, `${JSON.stringify({ ...owner, ...more })}\n`),
        release: () => rm(path, { force: true }),
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await readOwner(path);
    if (held && (await isAlive(held.pid, held.startTime ?? undefined))) return { heldBy: held };
    // Its owner is gone (or the file is not ours to read): take it over.
    await rm(path, { force: true });
  }
  throw new Error(`${path} came back while taking it over: another demo is starting; try again`);
}

async function readOwner(path: string): Promise<DemoOwner | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<DemoOwner>;
    return typeof value.pid === 'number' ? (value as DemoOwner) : null;
  } catch {
    return null;
  }
}
