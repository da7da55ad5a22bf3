import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { openStore } from '../src/store/sqlite-store.js';

// bench/agent: what the agent costs the host it watches. RSS and CPU of `dockwarden
// agent` idle for 60 s (defaults: sample every 30 s, doctor + GC every 5 min), then while
// ~1,000 engine events a second (exec_create on a running container) pour in for 20 s, and how long
// after the last event it has them all in its store (lag). Targets: RSS < 80 MB, CPU < 1% idle.

const CLI = fileURLToPath(new URL('../bin/dockwarden.js', import.meta.url));
const IDLE_S = 60;
const LOAD_S = 20;
const EVENTS_PER_S = 1000;
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

/** CPU % and peak RSS of `pid` over `seconds`, while `during` runs. */
async function watch(pid: number, seconds: number, during: Promise<unknown> = Promise.resolve()): Promise<{ cpuPct: number; rssPeakMb: number; rssEndMb: number }> {
  const t0 = cpuTicks(pid);
  let peak = 0;
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    peak = Math.max(peak, rssMb(pid));
  }
  await during;
  return { cpuPct: ((cpuTicks(pid) - t0) / TICKS / seconds) * 100, rssPeakMb: peak, rssEndMb: rssMb(pid) };
}

function call(socketPath: string, agent: Agent, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, agent, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
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
async function pourEvents(socketPath: string, containerId: string): Promise<{ sent: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const start = performance.now();
  let sent = 0;
  for (let slice = 0; slice < LOAD_S * 100; slice++) {
    const wait = start + slice * 10 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await Promise.all(
      Array.from({ length: EVENTS_PER_S / 100 }, async () => {
        if ((await call(socketPath, agent, 'POST', `/containers/${containerId}/exec`, { Cmd: ['true'] })) === 201) sent++;
      }),
    );
  }
  agent.destroy();
  return { sent, seconds: (performance.now() - start) / 1000 };
}

export async function benchAgent(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-bench-agent-'));
  const db = join(dir, 'agent.db');
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb: 512 });
  const child = spawn(process.execPath, [CLI, 'agent', '--host', sandbox.dockerHost, '--db', db, '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    await sandbox.importImage('bench/events:base', { sizeBytes: 1024 * 1024 });
    const containerId = (await sandbox.docker(['run', '-d', '--name', 'events', 'bench/events:base', 'sleep', '3600'])).stdout.trim();
    for (let i = 0; i < 20; i++) await sandbox.importImage(`bench/img:${i}`, { sizeBytes: 256 * 1024 });
    await new Promise<void>((resolve, reject) => {
      let log = '';
      child.stderr.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('listening on')) resolve();
      });
      child.on('close', (code) => reject(new Error(`agent exited ${code}: ${log}`)));
    });
    const pid = child.pid as number;
    await new Promise((r) => setTimeout(r, 5000)); // past start-up work (first doctor, first sample)
    const idle = await watch(pid, IDLE_S);
    const pouring = pourEvents(sandbox.socketPath, containerId);
    const load = await watch(pid, LOAD_S, pouring);
    const { sent, seconds } = await pouring;
    // Lag: from the last event sent to the moment the store holds it.
    const lastSent = process.hrtime.bigint();
    const wallAtSend = BigInt(Date.now()) * 1_000_000n;
    const store = openStore(db, { now: () => Date.now() });
    let lagMs = NaN;
    for (let i = 0; i < 600; i++) {
      const last = store.lastEventTimeNano();
      if (last !== null && BigInt(last) >= wallAtSend - 50_000_000n) {
        lagMs = Number(process.hrtime.bigint() - lastSent) / 1e6;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    store.close();
    return [
      `agent idle ${IDLE_S} s: CPU ${idle.cpuPct.toFixed(2)}%, RSS ${idle.rssEndMb.toFixed(0)} MB (peak ${idle.rssPeakMb.toFixed(0)} MB) — targets < 1%, < 80 MB`,
      `agent under ${(sent / seconds).toFixed(0)} events/s for ${seconds.toFixed(0)} s: CPU ${load.cpuPct.toFixed(1)}%, RSS peak ${load.rssPeakMb.toFixed(0)} MB; caught up ${Number.isNaN(lagMs) ? 'never (30 s)' : `${lagMs.toFixed(0)} ms`} after the last event`,
    ];
  } finally {
    if (child.exitCode === null) {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    }
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
