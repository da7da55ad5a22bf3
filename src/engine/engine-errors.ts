import { EngineError } from '../core/errors.js';
import type { Endpoint } from './endpoint.js';

// Turns what dockerode throws (socket errors, HTTP errors with a JSON body) into one
// EngineError whose message is a whole sentence with the cause and the fix.

interface LowLevelError {
  code?: string;
  errno?: number;
  statusCode?: number;
  reason?: string;
  json?: { message?: string } | null;
  message?: string;
}

function engineMessage(err: LowLevelError): string | undefined {
  const fromJson = err.json && typeof err.json === 'object' ? err.json.message : undefined;
  return fromJson?.trim() || undefined;
}

export function toEngineError(err: unknown, endpoint: Endpoint, attempts: string[], path?: string): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as LowLevelError;
  const where = endpoint.url;
  const tried = attempts.length > 0 ? ` (tried ${attempts.join('; ')})` : '';
  const details = { status: e.statusCode, path, attempts };
  switch (e.code) {
    case 'ENOENT':
      return new EngineError(
        `Cannot reach the Docker engine at ${where}: no such socket. Is dockerd running (systemctl start docker)? Otherwise point --host or DOCKER_HOST at its socket${tried}.`,
        details,
      );
    case 'EACCES':
    case 'EPERM':
      return new EngineError(
        `Permission denied on ${where}: run dockwarden as root or as a member of the docker group (usermod -aG docker $USER, then log in again)${tried}.`,
        details,
      );
    case 'ECONNREFUSED':
      return new EngineError(
        `Connection refused at ${where}: nothing is listening there. Is dockerd running (systemctl status docker)?${tried}`,
        details,
      );
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      return new EngineError(`The Docker engine at ${where} did not answer in time${path ? ` (${path})` : ''}: it may be hung; check journalctl -u docker.`, details);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new EngineError(`Cannot resolve the host of ${where}: check --host or DOCKER_HOST.`, details);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ECONNRESET':
      return new EngineError(`The connection to ${where} failed (${e.code}): check the network path to the engine.`, details);
  }
  if (typeof e.statusCode === 'number') {
    const said = engineMessage(e) ?? e.reason ?? 'no message';
    return new EngineError(`The Docker engine at ${where} answered ${e.statusCode}${path ? ` to ${path}` : ''}: ${said}.`, { ...details, said });
  }
  const message = e.message ?? String(err);
  if (/All configured authentication methods failed|ssh/i.test(message) && endpoint.kind === 'ssh') {
    return new EngineError(`SSH to ${endpoint.host} failed: ${message}. Check that ssh ${endpoint.username ? `${endpoint.username}@` : ''}${endpoint.host} works without a password (ssh-agent) and that docker is installed there.`, details);
  }
  return new EngineError(`Talking to the Docker engine at ${where} failed: ${message}.`, details);
}
