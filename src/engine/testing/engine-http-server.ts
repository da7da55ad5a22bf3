import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EndpointChoice } from '../endpoint.js';

// A real node:http server on a temporary unix socket, answering as an engine would: the
// client's tests speak HTTP to it over a socket, as to dockerd, and count what it saw.

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface EngineHttpServer {
  socketPath: string;
  choice: EndpointChoice;
  /** "GET /v1.41/info?all=1", in arrival order. */
  requests: string[];
  /** Connections accepted so far. */
  connections: () => number;
  server: Server;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** dockerd's /_ping: "OK" in text, the API version in a header (engines before 1.25 sent none). */
export function ping(apiVersion: string | null): Route {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', ...(apiVersion ? { 'Api-Version': apiVersion } : {}) });
    res.end('OK');
  };
}

/** Routes by path without the /vX.Y (or libpod's /vX.Y.Z) prefix, e.g. "GET /info"; the first matching prefix wins. */
export async function startEngineHttpServer(routes: Record<string, Route>): Promise<EngineHttpServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dw-http-engine-'));
  const socketPath = join(dir, 'engine.sock');
  const requests: string[] = [];
  let connections = 0;
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://engine');
    const key = `${req.method} ${url.pathname.replace(/^\/v\d+(?:\.\d+)+/, '')}`;
    const route = Object.entries(routes).find(([k]) => key === k || key.startsWith(`${k}/`))?.[1];
    if (route) return route(req, res, url);
    json(res, 404, { message: `page not found: ${key}` });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    socketPath,
    choice: { endpoint: { kind: 'unix', url: `unix://${socketPath}`, socketPath }, attempts: [`--host: unix://${socketPath}`] },
    requests,
    connections: () => connections,
    server,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
