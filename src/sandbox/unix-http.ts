import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

// A minimal Engine API client over the sandbox's unix socket. The sandbox needs only a
// handful of calls (ping, info, list/kill containers, leave swarm, import), and must work
// while dockerd is half up or half down, where short timeouts matter more than types.

export interface UnixResponse {
  status: number;
  body: string;
}

export interface UnixRequestOptions {
  body?: Readable;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export function unixRequest(socketPath: string, method: string, path: string, opts: UnixRequestOptions = {}): Promise<UnixResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: opts.headers, timeout: opts.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} on ${socketPath} timed out`)));
    req.on('error', reject);
    if (opts.body) {
      // A failed upload (daemon answered early with an error) surfaces through the response.
      pipeline(opts.body, req).catch((err: Error) => req.destroy(err));
    } else {
      req.end();
    }
  });
}

/** GET a JSON document; rejects on any non-2xx answer. */
export async function getJson<T>(socketPath: string, path: string, timeoutMs = 10_000): Promise<T> {
  const res = await unixRequest(socketPath, 'GET', path, { timeoutMs });
  if (res.status < 200 || res.status >= 300) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.trim()}`);
  return JSON.parse(res.body) as T;
}

/** POST without a body; rejects on any non-2xx answer. */
export async function post(socketPath: string, path: string, timeoutMs = 10_000): Promise<void> {
  const res = await unixRequest(socketPath, 'POST', path, { timeoutMs });
  if (res.status < 200 || res.status >= 300) throw new Error(`POST ${path}: HTTP ${res.status} ${res.body.trim()}`);
}

/** True when dockerd answers `GET /_ping` with OK. */
export async function ping(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    const res = await unixRequest(socketPath, 'GET', '/_ping', { timeoutMs });
    return res.status === 200;
  } catch {
    return false;
  }
}
