import { UsageError } from '../core/errors.js';
import type { HostProbe } from './host-probe.js';
import { findJsonSyntaxError } from '../core/json-syntax-error.js';
import type { ConfigSetting } from './local-facts.js';

// /etc/docker/daemon.json: dockerd reads it at start (and on SIGHUP for a few keys) and
// refuses to start when it is not valid JSON, so a broken file is a hard error here too.
// parseDaemonJson is pure so the daemon.json editor can reuse it; readDaemonJson adds the I/O.

export const DEFAULT_DAEMON_JSON = '/etc/docker/daemon.json';

const CONSEQUENCE = 'dockerd will refuse to start with it; fix the file or move it aside';

/**
 * No daemon.json option nests more than a few levels ("runtimes" → name → "runtimeArgs"):
 * a deeper file is not a configuration dockerd accepts, and JSON.stringify, which the
 * settings and the editor use, overflows the stack at a few thousand levels.
 */
export const MAX_DAEMON_JSON_DEPTH = 100;

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/**
 * Parses daemon.json text. A blank file counts as an empty configuration, as engines since
 * mid-2021 treat it (moby#42393); older ones (19.03) stop with a bare "EOF". Invalid JSON
 * throws UsageError with one line naming the file, the line and column, and what it means.
 */
export function parseDaemonJson(text: string, path: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  const syntax = findJsonSyntaxError(text, MAX_DAEMON_JSON_DEPTH);
  if (syntax?.tooDeep) {
    throw new UsageError(`${path} is nested more than ${MAX_DAEMON_JSON_DEPTH} levels deep (line ${syntax.line}, column ${syntax.column}), deeper than any daemon.json option goes: ${CONSEQUENCE}.`);
  }
  if (syntax) {
    throw new UsageError(`${path} is not valid JSON (line ${syntax.line}, column ${syntax.column}: ${syntax.message}): ${CONSEQUENCE}.`);
  }
  const value: unknown = JSON.parse(text);
  // Go decodes a top-level `null` into an empty map without complaint; anything else
  // that is not an object fails ("cannot unmarshal array into Go value").
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${path} holds ${kindOf(value)}, not a JSON object: ${CONSEQUENCE}.`);
  }
  return value as Record<string, unknown>;
}

export interface DaemonJsonRead {
  exists: boolean;
  json: Record<string, unknown>;
}

/** Reads and parses a daemon.json through the probe. Absent: empty. Malformed: UsageError. */
export async function readDaemonJson(probe: HostProbe, path: string): Promise<DaemonJsonRead> {
  const text = await probe.readFile(path);
  if (text === null) return { exists: false, json: {} };
  return { exists: true, json: parseDaemonJson(text, path) };
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The storage, logging and live-restore settings of a parsed daemon.json, one per value:
 * `storage-opts` and `log-opts` entries become `storage-opt` / `log-opt` settings, the way
 * the flags spell them, and the pre-17.05 `graph` key counts as `data-root`.
 */
export function daemonJsonSettings(json: Record<string, unknown>, file: string): ConfigSetting[] {
  const settings: ConfigSetting[] = [];
  const add = (key: string, value: string, text: string): void => {
    settings.push({ key, value, origin: 'daemon.json', file, text, effective: true });
  };
  const line = (name: string): string => `"${name}": ${JSON.stringify(json[name])}`;

  for (const [name, key] of [
    ['data-root', 'data-root'],
    ['graph', 'data-root'],
    ['storage-driver', 'storage-driver'],
    ['log-driver', 'log-driver'],
    ['live-restore', 'live-restore'],
    ['containerd', 'containerd'],
    ['exec-root', 'exec-root'],
  ] as const) {
    if (json[name] !== undefined) add(key, show(json[name]), line(name));
  }
  const storageOpts = json['storage-opts'];
  if (Array.isArray(storageOpts)) {
    for (const opt of storageOpts) add('storage-opt', show(opt), line('storage-opts'));
  }
  const logOpts = json['log-opts'];
  if (logOpts !== null && typeof logOpts === 'object' && !Array.isArray(logOpts)) {
    for (const [k, v] of Object.entries(logOpts)) add('log-opt', `${k}=${show(v)}`, line('log-opts'));
  }
  return settings;
}
