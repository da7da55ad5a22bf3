import { request } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError } from '../core/errors.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import { planGc } from '../gc/plan-gc.js';
import { container, DAY, fsUsage, image, inventory, T0 } from '../gc/testing/build-inventory.js';
import { AgentUnavailable } from '../agent-view.js';
import { parseListen, startWebServer, type WebServer } from './listen.js';
import { createAgentMetrics, METRIC_NAMES } from './metrics.js';
import { createWebApp } from './server.js';
import { FakeAgentView, NOW, sample, storedFinding } from './testing/fake-view.js';

// Real HTTP against a server on 127.0.0.1:0, with the running agent faked.

let view: FakeAgentView;
let server: WebServer;
let logged: string[];
/** The app's monotonic clock (ms), for how long it reuses answers. */
let clock: number;

async function start(token: string | null = null): Promise<void> {
  view = new FakeAgentView();
  logged = [];
  clock = 0;
  const app = createWebApp(view, createAgentMetrics(), { token, now: () => NOW, log: (line) => logged.push(line), monotonic: () => clock });
  server = await startWebServer(app, parseListen('127.0.0.1:0'));
}

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers });
}

/** GET with the Host header a browser would send for another name (fetch sets its own). */
function getAs(host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers: { ...headers, host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        expect(text).not.toContain('\n');
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The body as JSON, after checking it is one line (no pretty-printing, no stack). */
async function json(res: Response): Promise<any> {
  const text = await res.text();
  expect(text).not.toContain('\n');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return JSON.parse(text);
}

afterEach(async () => {
  await server?.close();
});

describe('without a token', () => {
  beforeEach(() => start());

  it('GET /healthz: 200 with engineUp, also while the engine is down (liveness of the agent, not of dockerd)', async () => {
    expect(await json(await get('/healthz'))).toEqual({ ok: true, engineUp: true, lastSampleAt: new Date(NOW - 30_000).toISOString() });
    view.healthNow = { ...view.healthNow, engineUp: false, lastSampleAt: null };
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ ok: true, engineUp: false, lastSampleAt: null });
  });

  it('GET /metrics: every dockwarden metric in the text format, findings and engine state read from the view at scrape time', async () => {
    view.openFindings = [storedFinding('disk.pressure', 'critical'), storedFinding('logging.unbounded', 'warning')];
    let res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    let text = await res.text();
    for (const name of METRIC_NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('dockwarden_finding{id="disk.pressure",severity="critical"} 1');
    expect(text).toContain('dockwarden_finding{id="logging.unbounded",severity="warning"} 1');
    expect(text).toContain('dockwarden_engine_up 1');

    // The disk was cleaned up: its finding resolved and must vanish from the next scrape
    // (a scrape within the same second gets the same text: scrapes cost /proc reads).
    view.openFindings = [storedFinding('logging.unbounded', 'warning')];
    view.healthNow = { ...view.healthNow, engineUp: false };
    clock += 999;
    expect(await (await get('/metrics')).text()).toBe(text);
    clock += 1;
    text = await (await get('/metrics')).text();
    expect(text).not.toContain('disk.pressure');
    expect(text).toContain('dockwarden_finding{id="logging.unbounded",severity="warning"} 1');
    expect(text).toContain('dockwarden_engine_up 0');
  });

  it('GET /api/findings: each finding whole, with firstSeen and lastSeen as ISO times', async () => {
    view.openFindings = [storedFinding('data-root.drift', 'critical')];
    const body = await json(await get('/api/findings'));
    expect(body).toEqual({
      findings: [
        {
          ...storedFinding('data-root.drift', 'critical').finding,
          firstSeen: new Date(NOW - 3_600_000).toISOString(),
          lastSeen: new Date(NOW - 60_000).toISOString(),
        },
      ],
    });
    expect(Object.keys(body.findings[0])).toEqual(['id', 'severity', 'title', 'detail', 'evidence', 'fix', 'firstSeen', 'lastSeen']);
  });

  it('GET /api/usage: the last 24 h in 500 points by default, with the forecast', async () => {
    view.samples = [sample(NOW - 25 * 3_600_000), sample(NOW - 3_600_000), sample(NOW - 30_000)];
    view.fullInSeconds = 5400;
    const body = await json(await get('/api/usage'));
    expect(view.usageCalls).toEqual([{ since: NOW - 86_400_000, until: NOW, maxPoints: 500 }]);
    expect(body).toEqual({
      since: new Date(NOW - 86_400_000).toISOString(),
      until: new Date(NOW).toISOString(),
      samples: [sample(NOW - 3_600_000), sample(NOW - 30_000)],
      fullInSeconds: 5400,
      fullInFs: null,
    });
  });

  it.each([
    ['?since=2h', { since: NOW - 7_200_000, until: NOW, maxPoints: 500 }],
    ['?since=7d&until=1d&points=5000', { since: NOW - 7 * 86_400_000, until: NOW - 86_400_000, maxPoints: 5000 }],
    ['?since=2026-03-01T00:00:00Z&until=now', { since: Date.parse('2026-03-01T00:00:00Z'), until: NOW, maxPoints: 500 }],
    [`?since=${NOW - 60_000}&until=${NOW}&points=1`, { since: NOW - 60_000, until: NOW, maxPoints: 1 }],
  ])('GET /api/usage%s asks the view for that window', async (query, expected) => {
    expect((await get(`/api/usage${query}`)).status).toBe(200);
    expect(view.usageCalls).toEqual([expected]);
  });

  it.each([
    ['?since=yesterday', /^bad query: since "yesterday" is not a time: use an ISO time/],
    ['?since=1714567890', /^bad query: since "1714567890" is too small for unix milliseconds \(unix seconds\?/],
    ['?since=24x', /^bad query: since "24x" is not a time/],
    ['?points=0', /^bad query: points must be a whole number from 1 to 5000\.$/],
    ['?points=5001', /^bad query: points must be at most 5000\.$/],
    ['?points=2.5', /^bad query: points must be a whole number/],
    ['?points=many', /^bad query: points must be a whole number/],
    ['?point=100', /^bad query: unknown parameter point \(known: since, until, points\)\.$/],
    ['?since=1h&until=2h', /^bad query: since \(2026-03-01T11:00:00\.000Z\) must be before until \(2026-03-01T10:00:00\.000Z\)\.$/],
    ['?since=nope&points=0', /^bad query: since "nope" is not a time.*; points must be a whole number/],
  ])('GET /api/usage%s: 400 with one line that says what is wrong', async (query, message) => {
    const res = await get(`/api/usage${query}`);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatch(message);
    expect(view.usageCalls).toEqual([]);
  });

  it('GET /api/images: the dry run, images to delete first, each with its verdict, reason and times', async () => {
    const images = [image('old', { tags: ['old:1'], size: 3_000_000_000 }), image('app', { tags: ['app:2'], size: 2_000_000_000 }), image('fresh', { tags: ['fresh:1'], storedAt: T0 - 60_000 })];
    view.plan = planGc({ inventory: inventory({ images, containers: [container('app-1', 'app')] }), usage: fsUsage(90), policy: makeGcPolicy(), now: T0 });
    const body = await json(await get('/api/images'));
    expect(body.images.map((i: any) => [i.tags[0], i.verdict, i.code])).toEqual([
      ['old:1', 'delete', 'unused'],
      ['app:2', 'keep', 'in-use'],
      ['fresh:1', 'keep', 'min-age'],
    ]);
    expect(Object.keys(body.images[0])).toEqual(['id', 'tags', 'size', 'bytes', 'lastUsed', 'lastUsedSource', 'firstSeen', 'firstSeenSource', 'verdict', 'code', 'reason']);
    expect(body.images[0]).toMatchObject({ id: images[0]?.id, size: 3_000_000_000, bytes: 3_000_000_000, firstSeen: new Date(T0 - 30 * DAY).toISOString() });
    expect(body.images[0].reason).toMatch(/least recently used/);
    expect(body.before).toEqual({ usedPct: 90, imageBytes: null });
    expect(body.after.usedPct).toBeLessThan(90);
    expect(body.summary).toBe(view.plan.summary);
    expect(body).toMatchObject({ bytesToFree: view.plan.bytesToFree, predictedFreed: 3_000_000_000, reachesTarget: view.plan.reachesTarget });
  });

  it('answers an unknown route with 404 JSON that lists the routes', async () => {
    for (const res of [await get('/nope'), await fetch(`${server.url}/api/findings`, { method: 'POST' })]) {
      expect(res.status).toBe(404);
      expect((await json(res)).error).toMatch(/^There is no (GET \/nope|POST \/api\/findings) here; the agent serves GET \/healthz, \/metrics/);
    }
  });

  it('turns a failing handler into 500 with the first line of the error and no stack; the log gets the stack', async () => {
    const err = new Error('database disk image is malformed\nmore detail');
    view.failWith.findings = err;
    const res = await get('/api/findings');
    expect(res.status).toBe(500);
    const body = await json(res);
    expect(body).toEqual({ error: 'GET /api/findings failed: database disk image is malformed' });
    expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+/);
    expect(logged.join('\n')).toContain(err.stack as string);
  });

  it('answers 503 when the engine is away, and 500 for a thrown non-Error', async () => {
    view.failWith.gcPlan = new EngineError('Cannot reach the Docker engine at unix:///var/run/docker.sock: connect ENOENT.');
    let res = await get('/api/images');
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({ error: 'GET /api/images failed: Cannot reach the Docker engine at unix:///var/run/docker.sock: connect ENOENT.', code: 'unavailable' });

    view.failWith.usage = 'a string' as unknown as Error;
    res = await get('/api/usage');
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({ error: 'GET /api/usage failed: a string' });
  });
});

describe('expected states', () => {
  beforeEach(() => start());

  it('answers the agent being unable to plan with 503 and code "unavailable", logged once when it begins, not per poll', async () => {
    const plan = planGc({ inventory: inventory({ images: [image('old', { tags: ['old:1'] })] }), usage: fsUsage(90), policy: makeGcPolicy(), now: T0 });
    view.failWith.gcPlan = new AgentUnavailable('the engine at tcp://10.0.0.5:2375 is not on this host: start the agent with --budget SIZE to plan GC');
    for (let poll = 0; poll < 3; poll++) {
      const res = await get('/api/images');
      expect(res.status).toBe(503);
      expect(await json(res)).toEqual({
        error: 'GET /api/images failed: the engine at tcp://10.0.0.5:2375 is not on this host: start the agent with --budget SIZE to plan GC',
        code: 'unavailable',
      });
    }
    expect(logged).toEqual(['web: GET /api/images failed: the engine at tcp://10.0.0.5:2375 is not on this host: start the agent with --budget SIZE to plan GC']);

    // Another state is news; so is the same one again after the route answered.
    view.failWith.gcPlan = new AgentUnavailable('the engine at tcp://10.0.0.5:2375 has not answered yet');
    await get('/api/images');
    await get('/api/images');
    delete view.failWith.gcPlan;
    view.plan = plan;
    expect((await get('/api/images')).status).toBe(200);
    view.failWith.gcPlan = new AgentUnavailable('the engine at tcp://10.0.0.5:2375 has not answered yet');
    await get('/api/images');
    expect(logged.slice(1)).toEqual([
      'web: GET /api/images failed: the engine at tcp://10.0.0.5:2375 has not answered yet',
      'web: GET /api/images failed: the engine at tcp://10.0.0.5:2375 has not answered yet',
    ]);
  });
});

describe('the Host a request was sent to', () => {
  const TOKEN = 'tOk3n-0123456789abcdef';

  it.each(['evil.example:9476', 'evil.example', '192.168.1.20:9476', 'localhost.evil.example', '[::2]:9476'])(
    'without a token, refuses Host %s (a page reading the agent by DNS rebinding) with 403 and one line',
    async (host) => {
      await start();
      for (const path of ['/api/images', '/api/findings', '/metrics', '/healthz', '/']) {
        const res = await getAs(host, path);
        expect(res.status, path).toBe(403);
        expect(Object.keys(res.body)).toEqual(['error']);
        expect(res.body.error).toBe(
          `This agent has no --token, so it answers only requests addressed to localhost, 127.0.0.1, [::1] (this one had Host ${JSON.stringify(host)}): other names could be a web page reading it by DNS rebinding. Use one of those names, or start the agent with --token.`,
        );
      }
      expect(view.gcPlanCalls).toBe(0);
    },
  );

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]', '127.0.0.2'])('without a token, answers Host %s (with and without the port)', async (host) => {
    await start();
    const port = new URL(server.url).port;
    expect((await getAs(`${host}:${port}`, '/api/findings')).status).toBe(200);
    expect((await getAs(host, '/api/findings')).status).toBe(200);
  });

  it('with a token, answers any Host that brings the token, and asks the others for it', async () => {
    await start(TOKEN);
    expect(await getAs('evil.example:9476', '/api/findings', { authorization: `Bearer ${TOKEN}` })).toEqual({ status: 200, body: { findings: [] } });
    expect((await getAs('evil.example:9476', '/api/findings')).status).toBe(401);
  });
});

