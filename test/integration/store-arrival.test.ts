import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport } from '../../src/gc/gc-report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { openStore } from '../../src/store/sqlite-store.js';
import { eventually, startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { runCli } from '../support/run-cli.js';

// Issue 14, defect 2: an image the agent has known for an hour is deleted and loaded
// again; `gc --db STORE --min-age 60s` took it 0.7 s later, since the store's first
// sighting outlived the image. An image that leaves the engine and comes back has arrived
// again: gc must keep it as younger than --min-age.

const MiB = 1024 * 1024;
const HOUR = 3_600_000;
let sandbox: Sandbox;
let dir: string;
let agent: AgentProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-arrival-'));
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 256 });
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('an image deleted and loaded again while the agent watches', () => {
  it('is kept by gc --db --min-age 60s as newly arrived', async () => {
    const db = join(dir, 'dockwarden.db');
    const id = await sandbox.importImage('back/app:1', { sizeBytes: 1 * MiB });
    // What an agent that has watched this engine for an hour holds: the image pulled then.
    const seeded = openStore(db, { now: () => Date.now() });
    seeded.recordImageUse(id, Date.now() - HOUR, 'image pull event', 'arrival');
    seeded.close();

    agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', db, '--interval', '1s', '--gc-interval', '1h', '--no-gc']);
    const tar = join(dir, 'app.tar');
    await sandbox.docker(['save', '-o', tar, 'back/app:1']);
    await sandbox.docker(['rmi', 'back/app:1']);
    await sandbox.docker(['load', '-i', tar]);
    await eventually(
      async () => {
        const store = openStore(db, { now: () => Date.now(), access: 'reader' });
        try {
          const use = store.imageUses().get(id);
          return use?.lastUseSource === 'image load event' ? use : undefined;
        } finally {
          store.close();
        }
      },
      30_000,
      'the agent to record the load',
    );
    expect(await agent.stop()).toBe(0);
    agent = undefined;

    const r = await runCli(['--host', sandbox.dockerHost, 'gc', '--json', '--db', db, '--min-age', '60s', '--high', '0', '--low', '0']);
    const report = JSON.parse(r.stdout) as GcReport;
    expect(report.deleted.map((d) => d.id)).not.toContain(id);
    expect(report.kept.find((k) => k.id === id)).toMatchObject({ code: 'min-age' });
    expect((await sandbox.docker(['image', 'inspect', '--format', '{{.Id}}', 'back/app:1'])).stdout.trim()).toBe(id);
  }, 120_000);
});
