import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { contextEndpoint, contextMetaPath, contextTls, contextTlsDir, currentContextOf, type ContextChoice } from '../engine/docker-context.js';
import { chooseEndpoint, type EndpointChoice } from '../engine/endpoint.js';
import type { EngineApi } from '../engine/engine-api.js';

// The CLI edge of engine discovery: the one place that reads the environment and probes
// local sockets, then hands plain inputs to engine/.

function probeSocket(path: string): 'ok' | 'missing' | 'permission denied' {
  try {
    statSync(path);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : 'missing';
  }
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return 'ok';
  } catch {
    return 'permission denied';
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The docker context the docker CLI would use: DOCKER_CONTEXT, else config.json's currentContext. */
function dockerContext(env: NodeJS.ProcessEnv, homeDir: string): ContextChoice | undefined {
  const configDir = env['DOCKER_CONFIG'] || `${homeDir}/.docker`;
  const fromEnv = env['DOCKER_CONTEXT'];
  const fromConfig = fromEnv ? undefined : currentContextOf(readOrNull(`${configDir}/config.json`) ?? '{}');
  const name = fromEnv || fromConfig;
  if (!name) return undefined;
  const from = fromEnv ? 'DOCKER_CONTEXT' : `${configDir}/config.json`;
  if (name === 'default') return { name, from, host: null, tls: null };
  const metaPath = contextMetaPath(configDir, name);
  const endpoint = contextEndpoint(name, readOrNull(metaPath), metaPath);
  const tlsDir = contextTlsDir(configDir, name);
  return { name, from, host: endpoint.host, tls: contextTls(endpoint, tlsDir, isDirectory(tlsDir)) };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Who ssh logs in as when the URL names nobody: the local user, as `ssh host` does. */
function localUserName(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return env['USER'] || env['LOGNAME'] || undefined; // a uid without a passwd entry (containers)
  }
}

export function chooseEndpointFromEnv(hostFlag: string | undefined, env: NodeJS.ProcessEnv): EndpointChoice {
  const homeDir = homedir();
  // --host and DOCKER_HOST win over contexts, as in the docker CLI: read contexts only when needed.
  const context = hostFlag || env['DOCKER_HOST'] ? undefined : dockerContext(env, homeDir);
  return chooseEndpoint({ hostFlag, env, homeDir, probeSocket, context });
}

export async function connectFromEnv(choice: EndpointChoice, env: NodeJS.ProcessEnv): Promise<EngineApi> {
  // dockerode loads ssh2, grpc and protobufjs up front (about 150 ms here): only pay for
  // them when an engine is really needed, not for --help, --info or --facts.
  const { connectEngine } = await import('../engine/dockerode-engine.js');
  const timeout = Number(env['DOCKER_CLIENT_TIMEOUT']);
  return connectEngine(choice, {
    sshAuthSock: env['SSH_AUTH_SOCK'],
    sshUser: localUserName(env),
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
}
