import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

// docker contexts (`docker context use remote`): the CLI keeps the current one in
// config.json, each context's endpoint in contexts/meta/<sha256(name)>/meta.json, and the
// TLS files `docker context create --docker host=…,ca=…,cert=…,key=…` was given in
// contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem (docker/cli cli/context/store).
// "default" means "no context": the local socket.

export interface ContextChoice {
  name: string;
  /** Where the name came from: DOCKER_CONTEXT or config.json's currentContext. */
  from: string;
  /** The docker endpoint of the context; null for "default". */
  host: string | null;
  /** The context's own TLS settings; null: plain HTTP to a tcp:// engine, as the docker CLI does. */
  tls: ContextTls | null;
}

export interface ContextTls {
  /** contexts/tls/<sha256(name)>/docker: ca.pem, cert.pem and key.pem, each optional. */
  dir: string;
  /** `skip-tls-verify=true`: TLS without checking the engine's certificate. */
  skipVerify: boolean;
}

/** What meta.json says about the docker endpoint. */
export interface ContextEndpoint {
  host: string;
  skipTlsVerify: boolean;
}

const contextDirName = (name: string): string => createHash('sha256').update(name).digest('hex');

export function contextMetaPath(configDir: string, name: string): string {
  return `${configDir}/contexts/meta/${contextDirName(name)}/meta.json`;
}

/** Where the docker CLI keeps a context's TLS files for its docker endpoint. */
export function contextTlsDir(configDir: string, name: string): string {
  return `${configDir}/contexts/tls/${contextDirName(name)}/docker`;
}

/**
 * The docker CLI speaks TLS to a context's engine when the context has TLS files or
 * skips verification (cli/context/docker/load.go, tlsConfig): each present file is used,
 * a missing ca.pem means the system's CAs. The host decides whether TLS applies at all.
 */
export function contextTls(endpoint: ContextEndpoint, tlsDir: string, hasTlsFiles: boolean): ContextTls | null {
  if (!hasTlsFiles && !endpoint.skipTlsVerify) return null;
  return { dir: tlsDir, skipVerify: endpoint.skipTlsVerify };
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
export function contextEndpoint(name: string, metaJson: string | null, metaPath: string): ContextEndpoint {
  if (metaJson === null) throw new UsageError(`docker context "${name}" does not exist (no ${metaPath}); list them with \`docker context ls\`.`);
  let docker: { Host?: unknown; SkipTLSVerify?: unknown } | undefined;
  try {
    docker = (JSON.parse(metaJson) as { Endpoints?: { docker?: { Host?: unknown; SkipTLSVerify?: unknown } } } | null)?.Endpoints?.docker;
  } catch (err) {
    throw new UsageError(`${metaPath} (docker context "${name}") is not valid JSON: ${(err as Error).message}.`);
  }
  const host = docker?.Host;
  if (typeof host !== 'string' || !host) throw new UsageError(`docker context "${name}" has no docker endpoint in ${metaPath}.`);
  return { host, skipTlsVerify: docker?.SkipTLSVerify === true };
}
