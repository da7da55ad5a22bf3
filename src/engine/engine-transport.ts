import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import { UsageError } from '../core/errors.js';
import type { Endpoint, TlsSettings } from './endpoint.js';

// How requests reach the engine: a keep-alive agent per endpoint kind (gc makes hundreds
// of requests, and each new connection costs a connect, a TLS handshake or an ssh login),
// and the options that address it. dockerd's HTTP server never closes an idle connection,
// so an idle one is closed here after a while: the agent runs for days, and a connection
// a firewall dropped silently would otherwise be found only by a request that times out.

const IDLE_CLOSE_MS = 60_000;
/** Sockets per engine: the callers bound their own concurrency; this bounds their sum. */
const MAX_SOCKETS = 16;

export interface Transport {
  /** The endpoint's URL, for messages. */
  readonly url: string;
  /** Whether a client certificate (cert.pem/key.pem) is offered: the TLS sentences differ. */
  readonly sentClientCert: boolean;
  /** Starts a request to `path` (with its query) on the engine. */
  request(method: string, path: string, extra: RequestOptions): ClientRequest;
  /** Closes every idle connection (and, for ssh://, its ssh process). */
  close(): void;
}

export interface TransportOptions {
  /** Per-request idle timeout; ssh's ConnectTimeout is derived from it. */
  timeoutMs: number;
}

/** node:https (with tls) and the ssh transport (with child_process) load only for the endpoints that use them. */
/**
 * Without TLS there is no server name to send: an empty one spares Node's agent working
 * one out from the Host header for every request (its first IPv6 test compiles a large
 * regular expression, ~9 ms of a CLI run).
 */
const NO_SNI = { servername: '' } as RequestOptions;

export async function openTransport(endpoint: Endpoint, opts: TransportOptions): Promise<Transport> {
  switch (endpoint.kind) {
    case 'unix':
      return transport(endpoint.url, false, new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }), httpRequest, { ...NO_SNI, socketPath: endpoint.socketPath });
    case 'ssh': {
      // One ssh process per connection: its stdin and stdout are the connection (ssh-stdio.ts).
      const { sshStdioAgent } = await import('./ssh-stdio.js');
      return transport(endpoint.url, false, sshStdioAgent(endpoint, opts.timeoutMs), httpRequest, { ...NO_SNI, host: 'docker', port: 80 });
    }
    case 'tcp': {
      const address = { host: endpoint.host, port: endpoint.port };
      if (!endpoint.tls) return transport(endpoint.url, false, new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }), httpRequest, { ...NO_SNI, ...address });
      const files = readTlsFiles(endpoint.url, endpoint.tls);
      const https = await import('node:https');
      const agent = new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS, ...files, rejectUnauthorized: endpoint.tls.verify });
      return transport(endpoint.url, Boolean(files.cert), agent, https.request, address);
    }
  }
}

function transport(url: string, sentClientCert: boolean, agent: HttpAgent, send: typeof httpRequest, address: RequestOptions): Transport {
  // Node's agent closes a free socket on its 'timeout': give the sockets it pooled one of
  // their own (after its keepSocketAlive set the agent's, i.e. none). A socket handed
  // straight to a waiting request keeps that request's timeout.
  agent.on('free', (socket: Socket) => {
    if (Object.values(agent.freeSockets).some((pool) => pool?.includes(socket))) socket.setTimeout(IDLE_CLOSE_MS);
  });
  return {
    url,
    sentClientCert,
    request: (method, path, extra) => send({ ...address, ...extra, agent, method, path }),
    close: () => agent.destroy(),
  };
}

/** ca.pem, cert.pem and key.pem from the TLS directory, as the docker CLI reads them. */
export function readTlsFiles(url: string, tls: TlsSettings): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const fix = tls.from.startsWith('docker context ')
    ? `create the context again with \`docker context create NAME --docker host=${url},ca=…,cert=…,key=…\``
    : 'set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem';
  const read = (name: string, required: boolean): Buffer | undefined => {
    const file = `${tls.certPath}/${name}`;
    try {
      return readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && !required) return undefined;
      throw new UsageError(`TLS is on for ${url} (${tls.from}) but ${file} cannot be read (${code}): ${fix}.`);
    }
  };
  const ca = read('ca.pem', tls.caRequired);
  const cert = read('cert.pem', false);
  const key = read('key.pem', false);
  if (Boolean(cert) !== Boolean(key)) {
    throw new UsageError(`TLS for ${url} (${tls.from}): ${tls.certPath} holds ${cert ? 'cert.pem but no key.pem' : 'key.pem but no cert.pem'}; a client certificate needs both: ${fix}.`);
  }
  return { ...(ca ? { ca } : {}), ...(cert && key ? { cert, key } : {}) };
}
