import { UsageError } from '../core/errors.js';
import type { ContextChoice } from './docker-context.js';

// Where the engine is, decided the way the docker CLI decides it: --host, then
// DOCKER_HOST, then the local sockets. Each strategy says why it did not apply, so an
// unreachable engine can be explained ("tried DOCKER_HOST: unset; tried
// /var/run/docker.sock: permission denied").

export type Endpoint =
  | { kind: 'unix'; url: string; socketPath: string }
  | {
      kind: 'tcp';
      url: string;
      host: string;
      port: number;
      /** DOCKER_TLS_VERIFY / DOCKER_CERT_PATH or a tcp port of 2376; a context's own material. */
      tls: TlsSettings | null;
    }
  | {
      kind: 'ssh';
      url: string;
      host: string;
      /** Only when the URL names them: otherwise ssh's own config (Port, User) decides, as for the docker CLI. */
      port: number | undefined;
      username: string | undefined;
    };

/** How to speak TLS to a tcp:// engine, decided as the docker CLI decides it. */
export interface TlsSettings {
  /** The directory holding ca.pem, cert.pem and key.pem. */
  certPath: string;
  /** Check the engine's certificate: against ca.pem when there is one, else the system's CAs. */
  verify: boolean;
  /** Who asked for TLS and chose the directory, for messages: "DOCKER_TLS_VERIFY", "docker context prod". */
  from: string;
  /**
   * With DOCKER_TLS_VERIFY the docker CLI refuses to go on without ca.pem; a context's
   * store holds only what `docker context create` was given (no ca: the system's CAs).
   * cert.pem and key.pem are always optional (an engine may not ask for a client
   * certificate), but one without the other is an error.
   */
  caRequired: boolean;
}

export interface EndpointChoice {
  endpoint: Endpoint;
  /** How it was chosen, then what was passed over, e.g. "DOCKER_HOST: unset". */
  attempts: string[];
}

/** The facts about the environment that decide the endpoint; passed in, never read here. */
export interface EndpointInputs {
  hostFlag?: string;
  env: Record<string, string | undefined>;
  homeDir: string;
  /** The docker context in force (DOCKER_CONTEXT, else config.json), already resolved by the caller. */
  context?: ContextChoice;
  /** Answers whether a local path is a socket we may try, and if not, why. */
  probeSocket: (path: string) => 'ok' | 'missing' | 'permission denied';
}

/** The local sockets engines listen on: rootful, rootless ($XDG_RUNTIME_DIR), Docker Desktop. */
function localSocketCandidates(inputs: EndpointInputs): string[] {
  const candidates = ['/var/run/docker.sock'];
  const runtimeDir = inputs.env['XDG_RUNTIME_DIR'];
  if (runtimeDir) candidates.push(`${runtimeDir}/docker.sock`);
  candidates.push(`${inputs.homeDir}/.docker/run/docker.sock`);
  return candidates;
}

export function chooseEndpoint(inputs: EndpointInputs): EndpointChoice {
  const attempts: string[] = [];
  if (inputs.hostFlag) {
    attempts.push(`--host: ${inputs.hostFlag}`);
    return { endpoint: parseHostUrl(inputs.hostFlag, '--host', inputs), attempts };
  }
  attempts.push('--host: not given');
  const dockerHost = inputs.env['DOCKER_HOST'];
  if (dockerHost) {
    attempts.push(`DOCKER_HOST: ${dockerHost}`);
    return { endpoint: parseHostUrl(dockerHost, 'DOCKER_HOST', inputs), attempts };
  }
  attempts.push('DOCKER_HOST: unset');
  if (inputs.context && inputs.context.host) {
    const { name, from, host, tls } = inputs.context;
    attempts.push(`docker context ${name} (${from}): ${host}${tls ? `, TLS material in ${tls.dir}${tls.skipVerify ? ', skip-tls-verify' : ''}` : ''}`);
    // A context carries its own TLS settings: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH only
    // ever apply to DOCKER_HOST, as in the docker CLI.
    const contextTls: TlsSettings | null = tls ? { certPath: tls.dir, verify: !tls.skipVerify, from: `docker context ${name}`, caRequired: false } : null;
    return { endpoint: parseHostUrl(host, `docker context ${name}`, inputs, contextTls), attempts };
  }
  attempts.push(inputs.context ? `docker context: ${inputs.context.name} (local socket)` : 'docker context: none');
  const candidates = localSocketCandidates(inputs);
  let firstDenied: string | undefined;
  for (const socketPath of candidates) {
    const state = inputs.probeSocket(socketPath);
    attempts.push(`${socketPath}: ${state === 'ok' ? 'found' : state}`);
    if (state === 'ok') return { endpoint: unixEndpoint(socketPath), attempts };
    if (state === 'permission denied') firstDenied ??= socketPath;
  }
  // Nothing answered: the default socket (or the one we may not open) is the one to
  // name in the error, since that is what the operator most likely expects.
  return { endpoint: unixEndpoint(firstDenied ?? candidates[0]!), attempts };
}

