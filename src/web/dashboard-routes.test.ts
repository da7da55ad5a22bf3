import { afterEach, describe, expect, it } from 'vitest';
import { loadDashboardAssets } from './dashboard-assets.js';
import type { Peer } from './fleet.js';
import { parseListen, startWebServer, type WebServer } from './listen.js';
import { createAgentMetrics } from './metrics.js';
import { createWebApp } from './server.js';
import { FakeAgentView, GB, NOW, sample, storedFinding } from './testing/fake-view.js';

// The dashboard's routes over real HTTP: the page itself, the header and summary, the
// fleet (peers faked at the fetch level), and the one route that writes, POST /api/gc.

let view: FakeAgentView;
let server: WebServer;

async function start(token: string | null, peers: Peer[] = [], fetchImpl?: typeof fetch): Promise<void> {
  view = new FakeAgentView();
  const app = createWebApp(view, createAgentMetrics(), { token, now: () => NOW, assets: loadDashboardAssets(), peers, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  server = await startWebServer(app, parseListen('127.0.0.1:0'));
}

const call = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

afterEach(async () => server?.close());

describe('dashboard routes', () => {
  it('serves the page and its assets without a token (they hold no data), and nothing else without one', async () => {
    await start('s3cret');
    const page = await call('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<html lang="en">');
    for (const asset of ['app.js', 'style.css', 'uplot.js', 'uplot.css']) expect((await call(`/assets/${asset}`)).status, asset).toBe(200);
    // Only the named files exist: a path that climbs out is just an unknown name.
    expect((await call('/assets/..%2F..%2Fpackage.json')).status).toBe(404);
    expect((await call('/api/host')).status).toBe(401);
  });

  it('summarises the host: worst finding, usage of the last sample, forecast', async () => {
    await start(null);
    view.openFindings = [storedFinding('logging.unbounded', 'warning'), storedFinding('data-root.drift', 'critical')];
    view.samples = [sample(NOW - 60_000, { fsSizeBytes: 100 * GB, fsAvailBytes: 12 * GB })];
    view.fullInSeconds = 7_200;
    const body = (await (await call('/api/summary')).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      host: 'worker-1',
      engineUp: true,
      driver: 'overlay2',
      usedPct: 88,
      fullInSeconds: 7_200,
      findings: { critical: 1, warning: 1, info: 0 },
      worst: { id: 'data-root.drift', severity: 'critical' },
    });
  });

  it('lists this agent and its peers; a peer that is down is a row that says why', async () => {
    const peerSummary = {
      host: 'worker-2',
      engineUp: true,
      engineVersion: '24.0.5',
      driver: 'overlay2',
      dataRoot: '/var/lib/docker',
      usedPct: 41.5,
      fullInSeconds: null,
      findings: { critical: 0, warning: 0, info: 1 },
      worst: null,
      lastSampleAt: null,
    };
    const asked: Array<{ url: string; auth: string | null }> = [];
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      asked.push({ url, auth: new Headers(init?.headers).get('authorization') });
      if (url.startsWith('http://worker-2')) return new Response(JSON.stringify(peerSummary), { status: 200 });
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    }) as typeof fetch;
    await start(
      null,
      [
        { url: 'http://worker-2:9476', token: 'peer-token' },
        { url: 'http://worker-3:9476', token: null },
      ],
      fakeFetch,
    );
    const { hosts } = (await (await call('/api/fleet')).json()) as { hosts: Array<{ url: string | null; summary: { host: string } | null; error: string | null }> };
    expect(hosts.map((h) => h.summary?.host ?? h.error)).toEqual(['worker-1', 'worker-2', 'unreachable (ECONNREFUSED)']);
    expect(asked).toEqual([
      { url: 'http://worker-2:9476/api/summary', auth: 'Bearer peer-token' },
      { url: 'http://worker-3:9476/api/summary', auth: null },
    ]);
  });

  it('refuses POST /api/gc on an agent without a token, whatever the body says', async () => {
    await start(null);
    const res = await call('/api/gc', { method: 'POST', body: JSON.stringify({ confirm: true }) });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('needs the agent started with --token');
    expect(view.gcRunsStarted).toBe(0);
  });

  it('runs GC only with the token and {"confirm": true}', async () => {
    await start('s3cret');
    view.nextRun = { at: NOW, trigger: 'manual', dryRun: false, beforePct: 91, afterPct: 79.5, deleted: 3, freedBytes: 2 * GB, kept: 9, failed: 0, summary: 'Deleted 3 images.' };
    expect((await call('/api/gc', { method: 'POST', body: '{"confirm":true}' })).status).toBe(401);
    expect((await call('/api/gc', { method: 'POST', headers: bearer('s3cret'), body: '{}' })).status).toBe(400);
    expect((await call('/api/gc', { method: 'POST', headers: bearer('s3cret'), body: '{"confirm":"yes"}' })).status).toBe(400);
    expect(view.gcRunsStarted).toBe(0);
    const ok = await call('/api/gc', { method: 'POST', headers: bearer('s3cret'), body: '{"confirm":true}' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ run: { trigger: 'manual', deleted: 3, at: new Date(NOW).toISOString() } });
    expect(view.gcRunsStarted).toBe(1);
    expect(((await (await call('/api/gc', { headers: bearer('s3cret') })).json()) as { runs: unknown[] }).runs).toHaveLength(1);
  });
});
