import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { attachBlankDisk } from './disk.js';
import { writeMarker } from './marker.js';
import { SANDBOX_PARENT, SANDBOX_PREFIX, type SandboxLayout } from './options.js';
import { teardownDir } from './teardown.js';

// What every kind of sandbox (dockerd, Podman) shares: a directory named so that
// cleanupStaleSandboxes and scripts/sandbox-cleanup.sh find it, the set of live ones a
// process must stop before it exits, blank devices for plans, detaching, and an
// idempotent stop that leaves nothing behind.

/** A fresh /tmp/dw-<8 hex> directory, private to root. */
export async function makeSandboxDir(): Promise<string> {
  await mkdir(SANDBOX_PARENT, { recursive: true });
  for (;;) {
    const dir = join(SANDBOX_PARENT, `${SANDBOX_PREFIX}${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/** Stops every sandbox in `live`, reporting every failure at once. */
export async function stopEvery(live: ReadonlySet<{ stop(): Promise<void> }>): Promise<void> {
  const results = await Promise.allSettled([...live].map((s) => s.stop()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length > 0) throw new Error(failed.map((f) => String((f.reason as Error).message)).join('\n'));
}

export abstract class SandboxLifecycle {
  private stopping: Promise<void> | null = null;
  private devices = 0;

  protected constructor(
    protected readonly layout: SandboxLayout,
    protected readonly log: (line: string) => void,
    private readonly live: Set<SandboxLifecycle>,
  ) {
    live.add(this);
  }

  get dir(): string {
    return this.layout.dir;
  }

  protected get stopped(): boolean {
    return this.stopping !== null;
  }

  /** The daemon's pid when known, so teardown need not trust a pidfile. */
  protected knownPid(): number | undefined {
    return undefined;
  }

  /** A blank block device (a sparse file on a loop device) for plans to format; detached by stop(). */
  async blankDevice(sizeMb: number): Promise<string> {
    return attachBlankDisk(join(this.layout.dir, `device-${++this.devices}.img`), sizeMb);
  }

  /** Leaves it running after this process exits (scripts/sandbox start); stopping every live one skips it. */
  async detach(): Promise<void> {
    await writeMarker(this.layout.markerPath, { ownerPid: null, ownerStart: null });
    this.live.delete(this);
  }

  /** Idempotent: daemon, mounts, loop devices and directory are gone when it resolves. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const t0 = performance.now();
      try {
        await teardownDir(this.layout.dir, this.log, this.knownPid());
      } finally {
        this.live.delete(this);
      }
      this.log(`sandbox: ${this.dir} stopped in ${Math.round(performance.now() - t0)} ms.`);
    })();
    return this.stopping;
  }
}
