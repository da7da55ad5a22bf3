import type { EnvAssignment } from '../core/env-file.js';
import { systemdAccepts } from '../core/env-file.js';
import type { UnitDirective } from '../core/systemd-unit-file.js';
import { expandWords, parseEnvironmentWords, splitWords, type ExpandedWord } from '../core/systemd-words.js';

// What systemd makes of docker.service once the unit and its drop-ins are merged
// (systemd.unit(5)): list settings such as ExecStart= and Environment= accumulate across
// files, and an empty assignment (`ExecStart=`) clears what came before — which is why a
// drop-in that replaces the command line must say `ExecStart=` first. Pure: file texts in.

export type UnitKind = 'unit' | 'drop-in';

export interface UnitSource {
  path: string;
  kind: UnitKind;
  directives: UnitDirective[];
}

export interface ExecStartLine {
  file: string;
  kind: UnitKind;
  /** As written, e.g. `ExecStart=/usr/bin/dockerd -H fd:// -g /mnt/docker`. */
  text: string;
  value: string;
}

export interface EnvironmentFileRef {
  path: string;
  /** A leading `-` makes a missing file fine. */
  optional: boolean;
  declaredIn: string;
  kind: UnitKind;
}

/** Where a word or a variable's value was written. */
export interface Provenance {
  file: string;
  text: string;
  line: number;
  /** The unit file or drop-in that made systemd use it (itself, or the one with EnvironmentFile=). */
  declaredIn: string;
  kind: UnitKind;
}

export interface DockerServiceModel {
  /** ExecStart= lines still in force after the resets, in order. Only the last is used; more than one is an error for Type=notify. */
  execStarts: ExecStartLine[];
  /** Lines cleared by an empty `ExecStart=` in `by`. */
  cleared: Array<{ line: ExecStartLine; by: string }>;
  environment: Array<{ name: string; value: string; source: Provenance }>;
  environmentFiles: EnvironmentFileRef[];
  /** Type= of the service; systemd's default is `simple`. */
  type: string;
}

/** Merges the [Service] settings of a unit and its drop-ins, given in systemd's order. */
export function collectDockerService(units: UnitSource[]): DockerServiceModel {
  const model: DockerServiceModel = { execStarts: [], cleared: [], environment: [], environmentFiles: [], type: 'simple' };
  for (const unit of units) {
    for (const d of unit.directives) {
      if (d.section !== 'Service') continue;
      if (d.key === 'ExecStart') {
        if (d.value === '') {
          model.cleared.push(...model.execStarts.map((line) => ({ line, by: unit.path })));
          model.execStarts = [];
        } else {
          model.execStarts.push({ file: unit.path, kind: unit.kind, text: d.text, value: d.value });
        }
      } else if (d.key === 'Environment') {
        if (d.value === '') model.environment = [];
        const source: Provenance = { file: unit.path, text: d.text, line: d.line, declaredIn: unit.path, kind: unit.kind };
        for (const a of parseEnvironmentWords(d.value)) model.environment.push({ ...a, source });
      } else if (d.key === 'EnvironmentFile') {
        if (d.value === '') {
          model.environmentFiles = [];
          continue;
        }
        const optional = d.value.startsWith('-');
        model.environmentFiles.push({ path: d.value.replace(/^-/, '').trim(), optional, declaredIn: unit.path, kind: unit.kind });
      } else if (d.key === 'Type' && d.value !== '') {
        model.type = d.value;
      }
    }
  }
  return model;
}

export interface ServiceVariable {
  value: string;
  source: Provenance;
}

/**
 * The environment dockerd's ExecStart is expanded with. EnvironmentFile= values override
 * Environment= ones, and later files override earlier ones (systemd.exec(5)).
 * `envFiles` maps each path to its parsed assignments, or null when it could not be read.
 */
export function resolveServiceEnvironment(model: DockerServiceModel, envFiles: ReadonlyMap<string, EnvAssignment[] | null>): Map<string, ServiceVariable> {
  const vars = new Map<string, ServiceVariable>();
  for (const e of model.environment) vars.set(e.name, { value: e.value, source: e.source });
  for (const ref of model.environmentFiles) {
    for (const a of envFiles.get(ref.path) ?? []) {
      if (!systemdAccepts(a)) continue;
      vars.set(a.key, { value: a.value, source: { file: ref.path, text: a.text, line: a.line, declaredIn: ref.declaredIn, kind: ref.kind } });
    }
  }
  return vars;
}

/**
 * The argv dockerd receives from one ExecStart= line, each word with where it came from.
 * Prefixes such as `-` (ignore failure) or `+` (full privileges) are not part of the
 * path; with `@` the second word is argv[0] and is dropped here.
 */
export function execStartArgv(line: ExecStartLine, vars: ReadonlyMap<string, ServiceVariable>): Array<ExpandedWord<Provenance>> {
  const words = splitWords(line.value);
  const prefix = /^[-@+!:|]+/.exec(words[0] ?? '')?.[0] ?? '';
  if (words.length > 0) words[0] = (words[0] as string).slice(prefix.length);
  if (prefix.includes('@')) words.splice(1, 1);
  return expandWords(words, (name) => vars.get(name));
}

/** Whether the ExecStart line refers to `$NAME` or `${NAME}`. */
export function usesVariable(line: ExecStartLine, name: string): boolean {
  return splitWords(line.value).some((w) => w === `$${name}` || w.includes(`\${${name}}`));
}
