import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { openStore } from '../src/store/sqlite-store.js';
import { untilListening } from '../test/support/agent-process.js';
import { seedMonth } from '../test/support/usage-history.js';
import { median } from './measure.js';

// bench/agent: what the agent costs the host it watches, on an engine holding IMAGES
// images, with a store holding a month of samples (as retention leaves them).
// - idle 60 s with the defaults (sample every 30 s, doctor + GC every 5 min): RSS, CPU;
// - ~1,000 engine events a second (exec_create on a running container) for 20 s, and how
//   long after the last event it has them all in its store;
// - CLIENTS concurrent HTTP clients, each asking a mix of /api/* and /metrics back to back
//   for 20 s, against an agent sampling every second: latency, errors, RSS peak, and how
//   late its samples were (read from its store afterwards).
// Targets (issue 13): idle RSS < 60 MB and CPU < 1%; under the requests p99 < 200 ms with
// samples on time.

const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));
const IMAGES = 100;
const IDLE_S = 60;
const LOAD_S = 20;
const EVENTS_PER_S = 1000;
const CLIENTS = 200;
const MIX = ['/api/findings', '/api/usage?since=24h', '/api/images', '/api/summary', '/metrics'];
const SAMPLE_INTERVAL_MS = 1000;
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

/** CPU % and RSS of `pid` over `seconds` (sampled every second), while `during` runs. */
async function watch(pid: number, seconds: number, during: Promise<unknown> = Promise.resolve()): Promise<{ cpuPct: number; rssPeakMb: number; rssMedianMb: number; rssEndMb: number }> {
  const t0 = cpuTicks(pid);
  const rss: number[] = [];
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    rss.push(rssMb(pid));
  }
  await during;
  return { cpuPct: ((cpuTicks(pid) - t0) / TICKS / seconds) * 100, rssPeakMb: Math.max(...rss), rssMedianMb: median(rss), rssEndMb: rssMb(pid) };
}

interface Call {
  socketPath?: string;
  host?: string;
  port?: number;
}

function call(to: Call, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ ...to, agent, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

/**
 * `exec_create` on a running container: one event per call, nothing written to disk by
 * dockerd (tags rewrite repositories.json and cap out near 150/s), and an event the agent
 * handles in full (a use of the container's image). EVENTS_PER_S in 10 ms slices.
 */
async function pourEvents(socketPath: string, containerId: string): Promise<{ sent: number; seconds: number; lastSentAt: bigint; lastSentWallNs: bigint }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const start = performance.now();
  let sent = 0;
  for (let slice = 0; slice < LOAD_S * 100; slice++) {
    const wait = start + slice * 10 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await Promise.all(
      Array.from({ length: EVENTS_PER_S / 100 }, async () => {
        if ((await call({ socketPath }, agent, 'POST', `/containers/${containerId}/exec`, { Cmd: ['true'] })) === 201) sent++;
      }),
    );
  }
  // The engine stamps an event before it answers the call that made it.
  const lastSentAt = process.hrtime.bigint();
  const lastSentWallNs = BigInt(Date.now()) * 1_000_000n;
  agent.destroy();
  return { sent, seconds: (performance.now() - start) / 1000, lastSentAt, lastSentWallNs };
}

/** Milliseconds from the last event sent until the store holds it; NaN when not within 30 s. */
async function untilStored(db: string, lastSentAt: bigint, lastSentWallNs: bigint): Promise<number> {
  const store = openStore(db, { now: () => Date.now() });
  try {
    for (let i = 0; i < 3000; i++) {
      const last = store.lastEventTimeNano();
      if (last !== null && BigInt(last) >= lastSentWallNs - 50_000_000n) return Number(process.hrtime.bigint() - lastSentAt) / 1e6;
      await new Promise((r) => setTimeout(r, 10));
    }
    return NaN;
  } finally {
    store.close();
  }
}

interface Hammered {
  requests: number;
  errors: number;
  firstError: string | null;
  latencies: number[];
  byPath: Map<string, number[]>;
  seconds: number;
}

/** CLIENTS clients on keep-alive connections, each sending the next request of MIX as soon as its last one is answered. */
async function hammer(url: URL, seconds: number): Promise<Hammered> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const to = { host: url.hostname, port: Number(url.port) };
  const out: Hammered = { requests: 0, errors: 0, firstError: null, latencies: [], byPath: new Map(MIX.map((p) => [p, []])), seconds };
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = client; performance.now() < end; i++) {
        const path = MIX[i % MIX.length]!;
        const t0 = performance.now();
        try {
          const status = await call(to, agent, 'GET', path);
          if (status !== 200) throw new Error(`${path}: HTTP ${status}`);
        } catch (err) {
          out.errors++;
          out.firstError ??= (err as Error).message;
        }
        const ms = performance.now() - t0;
        out.requests++;
        out.latencies.push(ms);
        out.byPath.get(path)!.push(ms);
      }
    }),
  );
  out.seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return out;
}

const pct = (xs: number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
};

/**
 * How late the samples taken between `from` and `to` were: the agent samples on the
 * wall-clock grid of its interval, so a sample's lag is how far its time is from a
 * multiple of the interval; a grid point without a sample is a missed one. The largest
 * gap between two samples says the same for an agent that does not keep to a grid.
 */
