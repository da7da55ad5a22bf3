import { EngineError } from '../core/errors.js';
import { engineNeedsNewerApi } from './api-version.js';
import type { Endpoint } from './endpoint.js';

// Turns what a request to the engine fails with (Node's socket errors, an HTTP status
// with the engine's JSON message, the ssh transport's sentences) into one EngineError
// whose message is a whole sentence with the cause and the fix.

/** A failure whose message is already the whole sentence: the ssh transport's. */
export class TransportFailure extends Error {
  override readonly name = 'TransportFailure';
}

/** The engine answered with a status other than 2xx. `said`: its JSON `message`, else its body, else the status text. */
export class ApiStatusError extends Error {
  override readonly name = 'ApiStatusError';
  constructor(
    readonly statusCode: number,
    readonly said: string,
  ) {
    super(`${statusCode}: ${said}`);
  }
}

export function toEngineError(err: unknown, endpoint: Endpoint, attempts: string[], path?: string): EngineError {
  if (err instanceof EngineError) return err;
  const where = endpoint.url;
  if (err instanceof ApiStatusError) {
    const details = { status: err.statusCode, path, attempts, said: err.said };
    // An engine whose minimum API is above ours says so on the first versioned request
    // (/_ping does not tell the minimum).
    const minimum = err.statusCode === 400 ? /minimum supported API version is v?(\d+\.\d+)/i.exec(err.said)?.[1] : undefined;
    if (minimum) return engineNeedsNewerApi(minimum, where, details);
    return new EngineError(`The Docker engine at ${where} answered ${err.statusCode}${path ? ` to ${path}` : ''}: ${err.said}.`, details);
  }
  const details = { path, attempts };
  if (err instanceof TransportFailure) return new EngineError(err.message, details);
  const tried = attempts.length > 0 ? ` (tried ${attempts.join('; ')})` : '';
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  switch (e.code) {
    case 'ENOENT':
      return new EngineError(`Cannot reach the Docker engine at ${where}: no such socket. Is dockerd running (systemctl start docker)? Otherwise point --host or DOCKER_HOST at its socket${tried}.`, {
        ...details,
        unreachable: true,
      });
    case 'EACCES':
    case 'EPERM':
      return new EngineError(`Permission denied on ${where}: run dockwarden as root or as a member of the docker group (usermod -aG docker $USER, then log in again)${tried}.`, details);
    case 'ECONNREFUSED':
      return new EngineError(`Connection refused at ${where}: nothing is listening there. Is dockerd running (systemctl status docker)?${tried}`, { ...details, unreachable: true });
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return new EngineError(`The Docker engine at ${where} did not answer in time${path ? ` (${path})` : ''}: it may be hung; check journalctl -u docker.`, details);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EngineError(`Cannot resolve the host of ${where}: check --host or DOCKER_HOST.`, details);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
    case 'EPIPE':
      return new EngineError(`The connection to ${where} failed (${e.code}): check the network path to the engine.`, details);
  }
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  return new EngineError(`Talking to the Docker engine at ${where} failed: ${message.replace(/\.$/, '')}.`, details);
}
