import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

// docker contexts (`docker context use remote`): the CLI keeps the current one in
// config.json and each context's endpoint in contexts/meta/<sha256(name)>/meta.json.
// "default" means "no context": the local socket.

export interface ContextChoice {
  name: string;
  /** Where the name came from: DOCKER_CONTEXT or config.json's currentContext. */
  from: string;
  /** The docker endpoint of the context; null for "default". */
  host: string | null;
}

export function contextMetaPath(configDir: string, name: string): string {
  return `${configDir}/contexts/meta/${createHash('sha256').update(name).digest('hex')}/meta.json`;
}

/** currentContext from the text of ~/.docker/config.json, if any. */
export function currentContextOf(configJson: string): string | undefined {
  try {
    const parsed = JSON.parse(configJson) as { currentContext?: unknown };
    return typeof parsed.currentContext === 'string' && parsed.currentContext ? parsed.currentContext : undefined;
  } catch {
    return undefined; // the docker CLI's own config; a broken one is the CLI's problem, not a reason to fail
  }
}

/** The docker endpoint of a context from its meta.json; throws when the context is unusable. */
export function contextHost(name: string, metaJson: string | null, metaPath: string): string {
  if (metaJson === null) throw new UsageError(`docker context "${name}" does not exist (no ${metaPath}); list them with \`docker context ls\`.`);
  let host: unknown;
  try {
    host = (JSON.parse(metaJson) as { Endpoints?: { docker?: { Host?: unknown } } }).Endpoints?.docker?.Host;
  } catch (err) {
    throw new UsageError(`${metaPath} (docker context "${name}") is not valid JSON: ${(err as Error).message}.`);
  }
  if (typeof host !== 'string' || !host) throw new UsageError(`docker context "${name}" has no docker endpoint in ${metaPath}.`);
  return host;
}
