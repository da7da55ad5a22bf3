import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GcReport } from '../../src/gc/gc-report.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { eventually, startAgentProcess, startWebhookReceiver, type AgentProcess, type WebhookReceiver } from '../support/agent-process.js';
import { runCli } from '../support/run-cli.js';

// The agent against a real engine: it sees the engine come back on another data root
// (the apt-daily-upgrade story) and says so in /api/findings, /metrics and a webhook,
// and sees it resolved when the engine returns; it loses no event across a dockerd
// crash; and what it records makes gc's LRU order right after the engine forgot.

const MiB = 1024 * 1024;
let sandbox: Sandbox;
let agent: AgentProcess;
let hook: WebhookReceiver;
let dir: string;
let db: string;

interface ApiFinding {
  id: string;
  severity: string;
  evidence: string[];
}

const findings = async () => (await agent.get('/api/findings')).json<{ findings: ApiFinding[] }>().findings;
const drift = async () => (await findings()).find((f) => f.id === 'data-root.drift');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dw-agent-'));
  db = join(dir, 'agent.db');
  sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512 });
  for (let i = 1; i <= 6; i++) await sandbox.importImage(`drift/img:${i}`, { sizeBytes: 1 * MiB });
  hook = await startWebhookReceiver();
  agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', db, '--interval', '1s', '--gc-interval', '1h', '--no-gc', '--webhook', hook.url]);
  await eventually(async () => (await agent.get('/healthz')).json<{ engineUp: boolean }>().engineUp, 30_000, 'the agent to see the engine');
}, 120_000);

afterAll(async () => {
  if (agent) expect(await agent.stop()).toBe(0);
  await hook?.close();
  await sandbox?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent on a sandbox engine', () => {
  it('flags data-root drift within 30 s in the API, a webhook and /metrics, and resolves it when the engine returns', async () => {
    const rootA = sandbox.dataRoot;
    await sandbox.restart({ dataRoot: join(sandbox.mountPoint, 'docker-b') });
    const found = await eventually(drift, 30_000, 'data-root.drift in /api/findings');
    expect(found.severity).toBe('critical');
    expect(found.evidence).toContain(`${rootA} still holds 6 images and 0 containers`);
    const posted = await eventually(async () => hook.received.find((p) => p['id'] === 'data-root.drift' && p['kind'] === 'new'), 10_000, 'the webhook');
    expect(posted['text']).toMatch(/data-root.drift/);
    expect((await agent.get('/metrics')).body).toMatch(/dockwarden_finding\{id="data-root.drift",severity="critical"\} 1/);

    await sandbox.restart({ dataRoot: rootA });
    await eventually(async () => (await drift()) === undefined, 30_000, 'the drift to resolve');
    await eventually(async () => hook.received.find((p) => p['id'] === 'data-root.drift' && p['kind'] === 'resolved'), 10_000, 'the resolved webhook');
    expect((await agent.get('/metrics')).body).not.toMatch(/dockwarden_finding\{id="data-root.drift"/);
  }, 120_000);

  it('records the image of a container created right after dockerd was killed and restarted', async () => {
    const id = await sandbox.importImage('reconnect/img:1', { sizeBytes: 1 * MiB });
    await sandbox.crash();
    await sandbox.restart();
    const before = Date.now();
    await sandbox.docker(['create', '--name', 'after-restart', 'reconnect/img:1', 'true']);
    const plan = await eventually(
      async () => {
        const images = (await agent.get('/api/images')).json<{ images: { id: string; lastUsed: string; lastUsedSource: string }[] }>().images;
        const img = images.find((i) => i.id === id);
        return img && img.lastUsedSource === 'recorded by the agent' && Date.parse(img.lastUsed) >= before - 1000 ? img : undefined;
      },
      30_000,
      'the container create to be recorded',
    );
    expect(plan.lastUsedSource).toBe('recorded by the agent');
  }, 120_000);

  it("orders gc by the agent's record once the engine has forgotten its events", async () => {
    // Y arrives last but is used first; X arrives first and is used last. Without the
    // agent, arrival order would make X the older one.
    const x = await sandbox.importImage('lru/x:1', { sizeBytes: 1 * MiB });
    const y = await sandbox.importImage('lru/y:1', { sizeBytes: 1 * MiB });
    await sandbox.docker(['run', '--rm', 'lru/y:1', 'true']);
    await new Promise((r) => setTimeout(r, 1100));
    await sandbox.docker(['run', '--rm', 'lru/x:1', 'true']);
    await eventually(
      async () => {
        const images = (await agent.get('/api/images')).json<{ images: { id: string; lastUsedSource: string }[] }>().images;
        return images.filter((i) => (i.id === x || i.id === y) && i.lastUsedSource === 'recorded by the agent').length === 2;
      },
      30_000,
      'both uses to be recorded',
    );
    // A restart empties the engine's event buffer: only the agent remembers now.
    await sandbox.restart();
    const order = async (extra: string[]) => {
      const r = await runCli(['--host', sandbox.dockerHost, 'gc', '--json', '--dry-run', '--min-age', '0', '--high', '0', '--low', '0', '--keep', '^(drift|reconnect)/', ...extra]);
      const ids = (JSON.parse(r.stdout) as GcReport).deleted.map((d) => d.id);
      return ids.filter((i) => i === x || i === y);
    };
    expect(await order(['--db', db])).toEqual([y, x]);
    expect(await order([])).toEqual([x, y]);
  }, 120_000);

  it('stops on SIGTERM with exit 0, and `status` reads its store afterwards', async () => {
    expect(await agent.stop()).toBe(0);
    const r = await runCli(['status', '--db', db, '--json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { source: string; latest: { images: number } | null };
    expect(report.source).toBe(db);
    expect(report.latest?.images).toBeGreaterThan(0);
    agent = await startAgentProcess(['--host', sandbox.dockerHost, '--db', db, '--interval', '1s', '--gc-interval', '1h', '--no-gc']);
  }, 60_000);
});
