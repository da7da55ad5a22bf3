import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { EngineError } from '../core/errors.js';
import type { PlannedImage, UsageLevel } from '../gc/planned-image.js';
import { AgentUnavailable, type AgentMetrics, type AgentView, type PlanView } from '../agent-view.js';
import type { Asset } from './dashboard-assets.js';
import { fleetRows, type Peer } from './fleet.js';
import { checkHost } from './host-check.js';
import { hostSummary } from './host-summary.js';
import type { ListenAddress } from './listen.js';
import { Reuse } from './reuse.js';
import { parseUsageQuery } from './usage-query.js';

// The agent's HTTP side: health, Prometheus metrics, the dashboard and a JSON API over
// the AgentView. One route writes: POST /api/gc runs GC, and only on an agent with a
// token and with an explicit confirmation in the body, because it deletes images.
//
// Without a token, only requests addressed to a loopback name or the --listen address
// are answered (host-check.ts: DNS rebinding).
//
// Every response body is one line of JSON (or the metrics text); errors are
// {"error": "<sentence>"} with no stack, because these pages end up in dashboards,
// curl output and bug reports. Expected states (the engine away, nothing to measure)
// add `code: "unavailable"` and answer 503.

export interface WebOptions {
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  token: string | null;
  /** Where the agent listens: without a token, the one name besides loopback names that requests may address. */
  listen?: ListenAddress;
  /** unix ms; the default window of /api/usage and durations like `since=24h` count back from it. */
  now: () => number;
  /** Receives a failed handler's full error (with stack) for the agent's log; responses carry one line only. */
  log?: (message: string) => void;
  /** The dashboard's files (served at / and /assets/); absent: no dashboard. */
  assets?: Map<string, Asset>;
  /** Other agents for the fleet view (--peer). */
  peers?: Peer[];
  /** How peers are asked; tests pass their own. */
  fetch?: typeof fetch;
  /** A clock that never jumps (ms), for how long answers are reused (reuse.ts); tests pass their own. */
  monotonic?: () => number;
}

/** How long /metrics, /api/findings, /api/usage and /api/summary answers are reused: they change once per sample at most. */
const REUSE_MS = 1_000;
/** The peers' summaries: asked once per this, however many dashboards show the fleet. */
const FLEET_REUSE_MS = 5_000;

const ROUTES = '/healthz, /metrics, /, /api/host, /api/summary, /api/fleet, /api/findings, /api/usage, /api/images, /api/events, /api/restarts and /api/gc (POST /api/gc runs GC)';
const gcRequestSchema = z.object({ confirm: z.literal(true) });
const limitOf = (text: string | undefined, fallback: number): number => {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1_000) : fallback;
};

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();
const firstLine = (err: unknown): string => {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n', 1)[0]?.trim() || (err instanceof Error ? err.name : 'unknown error');
};

/** The dashboard's image row: the plan's entry with times as ISO strings and its verdict. */
function imageRow(p: PlannedImage, verdict: 'delete' | 'keep') {
  return {
    id: p.id,
    tags: p.tags,
    size: p.size,
    bytes: p.bytes,
    lastUsed: iso(p.lastUsed.at),
    lastUsedSource: p.lastUsed.source,
    firstSeen: iso(p.firstSeen.at),
    firstSeenSource: p.firstSeen.source,
    verdict,
    code: p.code,
    reason: p.reason,
  };
}

// Two decimals, as `dockwarden gc --json` prints them: the rest is measurement noise.
const level = (l: UsageLevel): UsageLevel => ({ usedPct: l.usedPct === null ? null : Math.round(l.usedPct * 100) / 100, imageBytes: l.imageBytes });

const json = (c: Context, body: Uint8Array<ArrayBuffer>) => c.body(body, 200, { 'Content-Type': 'application/json' });
const encoded = (value: unknown): Uint8Array<ArrayBuffer> => new TextEncoder().encode(JSON.stringify(value));

