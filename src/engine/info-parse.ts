import { InternalError, UsageError } from '../core/errors.js';
import { findJsonSyntaxError } from '../core/json-syntax-error.js';
import { dockerInfoSchema, type DockerInfo } from '../core/docker-info-schema.js';
import { canonicalDriverName } from '../core/driver-name.js';
import { infoFromDriverStatus, isDriverStatus } from './driver-status-paste.js';
import { parseHumanSize } from '../core/human-size.js';
import { cleanPasteLines, describeSkipped, findJsonInPaste, type JsonInPaste } from './info-paste.js';
import { podmanJsonError, podmanTextError } from './podman-info.js';

// `--info FILE`: what people paste into bug reports. Either `docker info --format
// '{{json .}}'` (or `curl .../info | jq`), or the plain text of `docker info` from any CLI
// since 1.12: top-level keys before 19.03, `Client:` / `Server:` sections after it, sizes
// with ("65.54 kB") or without ("65.54kB") a space, WARNING lines from stderr mixed in,
// indentation lost or shifted by chat and markdown, and often only part of the output.
// Also what is pasted instead: only the DriverStatus array, or `podman info`.

export interface ParsedInfo {
  info: DockerInfo;
  format: 'json' | 'text';
  /** What a diagnosis needs but the paste lacks, as sentences. */
  gaps: string[];
}

const JSON_CMD = "`docker info --format '{{json .}}'`";
const TEXT_CMD = '`docker info`';

export function parseDockerInfo(text: string): ParsedInfo {
  const clean = text.replace(/^\uFEFF/, '');
  if (clean.trim() === '') {
    throw new UsageError(`--info: the input is empty; give it the output of ${TEXT_CMD} or ${JSON_CMD}.`);
  }
  const lines = cleanPasteLines(clean.split(/\r\n|\r|\n/));
  const json = findJsonInPaste(lines, isDockerInfoLine);
  if (json) {
    const parsed = parseJson(json);
    const skipped = json.skipped.length > 0 ? [describeSkipped(json.skipped)] : [];
    return { info: parsed.info, format: 'json', gaps: [...skipped, ...parsed.gaps, ...normaliseDriver(parsed.info), ...findGaps(parsed.info)] };
  }
  const podman = podmanTextError(lines);
  if (podman) throw podman;
  const info = parseText(lines);
  return { info, format: 'text', gaps: [...normaliseDriver(info), ...findGaps(info)] };
}

/** "Device Mapper", "overlay 2" -> the canonical name the checks use, with a sentence saying so. */
function normaliseDriver(info: DockerInfo): string[] {
  const raw = info.Driver?.trim();
  const canonical = raw ? canonicalDriverName(raw) : undefined;
  if (!raw || !canonical || info.Driver === canonical) return [];
  info.Driver = canonical;
  return raw === canonical ? [] : [`The paste writes the storage driver as ${JSON.stringify(raw)}; it was read as ${canonical}.`];
}

// ---------------------------------------------------------------------------------------
// JSON

function parseJson(json: JsonInPaste): { info: DockerInfo; gaps: string[] } {
  const candidate = json.text;
  let raw: unknown;
  try {
    raw = JSON.parse(candidate);
  } catch (err) {
    const where = findJsonSyntaxError(candidate);
    const detail = where ? `line ${where.line + json.startLine}, column ${where.column}: ${where.message}` : (err as Error).message;
    throw new UsageError(`--info: the input looks like JSON but is malformed at ${detail}.`);
  }
  if (isDriverStatus(raw)) return infoFromDriverStatus(raw);
  if (Array.isArray(raw)) {
    throw new UsageError(`--info: the input is a JSON array (\`docker inspect\` output?), not the object that ${JSON_CMD} prints.`);
  }
  // The JSON opening let only an object or an array through, and arrays are gone.
  const obj = raw as Record<string, unknown>;
  const podman = podmanJsonError(obj);
  if (podman) throw podman;
  return { info: infoFromJsonObject(obj), gaps: [] };
}

