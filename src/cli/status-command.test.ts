import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { UsageSample } from '../store/agent-store.js';
import { runInProcess } from './testing/run-in-process.js';

const NOW = new Date('2026-11-25T10:15:00Z');
const GiB = 1024 ** 3;

let server: Server | undefined;
afterEach(() => server?.close());

/** An agent whose /api/usage answers one point, averaged over a minute as its downsampling does. */
async function agentAnswering(sample: UsageSample): Promise<string> {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(req.url?.startsWith('/api/findings') ? { findings: [] } : { samples: [sample], fullInSeconds: null }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('dockwarden status', () => {
  it('prints whole numbers of images and containers when the agent averaged them', async () => {
    const url = await agentAnswering({
      at: NOW.getTime() - 30_000,
      fsSizeBytes: 100 * GiB,
      fsAvailBytes: 40 * GiB,
      inodesTotal: null,
      inodesFree: null,
      images: 54.016666666666666,
      containers: 12.5,
      containersRunning: 7.4,
      containerdFsSizeBytes: null,
      containerdFsAvailBytes: null,
      containerdInodesTotal: null,
      containerdInodesFree: null,
    });
    const r = await runInProcess(['status', '--url', url], NOW);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('; 54 images, 7/13 containers running (sampled 30s ago)');
  });
});
