import { UsageError } from '../core/errors.js';
import { parseDockerdFlags } from '../core/dockerd-flags.js';
import { parseEnvFile } from '../core/env-file.js';
import type { ConfigSetting } from '../host/local-facts.js';
import { parseUnitFile } from '../core/systemd-unit-file.js';
import { parseEnvironmentWords, splitWords } from '../core/systemd-words.js';

// Editing /etc/docker/daemon.json, and taking the flags that would clash with it off
// dockerd's command line. dockerd refuses to start when a directive is given both as a
// flag and in daemon.json ("the following directives are specified both as a flag and in
// the configuration file: data-root"), so a daemon.json edit that leaves such a flag behind
// turns a working engine into one that will not come back after its next restart.
// Pure: texts in, texts out; the CLI and the plan generators do the reading and writing.

export interface DaemonJsonChange {
  /** Keys to set, e.g. { 'data-root': '/data/docker', 'storage-driver': 'overlay2' } or 'storage-opts': [...] */
  set: Record<string, unknown>;
  /** Keys to remove. */
  unset?: string[];
}

export interface DaemonJsonEdit {
  json: Record<string, unknown>;
  /** New file text: JSON.stringify(json, null, 2) + '\n'; existing keys keep their order, new keys are appended. */
  text: string;
  /** One sentence per change, e.g. 'data-root: "/var/lib/docker" -> "/data/docker".' ; empty when nothing changes. */
  changes: string[];
}

/** The prefix of each storage driver's own options (`dm.thinpooldev`, `overlay2.size`, ...). */
const DRIVER_OPTION_PREFIX: Record<string, string> = {
  overlay2: 'overlay2',
  overlay: 'overlay',
  devicemapper: 'dm',
  zfs: 'zfs',
  btrfs: 'btrfs',
  vfs: 'vfs',
  aufs: 'aufs',
  'fuse-overlayfs': 'fuse-overlayfs',
};
const DRIVER_OF_PREFIX = new Map(Object.entries(DRIVER_OPTION_PREFIX).map(([driver, prefix]) => [prefix, driver]));

const show = (value: unknown): string => JSON.stringify(value);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** The driver a storage option belongs to (`dm.basesize=20G` -> devicemapper); null for unprefixed or unknown options. */
function optionDriver(opt: unknown): string | null {
  if (typeof opt !== 'string') return null;
  const dot = opt.indexOf('.');
  const eq = opt.indexOf('=');
  if (dot <= 0 || (eq >= 0 && eq < dot)) return null;
  return DRIVER_OF_PREFIX.get(opt.slice(0, dot)) ?? null;
}

export function editDaemonJson(current: Record<string, unknown>, change: DaemonJsonChange): DaemonJsonEdit {
  const json: Record<string, unknown> = { ...current };
  const changes: string[] = [];
  const remove = (key: string, why: string): void => {
    if (!(key in json)) return;
    changes.push(`${key}: ${show(json[key])} -> (removed)${why}.`);
    delete json[key];
  };

  for (const key of change.unset ?? []) remove(key, '');
  for (const [key, value] of Object.entries(change.set)) {
    if (key in json && same(json[key], value)) continue;
    changes.push(`${key}: ${key in json ? show(json[key]) : '(not set)'} -> ${show(value)}.`);
    json[key] = value;
  }

  if ('data-root' in change.set) {
    remove('graph', ': "graph" is the pre-17.05 name of data-root and dockerd refuses to start with both');
  }
  const driver = change.set['storage-driver'];
  const opts = json['storage-opts'];
  if (typeof driver === 'string' && !('storage-opts' in change.set) && Array.isArray(opts)) {
    // Every driver rejects options it does not know ("overlay2: unknown option dm.thinpooldev"),
    // so the previous driver's options must go with it; unprefixed ones (`size=`) are left alone.
    const foreign = opts.filter((o) => {
      const owner = optionDriver(o);
      return owner !== null && owner !== driver;
    });
    if (foreign.length > 0) {
      const kept = opts.filter((o) => !foreign.includes(o));
      const owners = [...new Set(foreign.map(optionDriver))].join(', ');
      changes.push(`storage-opts: removed ${foreign.map(show).join(', ')}: options of ${owners}, which dockerd refuses with storage-driver ${show(driver)}.`);
      if (kept.length > 0) json['storage-opts'] = kept;
      else delete json['storage-opts'];
    }
  }
  return { json, text: `${JSON.stringify(json, null, 2)}\n`, changes };
}

