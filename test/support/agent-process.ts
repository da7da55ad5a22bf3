import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI } from './run-cli.js';
import { childEnv } from './run-command.js';

// `dockwarden agent` as a real process, the way systemd runs it: started with flags,
// talked to over HTTP, stopped with SIGTERM. Plus a webhook receiver to catch its alerts.

export interface AgentProcess {
  url: string;
  log: () => string;
  get(path: string, token?: string): Promise<{ status: number; body: string; json: <T>() => T }>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Waits for a spawned agent to say where it listens; its stderr so far, and its exit. */
export async function untilListening(child: ChildProcessWithoutNullStreams): Promise<{ url: string; log: () => string; exited: Promise<number | null> }> {
  let stderr = '';
  child.stdout.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the agent did not start listening in 30 s:\n${stderr}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/[^\s,]+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the agent exited ${code} before listening:\n${stderr}`));
    });
  });
  return { url, log: () => stderr, exited };
}

export async function startAgentProcess(args: string[], env: Record<string, string> = {}): Promise<AgentProcess> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, 'agent', '--listen', '127.0.0.1:0', ...args], {
    env: childEnv({ PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', NO_COLOR: '1', ...env }),
  });
  const { url, log, exited } = await untilListening(child);
  return {
    url,
    log,
    async get(path, token) {
      const res = await fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const body = await res.text();
      return { status: res.status, body, json: <T>() => JSON.parse(body) as T };
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface WebhookReceiver {
  url: string;
  received: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Record<string, unknown>[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
