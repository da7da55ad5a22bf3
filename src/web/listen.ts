import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import { UsageError } from '../core/errors.js';

// Where the agent listens, and the rule of DESIGN.md: 127.0.0.1 by default, any other
// address needs a token, because /api/images and /metrics describe the host to whoever
// can reach them.

export const DEFAULT_LISTEN = '127.0.0.1:9476';

export interface ListenAddress {
  /** null: every interface (`:9476`, as Go and Prometheus exporters read it). */
  host: string | null;
  /** 0 picks a free port (tests). */
  port: number;
}

const FORMS = 'use HOST:PORT, such as 127.0.0.1:9476, :9476 (every interface), 0.0.0.0:9476, [::1]:9476 or localhost:9476';

/** `127.0.0.1:9476`, `:9476`, `0.0.0.0:9476`, `[::1]:9476`, `localhost:9476`. Throws UsageError. */
export function parseListen(text: string): ListenAddress {
  const t = text.trim();
  // IPv6 needs brackets: otherwise "::1:9476" has no telling where the address ends.
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(t);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen ${JSON.stringify(text)} is not an address to listen on: ${FORMS}.`);
  if (m[1] !== undefined) {
    if (isIP(m[1]) !== 6) throw new UsageError(`--listen ${JSON.stringify(text)}: ${m[1]} is not an IPv6 address; ${FORMS}.`);
    return { host: m[1].toLowerCase(), port };
  }
  const host = m[2] as string;
  if (host !== '' && isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(host)) {
    throw new UsageError(`--listen ${JSON.stringify(text)}: ${JSON.stringify(host)} is neither an IP address nor a host name; ${FORMS}.`);
  }
  return { host: host === '' ? null : host.toLowerCase(), port };
}

export function formatListen(listen: ListenAddress): string {
  if (listen.host === null) return `:${listen.port}`;
  return isIP(listen.host) === 6 ? `[${listen.host}]:${listen.port}` : `${listen.host}:${listen.port}`;
}

/**
 * Loopback only: 127.0.0.0/8, ::1 (also IPv4-mapped) and the name `localhost`, which
 * RFC 6761 reserves for loopback. Any other name may resolve to a public address.
 */
export function isLoopback(listen: ListenAddress): boolean {
  const h = listen.host;
  if (h === null) return false;
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.replace(/^::ffff:/, '');
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** DESIGN.md: any address beyond loopback needs a token. Throws UsageError. */
export function checkListenAuth(listen: ListenAddress, token: string | null): void {
  // A bearer token is one word (RFC 6750 token68): one with spaces could never be presented.
  if (token !== null && /\s/.test(token)) throw new UsageError('--token must not contain spaces or line breaks: clients send it as `Authorization: Bearer <token>`.');
  if (isLoopback(listen) || (token !== null && token !== '')) return;
  const at = formatListen(listen);
  throw new UsageError(
    `--listen ${at} is not a loopback address: give --token (or DOCKWARDEN_TOKEN) so that only holders of the token can read the API and metrics, or listen on 127.0.0.1:${listen.port}.`,
  );
}

export interface WebServer {
  /** The address actually bound (the real port when 0 was asked), e.g. `http://127.0.0.1:9476`. */
  url: string;
  close(): Promise<void>;
}

/** Why listen failed, in one line; null for errors that are not the user's to fix. */
function listenProblem(err: NodeJS.ErrnoException, at: string): string | null {
  switch (err.code) {
    case 'EADDRINUSE':
      return `--listen ${at}: the address is already in use (another dockwarden agent or another program listens there); stop it or choose another port.`;
    case 'EACCES':
      return `--listen ${at}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); choose a port above 1023.`;
    case 'EADDRNOTAVAIL':
      return `--listen ${at}: no network interface of this host has that address; use 127.0.0.1, 0.0.0.0 or one of the host's own addresses.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--listen ${at}: the host name does not resolve; use an IP address.`;
    default:
      return null;
  }
}

/** Anything that answers a Request as a hono app does (the app itself, or a wrapper in tests). */
export interface FetchApp {
  fetch(request: Request, env: HttpBindings): Response | Promise<Response>;
}

export function startWebServer(app: FetchApp, listen: ListenAddress): Promise<WebServer> {
  const at = formatListen(listen);
  // createAdaptorServer rather than serve(): serve() gives no hook for the listen error.
  // An HTTP/1 server (createAdaptorServer's default), so env is always HttpBindings.
  const server = createAdaptorServer({ fetch: (request, env) => app.fetch(request, env as HttpBindings) }) as Server;
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const problem = listenProblem(err, at);
      reject(problem === null ? err : new UsageError(problem));
    };
    server.once('error', onError);
    const ready = () => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const host = isIP(addr.address) === 6 ? `[${addr.address}]` : addr.address;
      resolve({
        url: `http://${host}:${addr.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err) => (err ? fail(err) : done()));
            // Shutdown should not wait for keep-alive connections or a slow GC dry run.
            server.closeAllConnections();
          }),
      });
    };
    if (listen.host === null) server.listen(listen.port, ready);
    else server.listen(listen.port, listen.host, ready);
  });
}