/** A daemon.json key that the change sets and that dockerd also receives as a flag. */
export interface FlagConflict {
  /** daemon.json key: 'data-root' | 'storage-driver' | 'storage-opts' */
  key: string;
  setting: ConfigSetting;
}

/** daemon.json key -> the setting key its flag has (`storage-opts` is `--storage-opt`; `graph` is the old data-root). */
const FLAG_KEY: Record<string, string> = { 'data-root': 'data-root', graph: 'data-root', 'storage-driver': 'storage-driver', 'storage-opts': 'storage-opt' };

/** Effective, non-daemon.json settings that would clash with these daemon.json keys (data-root<->setting key 'data-root', storage-driver<->'storage-driver', storage-opts<->'storage-opt'). */
export function findFlagConflicts(settings: ConfigSetting[], keys: string[]): FlagConflict[] {
  const out: FlagConflict[] = [];
  for (const key of keys) {
    const flagKey = FLAG_KEY[key];
    if (flagKey === undefined) continue;
    for (const setting of settings) {
      if (setting.effective && setting.origin !== 'daemon.json' && setting.key === flagKey) out.push({ key, setting });
    }
  }
  return out;
}

export interface FileEdit {
  path: string;
  /** Current text; null when the file does not exist yet. */
  before: string | null;
  after: string;
  /** One sentence: why this file changes. */
  why: string;
}

/** The drop-in flagRemovalEdits writes for flags in docker.service or its drop-ins. */
export const FLAG_DROP_IN = '/etc/systemd/system/docker.service.d/zz-dockwarden-flags.conf';

interface RawWord {
  word: string;
  start: number;
  end: number;
}