function infoFromJsonObject(obj: Record<string, unknown>): DockerInfo {
  // The CLI wraps the engine's answer: ClientInfo and ClientErrors describe the CLI itself,
  // ServerErrors holds why it got no answer. Only the server half is kept as facts.
  const { ClientInfo, ClientErrors: _clientErrors, ServerErrors, ...server } = obj;
  const serverErrors = Array.isArray(ServerErrors) ? ServerErrors.map(String) : [];
  if (serverErrors.length > 0 && !server['ServerVersion']) {
    throw new UsageError(`--info: the paste holds no server info: ${oneLine(serverErrors[0] ?? '')}`);
  }
  const known = Object.keys(dockerInfoSchema.shape).filter((k) => k in server);
  if (known.length === 0) {
    const keys = Object.keys(obj).slice(0, 6).join(', ') || 'none';
    const looksLikeVersion = 'Client' in obj && 'Server' in obj ? ' (it looks like `docker version` output)' : '';
    throw new UsageError(`--info: the JSON has none of the fields that ${JSON_CMD} prints${looksLikeVersion}; its keys: ${keys}.`);
  }
  // Newer CLIs print an all-empty server object next to ClientInfo when the engine is unreachable.
  if (ClientInfo !== undefined && !server['ServerVersion'] && !server['Driver'] && !server['DockerRootDir']) {
    throw new UsageError('--info: the paste holds no server info: the CLI could not reach the engine (ServerVersion, Driver and DockerRootDir are empty).');
  }
  const result = dockerInfoSchema.safeParse(server);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new UsageError(`--info: the JSON is not \`docker info\` output as any engine prints it (${problems.join('; ')}).`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------
// Text

type Setter = (info: Draft, value: string) => void;
type Draft = Record<string, unknown> & { Swarm?: Record<string, unknown>; DriverStatus?: [string, string][] };

const int = (v: string): number | undefined => (/^\d+$/.test(v) ? Number(v) : undefined);
const bool = (v: string): boolean | undefined => (v === 'true' ? true : v === 'false' ? false : undefined);
/** Sets a field unless the value did not parse, so a garbled line leaves no `undefined` behind. */
const put = (target: Record<string, unknown>, field: string, value: unknown): void => {
  if (value !== undefined) target[field] = value;
};
const str =
  (field: string): Setter =>
  (d, v) =>
    put(d, field, v);
const num =
  (field: string): Setter =>
  (d, v) =>
    put(d, field, int(v));
const flag =
  (field: string): Setter =>
  (d, v) =>
    put(d, field, bool(v));
const ignore: Setter = () => undefined;

/** Top-level labels of `docker info` in every era, lower-cased, and what each sets. */
const TOP: Record<string, Setter> = {
  containers: num('Containers'),
  images: num('Images'),
  'server version': str('ServerVersion'),
  'storage driver': (d, v) => {
    d['Driver'] = v;
    d.DriverStatus = [];
  },
  'logging driver': str('LoggingDriver'),
  'cgroup driver': str('CgroupDriver'),
  'cgroup version': str('CgroupVersion'),
  swarm: (d, v) => void (d.Swarm = { LocalNodeState: v }),
  'default runtime': str('DefaultRuntime'),
  'init binary': str('InitBinary'),
  // 1.12 prints the names inline ("seccomp selinux"); 1.13 and later nest them (see addChild).
  'security options': (d, v) => void (d['SecurityOptions'] = v ? v.split(/\s+/) : []),
  'kernel version': str('KernelVersion'),
  'operating system': str('OperatingSystem'),
  ostype: str('OSType'),
  architecture: str('Architecture'),
  cpus: num('NCPU'),
  // BytesSize: binary and rounded to 4 digits, so only close to the engine's MemTotal.
  'total memory': (d, v) => put(d, 'MemTotal', sizeOrUndefined(v)),
  name: str('Name'),
  id: str('ID'),
  'docker root dir': str('DockerRootDir'),
  'debug mode': flag('Debug'),
  'debug mode (server)': flag('Debug'),
  'http proxy': str('HttpProxy'),
  'https proxy': str('HttpsProxy'),
  'no proxy': str('NoProxy'),
  registry: str('IndexServerAddress'),
  labels: (d) => void (d['Labels'] = []),
  experimental: flag('ExperimentalBuild'),
  'live restore enabled': flag('LiveRestoreEnabled'),
  'default isolation': str('Isolation'),
  'product license': str('ProductLicense'),
  ...Object.fromEntries(
    [
      'debug mode (client)',
      'plugins',
      'runtimes',
      'containerd version',
      'runc version',
      'init version',
      'number of docker hooks',
      'username',
      'cluster store',
      'cluster advertise',
      'insecure registries',
      'registry mirrors',
      'registries',
      'execution driver',
      'default address pools',
      'cdi spec directories',
      'discovered devices',
      'firewall backend',
      'nri',
    ].map((k) => [k, ignore]),
  ),
};

/**
 * Labels only `docker info` prints. A text needs one of them with a value to count as
 * `docker info`: a Kubernetes manifest has a bare "containers:" too.
 */
const ANCHORS = new Set([
  'containers',
  'images',
  'server version',
  'storage driver',
  'logging driver',
  'cgroup driver',
  'swarm',
  'runtimes',
  'default runtime',
  'init binary',
  'security options',
  'kernel version',
  'ostype',
  'docker root dir',
  'live restore enabled',
]);

const CHILD: Record<string, Setter> = {
  running: num('ContainersRunning'),
  paused: num('ContainersPaused'),
  stopped: num('ContainersStopped'),
};

const SWARM: Record<string, Setter> = {
  nodeid: str('NodeID'),
  error: str('Error'),
  'is manager': flag('ControlAvailable'),
  managers: num('Managers'),
  nodes: num('Nodes'),
  'node address': str('NodeAddr'),
};

interface KeyValue {
  key: string;
  value: string;
}

/** "Pool Name: docker-8:1-123-pool" -> key and value; the key ends at the first ": " (or a final ":"). */
function splitKeyValue(content: string): KeyValue | undefined {
  const m = /^([^:]+?):(?:\s+(.*)|$)/.exec(content);
  if (!m) return undefined;
  return { key: (m[1] as string).trim(), value: (m[2] ?? '').trim() };
}

/** A line only `docker info` text prints ("Storage Driver: overlay2"); `docker version` and shell lines are not. */
function isDockerInfoLine(content: string): boolean {
  const kv = splitKeyValue(content);
  return kv !== undefined && kv.value !== '' && ANCHORS.has(kv.key.toLowerCase().replace(/\s+/g, ' '));
}

function topKeyOf(content: string): string | undefined {
  const kv = splitKeyValue(content);
  const key = kv?.key.toLowerCase().replace(/\s+/g, ' ');
  return key !== undefined && key in TOP ? key : undefined;
}

function sizeOrUndefined(v: string): number | undefined {
  try {
    return parseHumanSize(v);
  } catch {
    return undefined;
  }
}

function oneLine(s: string): string {
  const line = s.trim().split(/\r?\n/)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

function indentOf(line: string): number {
  let n = 0;
  for (const ch of line) {
    if (ch === ' ') n += 1;
    else if (ch === '\t') n += 4;
    else break;
  }
  return n;
}

interface Block {
  key: string;
  indent: number;
  /** A blank line since the block began: unindented lines no longer belong to it. */
  closed: boolean;
}

/** `lines` come without their quoting (see cleanPasteLines). */
function parseText(lines: string[]): DockerInfo {
  const draft: Draft = {};
  const warnings: string[] = [];
  const serverErrors: string[] = [];
  let anchors = 0;
  let inClient = false;
  let sawClient = false;
  let block: Block | undefined;
  let warningIndent: number | undefined;

  for (const line of lines) {
    const content = line.trim();
    if (content === '') {
      warningIndent = undefined;
      if (block) block.closed = true;
      continue;
    }
    const indent = indentOf(line);
    // 19.03 and later print the CLI's own facts first; they say nothing about the engine.
    if (/^Client:(\s|$)/.test(content)) {
      inClient = sawClient = true;
      block = undefined;
      continue;
    }
    if (/^Server:(\s|$)/.test(content)) {
      inClient = false;
      block = undefined;
      continue;
    }
    if (inClient) continue;
    if (/^ERROR:/.test(content)) {
      serverErrors.push(content.replace(/^ERROR:\s*/, ''));
      continue;
    }
    if (/^WARNING:/.test(content)) {
      warnings.push(content);
      warningIndent = indent;
      continue;
    }
    const top = topKeyOf(content);
    // The engine indents a warning's further lines by 9 spaces, the width of "WARNING: ".
    if (warningIndent !== undefined && indent > warningIndent && top === undefined) {
      warnings[warnings.length - 1] += `\n         ${content}`;
      continue;
    }
    warningIndent = undefined;
    const kv = splitKeyValue(content);
    if (top !== undefined && kv) {
      (TOP[top] as Setter)(draft, kv.value);
      if (ANCHORS.has(top) && kv.value !== '') anchors++;
      block = { key: top, indent, closed: false };
      continue;
    }
    if (block && (indent > block.indent || !block.closed)) addChild(draft, block, content, kv, indent > block.indent);
  }

  if (anchors === 0) throw notDockerInfo(lines, serverErrors, sawClient);
  if (warnings.length > 0) draft['Warnings'] = warnings;
  const result = dockerInfoSchema.safeParse(draft);
  if (!result.success) throw new InternalError(`docker info text parsed into an invalid DockerInfo: ${result.error.message}`);
  return result.data;
}

function addChild(draft: Draft, block: Block, content: string, kv: KeyValue | undefined, indented: boolean): void {
  const key = kv?.key.toLowerCase();
  switch (block.key) {
    case 'containers':
      if (kv && key && key in CHILD) (CHILD[key] as Setter)(draft, kv.value);
      return;
    case 'storage driver':
      // The driver's status pairs, in the engine's order; the 1.12 loopback WARNING is handled above.
      if (kv) draft.DriverStatus?.push([kv.key, kv.value]);
      return;
    case 'swarm':
      if (kv && key && draft.Swarm && key in SWARM) SWARM[key]?.(draft.Swarm, kv.value);
      return;
    case 'security options': {
      const options = draft['SecurityOptions'] as string[];
      // Nested form: an option name per line, its seccomp profile on the line below.
      if (kv && key === 'profile' && options.length > 0) options[options.length - 1] += `,profile=${kv.value}`;
      else if (!kv && /^[\w.-]+$/.test(content)) options.push(`name=${content}`);
      return;
    }
    case 'labels':
      if (indented || /^[^\s=]+=/.test(content)) (draft['Labels'] as string[]).push(content);
      return;
    default:
      return;
  }
}

function notDockerInfo(lines: string[], serverErrors: string[], sawClient: boolean): UsageError {
  if (serverErrors.length > 0) return new UsageError(`--info: the paste holds no server info: ${oneLine(serverErrors[0] ?? '')}`);
  const unreachable = lines.find((l) => /Cannot connect to the Docker daemon|permission denied while trying to connect/i.test(l));
  if (unreachable) return new UsageError(`--info: the paste holds no server info: ${oneLine(unreachable)}`);
  if (lines.some((l) => /^\s*API version:/.test(l))) {
    return new UsageError(`--info: the input looks like \`docker version\` output; give it the output of ${TEXT_CMD} or ${JSON_CMD}.`);
  }
  if (sawClient) return new UsageError('--info: the paste holds only the Client section of `docker info`; the Server section is missing.');
  const first = oneLine(lines.find((l) => l.trim() !== '') ?? '');
  const shown = first.length > 60 ? `${first.slice(0, 60)}…` : first;
  return new UsageError(`--info: the input is neither ${JSON_CMD} JSON nor ${TEXT_CMD} text (first line: ${JSON.stringify(shown)}).`);
}

// ---------------------------------------------------------------------------------------
// Gaps

const STATUS_DRIVERS = new Set(['devicemapper', 'overlay', 'overlay2', 'aufs', 'zfs', 'btrfs']);

function findGaps(info: DockerInfo): string[] {
  const gaps: string[] = [];
  const missing = (what: string, consequence: string) => gaps.push(`The paste has no ${what}; ${consequence}.`);
  if (!info.ServerVersion) missing('Server Version', 'advice that depends on the engine version (deprecated and removed drivers) is less specific');
  if (!info.Driver) {
    missing('Storage Driver', 'storage-driver, d_type, loop-file and thin-pool checks were skipped');
  } else if (STATUS_DRIVERS.has(info.Driver) && (info.DriverStatus ?? []).length === 0) {
    gaps.push(`The paste names the ${info.Driver} storage driver but none of its status lines; d_type, loop-file and thin-pool checks were skipped.`);
  }
  if (!info.DockerRootDir) missing('Docker Root Dir', 'data-root checks were skipped');
  if (!info.LoggingDriver) missing('Logging Driver', 'logging checks were skipped');
  if (!info.KernelVersion) missing('Kernel Version', 'kernel-dependent checks (deferred device removal needs 3.18) were skipped');
  if (info.LiveRestoreEnabled === undefined) {
    missing('Live Restore Enabled (docker info prints it from 1.13 on)', 'whether containers survive a docker restart is unknown');
  }
  if (!info.Swarm?.LocalNodeState) missing('Swarm line', 'swarm checks were skipped');
  return gaps;
}
