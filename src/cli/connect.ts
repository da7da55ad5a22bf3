import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
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

export function chooseEndpointFromEnv(hostFlag: string | undefined, env: NodeJS.ProcessEnv): EndpointChoice {
  const homeDir = homedir();
  // --host and DOCKER_HOST win over contexts, as in the docker CLI: read contexts only when needed.
  const context = hostFlag || env['DOCKER_HOST'] ? undefined : dockerContext(env, homeDir);
  return chooseEndpoint({ hostFlag, env, homeDir, probeSocket, context });
}

export async function connectFromEnv(choice: EndpointChoice, env: NodeJS.ProcessEnv): Promise<EngineApi> {
  // Loaded when an engine is really needed, not for --help, --info or --facts.
  const { connectEngine } = await import('../engine/http-engine.js');
  // DOCKER_CLIENT_TIMEOUT is in seconds, as the docker CLI reads it; it never cuts the events stream.
  const timeout = Number(env['DOCKER_CLIENT_TIMEOUT']);
  return connectEngine(choice, Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {});
}
