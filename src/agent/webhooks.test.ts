import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import { alertPayload, postAlert } from './webhooks.js';

const drift: Finding = {
  id: 'data-root.drift',
  severity: 'critical',
  title: 'Docker Root Dir changed from /data/docker to /var/lib/docker',
  detail: 'The data is still there.',
  evidence: ['/data/docker still holds 120 images and 14 containers'],
  fix: { summary: 'Set data-root again.', commands: ['systemctl restart docker'] },
};

let server: Server | null = null;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A receiver that answers each request with the next status of `statuses`. */
async function receiver(statuses: number[]): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, bodies };
}

describe('webhooks', () => {
  it('carries the finding for scripts and a text line for Slack', () => {
    const p = alertPayload({ kind: 'new', finding: drift }, { hostName: 'worker-7', engineId: 'ABCD' }, 0);
    expect(p).toMatchObject({ kind: 'new', id: 'data-root.drift', severity: 'critical', host: 'worker-7', engineId: 'ABCD', fix: drift.fix });
    expect(p.text).toBe(
      ':rotating_light: [worker-7] critical: Docker Root Dir changed from /data/docker to /var/lib/docker (data-root.drift)\n• /data/docker still holds 120 images and 14 containers\nFix: Set data-root again.',
    );
    expect(alertPayload({ kind: 'resolved', finding: drift }, { hostName: 'worker-7', engineId: null }, 0).text).toMatch(/^:white_check_mark: \[worker-7\] resolved: /);
  });

  it('retries a receiver that fails with 5xx, and succeeds', async () => {
    const r = await receiver([503, 502, 200]);
    const log: string[] = [];
    const ok = await postAlert(r.url, alertPayload({ kind: 'new', finding: drift }, { hostName: 'h', engineId: null }, 0), { log: (l) => log.push(l), sleep: async () => undefined });
    expect(ok).toBe(true);
    expect(r.bodies).toHaveLength(3);
    expect(log).toEqual([]);
  });

  it('gives up at once on a 4xx, and says so', async () => {
    const r = await receiver([404]);
    const log: string[] = [];
    const ok = await postAlert(r.url, alertPayload({ kind: 'new', finding: drift }, { hostName: 'h', engineId: null }, 0), { log: (l) => log.push(l), sleep: async () => undefined });
    expect(ok).toBe(false);
    expect(r.bodies).toHaveLength(1);
    expect(log[0]).toMatch(/giving up on new data-root.drift \(HTTP 404\)/);
  });
});
