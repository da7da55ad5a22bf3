import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageSample } from '../store/agent-store.js';
import { type FetchApp, parseListen, startWebServer, type WebServer } from './listen.js';
import { createAgentMetrics } from './metrics.js';
import { createWebApp } from './server.js';
import { FakeAgentView, GB, NOW, sample } from './testing/fake-view.js';

// The dashboard asks for a month of usage on every load. The store downsamples (its
// job, measured with the store); this measures what the route adds on top: query
// parsing, building the response and serialising 1000 points.

const DAYS = 30;
const EVERY_MS = 30_000;
const POINTS = 1000;

/** 30 days of 30 s samples (86,400), a disk filling slowly with daily cleanups. */
function month(): UsageSample[] {
  const out: UsageSample[] = [];
  const start = NOW - DAYS * 86_400_000;
  for (let at = start; at <= NOW; at += EVERY_MS) {
    const hourOfDay = ((at - start) / 3_600_000) % 24;
    out.push(sample(at, { fsAvailBytes: Math.round(60 * GB - hourOfDay * 1.5 * GB + Math.sin(at) * 1e6), images: 16 + Math.floor(hourOfDay / 3) }));
  }
  return out;
}

/** Means over equal time buckets, as the store returns them. */
function downsample(samples: UsageSample[], points: number): UsageSample[] {
  const first = (samples[0] as UsageSample).at;
  const width = ((samples[samples.length - 1] as UsageSample).at - first + 1) / points;
  const buckets: UsageSample[][] = Array.from({ length: points }, () => []);
  for (const s of samples) buckets[Math.min(points - 1, Math.floor((s.at - first) / width))]?.push(s);
  const mean = (b: UsageSample[], key: keyof UsageSample) => Math.round(b.reduce((sum, s) => sum + ((s[key] as number | null) ?? 0), 0) / b.length);
  return buckets.filter((b) => b.length > 0).map((b) => ({
    at: mean(b, 'at'),
    fsSizeBytes: mean(b, 'fsSizeBytes'),
    fsAvailBytes: mean(b, 'fsAvailBytes'),
    inodesTotal: mean(b, 'inodesTotal'),
    inodesFree: mean(b, 'inodesFree'),
    images: mean(b, 'images'),
    imageBytes: mean(b, 'imageBytes'),
    containers: mean(b, 'containers'),
    containersRunning: mean(b, 'containersRunning'),
  }));
}

function stats(ms: number[]): { median: number; p95: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { median: at(0.5), p95: at(0.95) };
}

async function time(runs: number, once: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 30; i++) await once(); // warm up the JIT and the connection pool
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

describe('GET /api/usage with a month of 30 s samples, downsampled to 1000 points', () => {
  const view = new FakeAgentView();
  const app = createWebApp(view, createAgentMetrics(), { token: null, now: () => NOW });
  let server: WebServer;
  const query = `/api/usage?since=${DAYS}d&points=${POINTS}`;
  // Two clocks per request, both on the server. `route`: from the request reaching the
  // app until its Response exists (query, view call, JSON of 1000 points) - what this
  // route adds. `server`: until the body has been handed to the socket (end() returns),
  // the adapter and the kernel's loopback copy included. A 'finish' timer would also
  // count the client, which reads the same 188 KiB in this process and event loop.
  const routeMs: number[] = [];
  const serverMs: number[] = [];
  const timed: FetchApp = {
    async fetch(req, env) {
      const t0 = performance.now();
      const out = env.outgoing;
      const end = out.end.bind(out) as (...args: unknown[]) => typeof out;
      out.end = ((...args: unknown[]) => {
        const r = end(...args);
        serverMs.push(performance.now() - t0);
        return r;
      }) as typeof out.end;
      const res = await app.fetch(req, env);
      routeMs.push(performance.now() - t0);
      return res;
    },
  };

  beforeAll(async () => {
    const raw = month();
    expect(raw.length).toBe(DAYS * 2880 + 1);
    view.fixedUsage = { samples: downsample(raw, POINTS), fullInSeconds: 3.5 * 86_400 };
    expect(view.fixedUsage.samples).toHaveLength(POINTS);
    server = await startWebServer(timed, parseListen('127.0.0.1:0'));
  });
  afterAll(() => server.close());

  it('adds under 5 ms to what the view takes (median)', async () => {
    const text = await (await fetch(`${server.url}${query}`)).text();
    expect(JSON.parse(text).samples).toHaveLength(POINTS);
    const measure = async (path: string) => {
      routeMs.length = 0;
      serverMs.length = 0;
      const roundTrip = await time(200, async () => (await fetch(`${server.url}${path}`)).text());
      // The first 30 were the warm-up.
      return { route: stats(routeMs.slice(30)), server: stats(serverMs.slice(30)), roundTrip };
    };
    const usage = await measure(query);
    const health = await measure('/healthz');
    const f = (s: { median: number; p95: number }) => `${s.median.toFixed(2)} ms (p95 ${s.p95.toFixed(2)})`;
    console.log(
      `/api/usage, ${POINTS} points, ${(text.length / 1024).toFixed(0)} KiB: route ${f(usage.route)}, server ${f(usage.server)}, round trip ${f(usage.roundTrip)}; ` +
        `/healthz: route ${f(health.route)}, server ${f(health.server)}, round trip ${f(health.roundTrip)}`,
    );
    expect(usage.route.median).toBeLessThan(5);
    // Loose, against regressions such as pretty-printed JSON or a streamed body; the
    // socket write's share depends on the machine.
    expect(usage.server.median).toBeLessThan(10);
  });
});