/** The words of a command line or variable, with where each is written (so the rest stays byte-identical). */
function rawWords(value: string, quoting: boolean): RawWord[] {
  const out: RawWord[] = [];
  // The same grouping as splitWords: quotes and backslash escapes join, unquoted whitespace splits.
  const re = quoting ? /(?:"(?:\\[\s\S]|[^"\\])*"?|'(?:\\[\s\S]|[^'\\])*'?|\\[\s\S]?|[^ \t\n\r"'\\])+/g : /[^ \t\n\r]+/g;
  for (const m of value.matchAll(re)) {
    const word = quoting ? (splitWords(m[0])[0] ?? '') : m[0];
    out.push({ word, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** `value` without the words at `drop`, keeping the spacing and quoting of the others. */
function withoutWords(value: string, words: RawWord[], drop: Set<number>): string {
  const kept = words.map((w, i) => ({ w, i })).filter(({ i }) => !drop.has(i));
  if (kept.length === 0) return '';
  let out = value.slice(0, words[0]!.start);
  for (const [k, { w, i }] of kept.entries()) {
    if (k > 0) out += value.slice(words[i - 1]!.end, w.start);
    out += value.slice(w.start, w.end);
  }
  return out + value.slice(words.at(-1)!.end);
}

/** Indexes (into `words`, the program first) of the flags with these keys, as dockerd would read them. */
function flagIndexes(words: string[], keys: Set<string>): Set<number> {
  const drop = new Set<number>();
  for (const flag of parseDockerdFlags(words)) if (keys.has(flag.key)) for (const i of flag.indexes) drop.add(i);
  return drop;
}

/** The value after `Key=` of a unit line or an assignment as written. */
const assignedValue = (text: string): string => text.slice(text.indexOf('=') + 1).trim();

/**
 * The ExecStart value without the flags. systemd strips the `-@+!:|` prefixes from the program
 * and, with `@`, takes the next word as argv[0]; `$VARIABLES` are kept as written.
 */
function execStartWithout(value: string, keys: Set<string>): { value: string; removed: string[] } {
  const raw = rawWords(value, true);
  const argv = raw.map((w) => w.word);
  const prefix = /^[-@+!:|]+/.exec(argv[0] ?? '')?.[0] ?? '';
  const map = argv.map((_, i) => i);
  if (prefix.includes('@')) map.splice(1, 1);
  const words = map.map((i) => argv[i]!);
  if (words.length > 0) words[0] = words[0]!.slice(prefix.length);
  const drop = new Set([...flagIndexes(words, keys)].map((i) => map[i]!));
  return { value: withoutWords(value, raw, drop), removed: [...drop].sort((a, b) => a - b).map((i) => raw[i]!.word) };
}

/** A variable's value without the flags (systemd splits a `$VAR` value at whitespace, nothing more). */
function variableWithout(value: string, keys: Set<string>): { value: string; removed: string[] } {
  const raw = rawWords(value, false);
  const drop = new Set([...flagIndexes(['dockerd', ...raw.map((w) => w.word)], keys)].map((i) => i - 1));
  return { value: withoutWords(value, raw, drop), removed: [...drop].sort((a, b) => a - b).map((i) => raw[i]!.word) };
}

/** The flag as written, e.g. `-g /mnt/docker`, for messages. */
export function describeFlag(setting: ConfigSetting): string {
  const lists: string[][] = [];
  if (setting.origin === 'dockerd-process') lists.push(['dockerd', ...setting.text.split(' ')]);
  else if (/^ExecStart\s*=/.test(setting.text)) lists.push(splitWords(assignedValue(setting.text)));
  else if (/^Environment\s*=/.test(setting.text)) lists.push(...parseEnvironmentWords(assignedValue(setting.text)).map((a) => ['dockerd', ...a.value.split(/[ \t\n\r]+/)]));
  else for (const a of parseEnvFile(setting.text)) lists.push(['dockerd', ...a.value.split(/[ \t\n\r]+/).filter((w) => w !== '')]);
  for (const words of lists) {
    const flag = parseDockerdFlags(words).find((f) => f.key === setting.key && f.value === setting.value);
    if (flag) return flag.words.join(' ');
  }
  return `--${setting.key} ${setting.value}`;
}

/**
 * Why a change is refused while these flags stand, one sentence per flag with where it is
 * and how --remove-conflicting-flags would take it out; `outcome` ends it ("… was not changed").
 */
export function conflictRefusal(conflicts: FlagConflict[], outcome: string): string {
  const each = conflicts.map((c) => {
    const s = c.setting;
    if (s.origin === 'dockerd-process')
      return `\`${describeFlag(s)}\` on the command line of a dockerd that docker.service did not start (${s.file}), which only restarting it without the flag removes`;
    const where = s.text.startsWith('ExecStart') || s.text.startsWith('Environment') ? `an override in ${FLAG_DROP_IN}` : `an edit of ${s.file}`;
    return `\`${describeFlag(s)}\` in ${s.file}, which --remove-conflicting-flags would take out with ${where}`;
  });
  return `dockerd also gets ${[...new Set(conflicts.map((c) => c.key))].join(' and ')} as a flag: ${each.join('; ')}. With both, dockerd refuses to start ("specified both as a flag and in the configuration file"), so ${outcome}.`;
}

/** The flags of these conflicts as written, e.g. "`-g /mnt/docker`, `-s devicemapper`". */
const named = (list: FlagConflict[]): string => [...new Set(list.map((c) => `\`${describeFlag(c.setting)}\``))].join(', ');
const because = (list: FlagConflict[]): string =>
  `because daemon.json now sets ${[...new Set(list.map((c) => c.key))].join(' and ')} and dockerd refuses to start with a directive given both as a flag and in daemon.json`;

const quoteEnvironment = (name: string, value: string): string => `Environment="${`${name}=${value}`.replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * File edits that take the conflicting flags out of where they are written. `texts` holds the
 * current text of every file named by a conflict's setting.file (and of the drop-in below; null = absent).
 * Throws UsageError (one sentence, naming the flag and file) for a conflict no file edit can remove,
 * e.g. origin 'dockerd-process' (a dockerd started by hand: "restart it without the flag").
 */
export function flagRemovalEdits(conflicts: FlagConflict[], texts: Record<string, string | null>): FileEdit[] {
  const keysOf = (list: FlagConflict[]): Set<string> => new Set(list.map((c) => c.setting.key));

  const execStart: FlagConflict[] = [];
  const environment: FlagConflict[] = [];
  const envFiles = new Map<string, FlagConflict[]>();
  for (const c of conflicts) {
    const s = c.setting;
    if (s.origin === 'dockerd-process') {
      const pid = /\/proc\/(\d+)\//.exec(s.file)?.[1] ?? '?';
      throw new UsageError(
        `dockerd pid ${pid} was not started by docker.service and got \`${describeFlag(s)}\` on its own command line (${s.file}): no file holds that flag, so restart it without the flag.`,
      );
    }
    if (/^ExecStart\s*=/.test(s.text)) execStart.push(c);
    else if (/^Environment\s*=/.test(s.text)) environment.push(c);
    else envFiles.set(s.file, [...(envFiles.get(s.file) ?? []), c]);
  }

  const edits: FileEdit[] = [];
  if (execStart.length > 0 || environment.length > 0) edits.push(dropInEdit(execStart, environment, texts[FLAG_DROP_IN] ?? null));

  for (const [path, list] of envFiles) {
    const before = texts[path];
    if (before === null || before === undefined) throw new UsageError(`${path} sets ${named(list)} for dockerd but could not be read: remove the flag from it by hand.`);
    let after = before;
    // Edit from the last assignment up, so earlier offsets stay valid.
    const targets = parseEnvFile(before)
      .filter((a) => list.some((c) => c.setting.text === a.text))
      .sort((a, b) => b.line - a.line);
    for (const a of targets) {
      const keys = keysOf(list.filter((c) => c.setting.text === a.text));
      const eq = a.text.indexOf('=');
      const raw = a.text.slice(eq + 1);
      const quote = /^\s*(["'])([\s\S]*)\1$/.exec(raw);
      const inner = quote ? (quote[2] as string) : raw;
      const innerStart = quote ? eq + 1 + raw.indexOf(quote[1] as string) + 1 : eq + 1;
      // Escapes, nested quotes or continuations mean the written words are not the value's words.
      if (/["'\\]/.test(inner) || inner.trim() !== a.value.trim()) {
        throw new UsageError(`${path} line ${a.line} (${a.text}) is quoted in a way dockwarden does not rewrite: remove ${named(list)} from it by hand.`);
      }
      const cut = variableWithout(inner, keys);
      if (cut.removed.length === 0) throw new UsageError(`${path} line ${a.line} feeds ${named(list)} to dockerd only partly (the flag itself is elsewhere): remove it by hand.`);
      const text = a.text.slice(0, innerStart) + cut.value + a.text.slice(innerStart + inner.length);
      const lineStart =
        before
          .split('\n')
          .slice(0, a.line - 1)
          .join('\n').length + (a.line > 1 ? 1 : 0);
      const at = after.indexOf(a.text, lineStart);
      after = after.slice(0, at) + text + after.slice(at + a.text.length);
    }
    if (targets.length === 0) throw new UsageError(`${path} no longer holds ${named(list)} as it was read: run the command again.`);
    edits.push({ path, before, after, why: `Removes ${named(list)} from ${path}, whose flags dockerd is started with, ${because(list)}.` });
  }
  return edits;
}

/**
 * The drop-in that overrides docker.service: the packaged unit is never edited (a package
 * upgrade would put the flag back), and a drop-in in /etc sorts after the others, so its
 * `ExecStart=` (empty first: a second ExecStart= is an error for Type=notify) and its
 * Environment= lines win.
 */
function dropInEdit(execStart: FlagConflict[], environment: FlagConflict[], before: string | null): FileEdit {
  // What an earlier run wrote stays: its command line and variables are the ones in force.
  let command: string | null = null;
  const env = new Map<string, string>();
  for (const d of parseUnitFile(before ?? '')) {
    if (d.section !== 'Service') continue;
    if (d.key === 'ExecStart') command = d.value === '' ? null : d.value;
    if (d.key === 'Environment') {
      if (d.value === '') env.clear();
      for (const a of parseEnvironmentWords(d.value)) env.set(a.name, a.value);
    }
  }

  const lines = [...new Set(execStart.map((c) => c.setting.text))];
  if (lines.length > 1) throw new UsageError(`docker.service has several command lines in force (${lines.join('; ')}): fix the unit by hand first.`);
  if (lines[0] !== undefined) {
    const cut = execStartWithout(assignedValue(lines[0]), new Set(execStart.map((c) => c.setting.key)));
    if (cut.removed.length === 0) throw new UsageError(`${named(execStart)} was not found in \`${lines[0]}\`: remove it by hand.`);
    command = cut.value;
  }
  for (const c of environment) {
    const keys = new Set(environment.filter((o) => o.setting.text === c.setting.text).map((o) => o.setting.key));
    for (const a of parseEnvironmentWords(assignedValue(c.setting.text))) {
      const cut = variableWithout(a.value, keys);
      if (cut.removed.length > 0) env.set(a.name, cut.value);
    }
  }

  let after = '[Service]\n';
  if (command !== null) after += `ExecStart=\nExecStart=${command}\n`;
  for (const [name, value] of env) after += `${quoteEnvironment(name, value)}\n`;
  const all = [...execStart, ...environment];
  const where = [...new Set(all.map((c) => c.setting.file))].join(', ');
  return {
    path: FLAG_DROP_IN,
    before,
    after,
    why: `Overrides docker.service to take ${named(all)} (set in ${where}) off dockerd's command line without editing the packaged unit, ${because(all)}.`,
  };
}