export function createWebApp(view: AgentView, metrics: AgentMetrics, opts: WebOptions): Hono {
  const app = new Hono();
  const clock = opts.monotonic ? { monotonic: opts.monotonic } : {};
  const reused = new Reuse({ ms: REUSE_MS, ...clock });
  const fleet = new Reuse({ ms: FLEET_REUSE_MS, ...clock });
  // Hash both sides so timingSafeEqual compares equal lengths and the time taken says
  // nothing about the token, not even its length.
  const expected = opts.token ? sha256(opts.token) : null;

  // The state each route last answered with (below), so that a dashboard polling an
  // agent that cannot plan logs one line when that begins, not one per poll.
  const states = new Map<string, string>();
  app.onError((err, c) => {
    const route = `${c.req.method} ${c.req.path}`;
    const error = `${route} failed: ${firstLine(err)}`;
    // The engine being away, or nothing to measure, is a state of the world, not a bug:
    // 503 says "try later", and the stack would say nothing.
    if (err instanceof AgentUnavailable || err instanceof EngineError) {
      if (states.get(route) !== error) opts.log?.(`web: ${error}`);
      states.set(route, error);
      return c.json({ error, code: 'unavailable' }, 503);
    }
    opts.log?.(`web: ${route} failed: ${err.stack ?? String(err)}`);
    return c.json({ error }, 500);
  });
  app.notFound((c) => c.json({ error: `There is no ${c.req.method} ${c.req.path} here; the agent serves GET ${ROUTES}.` }, 404));

  // Hono hands only Error instances to onError; anything else thrown would reach the
  // node adapter's bare 500. Wrapped here, it gets the same one-line JSON.
  app.use('*', async (c, next) => {
    try {
      await next();
    } catch (err) {
      throw err instanceof Error ? err : new Error(String(err));
    }
    // Answered again: the next unavailable state is news for the log.
    if (c.res.status < 400) states.delete(`${c.req.method} ${c.req.path}`);
  });
  if (expected === null) {
    app.use('*', async (c, next) => {
      const host = checkHost(c.req.header('host'), opts.listen ?? null);
      return host.ok ? next() : c.json({ error: host.reason }, 403);
    });
  }
  app.use('*', async (c, next) => {
    // Live state only: a proxy or browser cache must not serve yesterday's disk usage.
    c.header('Cache-Control', 'no-store');
    // /healthz stays open so that a probe (kubelet, swarm, load balancer) needs no secret;
    // the page and its scripts hold no data (they ask /api with the token the user gives).
    if (expected === null || c.req.path === '/healthz' || c.req.path === '/' || c.req.path.startsWith('/assets/')) return next();
    const given = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (given !== undefined && timingSafeEqual(sha256(given), expected)) return next();
    // RFC 6750 §3: say which scheme, and whether the token given was wrong.
    c.header('WWW-Authenticate', given === undefined ? 'Bearer realm="dockwarden"' : 'Bearer realm="dockwarden", error="invalid_token"');
    const why = given === undefined ? "needs an Authorization: Bearer <token> header with the agent's --token" : "was given a bearer token that is not the agent's --token";
    return c.json({ error: `This agent ${why}.` }, 401);
  });

  // Liveness, not readiness of Docker: 200 whenever the agent serves, with engineUp
  // telling the rest. A probe that failed while dockerd is down would have kubelet or
  // swarm restart the agent, which cannot bring dockerd back and would stop the drift
  // guard exactly when an engine restart needs watching. Alert on dockwarden_engine_up.
  app.get('/healthz', (c) => {
    const health = view.health();
    return c.json({ ok: true, engineUp: health.engineUp, lastSampleAt: iso(health.lastSampleAt) });
  });

  app.get('/metrics', async (c) => {
    // What the view already holds is read at scrape time, so it cannot go stale between
    // the agent's updates; samples, forecast and GC totals are pushed by the agent.
    const text = await reused.get('metrics', () => {
      metrics.setEngineUp(view.health().engineUp);
      metrics.setFindings(view.findings());
      return metrics.render();
    });
    return c.body(text, 200, { 'Content-Type': metrics.contentType });
  });

  app.get('/api/findings', (c) =>
    json(
      c,
      reused.get('findings', () => encoded({ findings: view.findings().map((f) => ({ ...f.finding, firstSeen: iso(f.firstSeen), lastSeen: iso(f.lastSeen) })) })),
    ),
  );

  // Samples keep `at` in unix ms: a chart wants numbers, and 1000 Date strings would
  // cost both sides for nothing.
  // Times relative to now count from the whole second, so that the dashboards asking for
  // the last day within one second share one answer.
  app.get('/api/usage', (c) => {
    const parsed = parseUsageQuery(c.req.query(), Math.floor(opts.now() / 1000) * 1000);
    if (!parsed.ok) return c.json({ error: parsed.error }, 400);
    const { since, until, points } = parsed.query;
    return json(
      c,
      reused.get(`usage ${since} ${until} ${points}`, () => {
        const usage = view.usage(since, until, points);
        return encoded({ since: iso(since), until: iso(until), samples: usage.samples, fullInSeconds: usage.fullInSeconds, fullInFs: usage.fullInFs });
      }),
    );
  });

  // A dry run: what GC would delete now (in deletion order) and then what it keeps, each
  // with its reason; scannedAt says how fresh the agent's look at the engine behind it is.
  // The body is made once per plan: a dashboard per operator asks for the same one.
  let images: { of: PlanView; body: Uint8Array<ArrayBuffer> } | null = null;
  app.get('/api/images', async (c) => {
    const planned = await view.gcPlan();
    if (images?.of !== planned) {
      const { plan } = planned;
      const body = encoded({
        images: [...plan.delete.map((p) => imageRow(p, 'delete')), ...plan.keep.map((p) => imageRow(p, 'keep'))],
        before: level(plan.before),
        after: level(plan.after),
        bytesToFree: plan.bytesToFree,
        predictedFreed: plan.predictedFreed,
        reachesTarget: plan.reachesTarget,
        summary: plan.summary,
        scannedAt: iso(planned.scannedAt),
      });
      images = { of: planned, body };
    }
    return json(c, images.body);
  });

  const assets = opts.assets;
  if (assets) {
    const serve = (name: string) => (c: Context) => {
      const asset = assets.get(name);
      return asset ? c.body(asset.body, 200, { 'Content-Type': asset.type }) : c.notFound();
    };
    app.get('/', serve('index.html'));
    app.get('/assets/:name', (c) => serve(c.req.param('name'))(c));
  }

  app.get('/api/host', (c) => {
    const health = view.health();
    return c.json({ host: view.hostName, ...view.engine(), health: { ...health, lastSampleAt: iso(health.lastSampleAt) }, gcFromDashboard: expected !== null });
  });

  const summary = () => reused.get('summary', () => hostSummary(view, opts.now()));
  app.get('/api/summary', (c) =>
    json(
      c,
      reused.get('summary body', () => encoded(summary())),
    ),
  );

  // This agent first, then every --peer as it answered (or why it did not).
  app.get('/api/fleet', async (c) => {
    const rows = await fleet.get('peers', () => fleetRows(opts.peers ?? [], { ...(opts.fetch ? { fetch: opts.fetch } : {}) }));
    return c.json({ hosts: [{ url: null, summary: summary(), error: null }, ...rows] });
  });

  app.get('/api/events', (c) =>
    c.json({ events: view.events(limitOf(c.req.query('limit'), 100)).map((e) => ({ at: iso(e.at), type: e.type, action: e.action, actorId: e.actorId, attributes: e.attributes })) }),
  );

  app.get('/api/restarts', (c) => {
    const { identities, forensics } = view.restarts(limitOf(c.req.query('limit'), 20));
    return c.json({ restarts: identities.map((i) => ({ ...i, at: iso(i.at) })), forensics });
  });

  app.get('/api/gc', (c) => c.json({ runs: view.gcRuns(limitOf(c.req.query('limit'), 20)).map((r) => ({ ...r, at: iso(r.at) })) }));

  app.post('/api/gc', async (c) => {
    if (expected === null) {
      return c.json({ error: 'Running GC from the dashboard needs the agent started with --token: without one, anyone who can reach it could delete images.' }, 403);
    }
    const body: unknown = await c.req.json().catch(() => null);
    if (!gcRequestSchema.safeParse(body).success) {
      return c.json({ error: 'POST /api/gc deletes images: send {"confirm": true} to say that is meant (GET /api/images shows what it would delete).' }, 400);
    }
    const run = await view.runGc();
    return c.json({ run: { ...run, at: iso(run.at) } });
  });

  return app;
}
