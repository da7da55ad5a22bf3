import { accessSync, constants, statSync } from 'node:fs';
import { homedir } from 'node:os';
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

export function chooseEndpointFromEnv(hostFlag: string | undefined, env: NodeJS.ProcessEnv): EndpointChoice {
  return chooseEndpoint({ hostFlag, env, homeDir: homedir(), probeSocket });
}

export async function connectFromEnv(choice: EndpointChoice, env: NodeJS.ProcessEnv): Promise<EngineApi> {
  // dockerode loads ssh2, grpc and protobufjs up front (about 150 ms here): only pay for
  // them when an engine is really needed, not for --help, --info or --facts.
  const { connectEngine } = await import('../engine/dockerode-engine.js');
  const timeout = Number(env['DOCKER_CLIENT_TIMEOUT']);
  return connectEngine(choice, {
    sshAuthSock: env['SSH_AUTH_SOCK'],
    ...(Number.isFinite(timeout) && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
}