function sampleLag(db: string, from: number, to: number): { samples: number; missed: number; lagMaxMs: number; lagMedianMs: number; gapMaxMs: number } {
  const store = openStore(db, { now: () => Date.now() });
  const at = store.samples(from, to).map((s) => s.at);
  store.close();
  // Against the nearest grid point: a timer may fire a millisecond before the wall clock says it is due.
  const lags = at.map((t) => t - Math.round(t / SAMPLE_INTERVAL_MS) * SAMPLE_INTERVAL_MS);
  const gaps = at.slice(1).map((t, i) => t - at[i]!);
  const expected = Math.floor((to - from) / SAMPLE_INTERVAL_MS);
  return { samples: at.length, missed: Math.max(0, expected - at.length), lagMaxMs: Math.max(...lags), lagMedianMs: median(lags), gapMaxMs: Math.max(...gaps) };
}

async function startAgent(sandbox: Sandbox, db: string, extra: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: URL }> {
  const child = spawn(process.execPath, [CLI, 'agent', '--host', sandbox.dockerHost, '--db', db, '--listen', '127.0.0.1:0', ...extra], {
    env: { ...process.env, NODE_OPTIONS: process.env['BENCH_AGENT_NODE_OPTIONS'] ?? '' },
  });
  const { url } = await untilListening(child);
  return { child, url: new URL(url) };
}

async function stopAgent(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null) return;
  const closed = new Promise((r) => child.once('close', r));
  child.kill('SIGTERM');
  await closed;
}

function seededStore(dir: string, name: string): string {
  const db = join(dir, name);
  const store = openStore(db, { now: () => Date.now() });
  seedMonth(store, Date.now() - 60_000);
  store.close();
  return db;
}

export async function benchAgent(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-agent-'));
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 1024 });
  const children: ChildProcessWithoutNullStreams[] = [];
  try {
    await sandbox.importImage('bench/events:base', { sizeBytes: 1024 * 1024 });
    const containerId = (await sandbox.docker(['run', '-d', '--name', 'events', 'bench/events:base', 'sleep', '3600'])).stdout.trim();
    for (let i = 0; i < IMAGES - 1; i += 4) {
      await Promise.all(Array.from({ length: Math.min(4, IMAGES - 1 - i) }, (_, j) => sandbox.importImage(`bench/img-${i + j}:v1`, { sizeBytes: 128 * 1024 })));
    }

    // Idle, then events, with the defaults.
    const idleAgent = await startAgent(sandbox, seededStore(dir, 'idle.db'), []);
    children.push(idleAgent.child);
    const pid = idleAgent.child.pid as number;
    await new Promise((r) => setTimeout(r, 5000)); // past start-up work (first doctor, first sample)
    const idle = await watch(pid, IDLE_S);
    const pouring = pourEvents(sandbox.socketPath, containerId);
    const caughtUp = pouring.then((p) => untilStored(join(dir, 'idle.db'), p.lastSentAt, p.lastSentWallNs));
    const events = await watch(pid, LOAD_S, pouring);
    const { sent, seconds } = await pouring;
    const eventLagMs = await caughtUp;
    await stopAgent(idleAgent.child);

    // Requests, against an agent sampling every second.
    const loadDb = seededStore(dir, 'load.db');
    const loaded = await startAgent(sandbox, loadDb, ['--interval', `${SAMPLE_INTERVAL_MS / 1000}s`]);
    children.push(loaded.child);
    await new Promise((r) => setTimeout(r, 5000));
    // One round of the mix first: the agent's first answers (its first GC dry run) are not the load.
    for (const path of MIX) await call({ host: loaded.url.hostname, port: Number(loaded.url.port) }, new Agent(), 'GET', path);
    const rssBefore = rssMb(loaded.child.pid as number);
    const from = Date.now();
    const running = hammer(loaded.url, LOAD_S);
    const load = await watch(loaded.child.pid as number, LOAD_S, running);
    const to = Date.now();
    const h = await running;
    // The sample due at the end may still be on its way.
    await new Promise((r) => setTimeout(r, 2 * SAMPLE_INTERVAL_MS));
    const lag = sampleLag(loadDb, from, to);
    const byPath = [...h.byPath].map(([p, xs]) => `${p.replace(/\?.*/, '')} ${pct(xs, 99).toFixed(0)}`).join(', ');

    return [
      `agent idle ${IDLE_S} s (${IMAGES} images, a month of samples): CPU ${idle.cpuPct.toFixed(2)}%, RSS median ${idle.rssMedianMb.toFixed(0)} MB, peak ${idle.rssPeakMb.toFixed(0)} MB — targets < 1%, < 60 MB`,
      `agent under ${(sent / seconds).toFixed(0)} events/s for ${seconds.toFixed(0)} s: CPU ${events.cpuPct.toFixed(1)}%, RSS peak ${events.rssPeakMb.toFixed(0)} MB; caught up ${Number.isNaN(eventLagMs) ? 'never (30 s)' : `${eventLagMs.toFixed(0)} ms`} after the last event`,
      `agent under ${CLIENTS} concurrent clients (${MIX.join(' ')}) for ${h.seconds.toFixed(0)} s: ${(h.requests / h.seconds).toFixed(0)} req/s, p50 ${pct(h.latencies, 50).toFixed(0)} ms, p99 ${pct(h.latencies, 99).toFixed(0)} ms (p99 by path: ${byPath}), ${h.errors} errors${h.firstError ? ` (first: ${h.firstError})` : ''}; CPU ${load.cpuPct.toFixed(0)}%, RSS ${rssBefore.toFixed(0)} -> peak ${load.rssPeakMb.toFixed(0)} MB; samples every ${SAMPLE_INTERVAL_MS / 1000} s: ${lag.samples} taken, ${lag.missed} missed, lag median ${lag.lagMedianMs.toFixed(0)} ms, max ${lag.lagMaxMs.toFixed(0)} ms, largest gap ${lag.gapMaxMs.toFixed(0)} ms — targets p99 < 200 ms, samples on time`,
    ];
  } finally {
    for (const child of children) await stopAgent(child);
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