function unixEndpoint(socketPath: string): Endpoint {
  return { kind: 'unix', url: `unix://${socketPath}`, socketPath };
}

/**
 * Parses a Docker host URL as the docker CLI accepts it: unix://, tcp://, ssh://, or
 * host:port. `contextTls` is a context's own TLS setting (null: none); without it, TLS
 * comes from DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH.
 */
export function parseHostUrl(raw: string, from: string, inputs: Pick<EndpointInputs, 'env' | 'homeDir'>, contextTls?: TlsSettings | null): Endpoint {
  const value = raw.trim();
  if (value.startsWith('unix://')) {
    const socketPath = value.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new UsageError(`${from} ${raw} needs an absolute socket path, e.g. unix:///var/run/docker.sock.`);
    return unixEndpoint(socketPath);
  }
  if (value.startsWith('/')) return unixEndpoint(value);
  const withScheme = /^[a-z]+:\/\//.test(value) ? value : `tcp://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`${from} ${raw} is not a Docker host URL; use unix:///path, tcp://host:2376 or ssh://user@host.`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new UsageError(`${from} ${raw} names no host; use tcp://host:2376 or ssh://user@host.`);
  if (url.protocol === 'ssh:') {
    return {
      kind: 'ssh',
      url: value,
      host,
      port: url.port ? Number(url.port) : undefined,
      username: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} ${raw} has an unsupported scheme ${url.protocol}; use unix://, tcp:// or ssh://.`);
  }
  const tls = contextTls === undefined ? tlsFromEnv(inputs, url) : contextTls;
  const port = url.port ? Number(url.port) : tls || url.protocol === 'https:' ? 2376 : 2375;
  return {
    kind: 'tcp',
    url: `tcp://${url.host}`,
    host,
    port,
    // dockerode's habit, kept: an engine on the TLS port is spoken to in TLS even unasked.
    tls: tls ?? (contextTls === undefined && port === 2376 ? tlsFromEnv(inputs, url, true) : null),
  };
}

/**
 * Like the docker CLI: DOCKER_TLS_VERIFY (any value but "0") verifies the engine against
 * DOCKER_CERT_PATH/ca.pem (default ~/.docker), which must exist; DOCKER_TLS alone speaks
 * TLS without verifying. An https:// URL or port 2376 without either verifies against
 * ca.pem when there is one, else the system's CAs: never less safe than asked.
 */
function tlsFromEnv(inputs: Pick<EndpointInputs, 'env' | 'homeDir'>, url: URL, tlsPort = false): TlsSettings | null {
  const env = inputs.env;
  const verifyFlag = Boolean(env['DOCKER_TLS_VERIFY']) && env['DOCKER_TLS_VERIFY'] !== '0';
  const asked = verifyFlag ? 'DOCKER_TLS_VERIFY' : env['DOCKER_TLS'] ? 'DOCKER_TLS' : url.protocol === 'https:' ? 'https://' : tlsPort ? 'port 2376' : null;
  if (asked === null) return null;
  const certPath = env['DOCKER_CERT_PATH'] || `${inputs.homeDir}/.docker`;
  return {
    certPath,
    verify: asked !== 'DOCKER_TLS',
    from: `${asked}${env['DOCKER_CERT_PATH'] ? '' : ', DOCKER_CERT_PATH unset'}`,
    caRequired: verifyFlag,
  };
}
