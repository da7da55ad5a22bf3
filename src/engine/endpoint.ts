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
      /** DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, or a tcp port of 2376. */
      tls: { certPath: string; verify: boolean } | null;
    }
  | { kind: 'ssh'; url: string; host: string; port: number; username: string | undefined };

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
    attempts.push(`docker context ${inputs.context.name} (${inputs.context.from}): ${inputs.context.host}`);
    return { endpoint: parseHostUrl(inputs.context.host, `docker context ${inputs.context.name}`, inputs), attempts };
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

/** Parses a Docker host URL as the docker CLI accepts it: unix://, tcp://, ssh://, or host:port. */
export function parseHostUrl(raw: string, from: string, inputs: Pick<EndpointInputs, 'env' | 'homeDir'>): Endpoint {
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
      port: url.port ? Number(url.port) : 22,
      username: url.username ? decodeURIComponent(url.username) : undefined,
    };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} ${raw} has an unsupported scheme ${url.protocol}; use unix://, tcp:// or ssh://.`);
  }
  const verify = Boolean(inputs.env['DOCKER_TLS_VERIFY']) && inputs.env['DOCKER_TLS_VERIFY'] !== '0';
  const port = url.port ? Number(url.port) : verify || url.protocol === 'https:' ? 2376 : 2375;
  // Like the docker CLI: TLS when DOCKER_TLS_VERIFY is set, or DOCKER_TLS, or the TLS port.
  const wantsTls = verify || Boolean(inputs.env['DOCKER_TLS']) || url.protocol === 'https:' || port === 2376;
  const certPath = inputs.env['DOCKER_CERT_PATH'] || `${inputs.homeDir}/.docker`;
  return {
    kind: 'tcp',
    url: `tcp://${url.host}`,
    host,
    port,
    tls: wantsTls ? { certPath, verify } : null,
  };
}
