import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/store/open-sqlite.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually, startAgentProcess } from '../support/agent-process.js';

// The agent restarted again and again against a real dockerd: each run resumes /events
// from the newest event it stored, and dockerd answers `since` inclusively, so the
// events at that nanosecond come again on every start. The store keeps each one once.

const MiB = 1024 * 1024;
let sandbox: Sandbox;
let dir: string;
let db: string;

/** What the store holds, read as `dockwarden status` would, from another connection. */
function storedEvents(): { total: number; distinct: number } {
  const conn = openSqlite(db, { readonly: true });
  try {
    return conn.prepare(`SELECT count(*) AS total, count(DISTINCT time_nano || ' ' || type || ' ' || action || ' ' || actor_id) AS "distinct" FROM events`).get() as {
      total: number;
      distinct: number;
    };
  } finally {
    conn.close();
  }
}

/** One agent run: until it has stored at least `atLeast` events and said so over HTTP, then SIGTERM. */
async function runOnce(atLeast: number): Promise<void> {
  const agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', db, '--interval', '1h', '--gc-interval', '1h', '--no-gc']);
  await eventually(async () => (await agent.get('/healthz')).json<{ engineUp: boolean }>().engineUp, 30_000, 'the agent to see the engine');
  await eventually(async () => (await agent.get('/api/events?limit=1000')).json<{ events: unknown[] }>().events.length >= atLeast, 30_000, `${atLeast} stored events`);
  // Replayed events arrive one by one after the connection: give a second copy time to land.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await agent.stop()).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-agent-restart-'));
  db = join(dir, 'agent.db');
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 256 });
  await sandbox.importImage('restart/img:1', { sizeBytes: 1 * MiB });
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent restarted against a sandbox engine', () => {
  it('stores each engine event once across five restarts', async () => {
    // The first run sees these happen; every later one resumes at the last of them.
    const agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', db, '--interval', '1h', '--gc-interval', '1h', '--no-gc']);
    await eventually(async () => (await agent.get('/healthz')).json<{ engineUp: boolean }>().engineUp, 30_000, 'the agent to see the engine');
    await sandbox.docker(['create', '--name', 'restart-a', 'restart/img:1', 'true']);
    await sandbox.docker(['tag', 'restart/img:1', 'restart/img:2']);
    await sandbox.docker(['rm', 'restart-a']);
    await eventually(async () => (await agent.get('/api/events?limit=1000')).json<{ events: unknown[] }>().events.length >= 3, 30_000, 'the events to be stored');
    expect(await agent.stop()).toBe(0);
    const stored = storedEvents();
    expect(stored.total).toBe(stored.distinct);

    for (let run = 0; run < 5; run++) await runOnce(stored.total);
    expect(storedEvents()).toEqual(stored);
  }, 180_000);
});