describe('with a token', () => {
  const TOKEN = 'tOk3n-0123456789abcdef';
  beforeEach(() => start(TOKEN));

  it.each(['/metrics', '/api/findings', '/api/usage', '/api/images', '/nope'])('GET %s without the token: 401 with WWW-Authenticate', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="dockwarden"');
    expect((await json(res)).error).toBe("This agent needs an Authorization: Bearer <token> header with the agent's --token.");
  });

  it.each([`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, 'Bearer x', `Bearer ${TOKEN.toUpperCase()}`])('rejects a wrong token (%s)', async (authorization) => {
    const res = await get('/api/findings', { authorization });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="dockwarden", error="invalid_token"');
  });

  it.each([`Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`, TOKEN, `Bearer`])('rejects other schemes and bare tokens (%s)', async (authorization) => {
    const res = await get('/api/findings', { authorization });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="dockwarden"');
  });

  it('accepts the token, the scheme in any case (RFC 7235)', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER  ${TOKEN} `]) {
      const res = await get('/api/findings', { authorization });
      expect(res.status, authorization).toBe(200);
      expect(await json(res)).toEqual({ findings: [] });
    }
    expect((await get('/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('leaves /healthz open so probes need no secret', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect((await json(res)).ok).toBe(true);
  });
});
