import { parseDockerdFlags } from '../core/dockerd-flags.js';
import type { DockerServiceModel, ExecStartLine, Provenance, ServiceVariable } from './docker-service.js';
import { execStartArgv, usesVariable } from './docker-service.js';
import type { EnvAssignment } from '../core/env-file.js';
import { shellName, systemdAccepts } from '../core/env-file.js';
import type { ConfigOrigin, ConfigSetting } from './local-facts.js';
import { splitWords } from '../core/systemd-words.js';

// Turns docker.service and the distribution's init defaults into ConfigSettings: every
// flag found, where it was written, and whether dockerd really receives it.

function unitOrigin(kind: 'unit' | 'drop-in'): ConfigOrigin {
  return kind === 'unit' ? 'systemd-unit' : 'systemd-drop-in';
}

/** /etc/default/* and /etc/sysconfig/* are the distributions' places; anything else counts as part of the unit that reads it. */
function originOf(file: string, fallback: ConfigOrigin): ConfigOrigin {
  if (file.startsWith('/etc/default/')) return 'etc-default-docker';
  if (file.startsWith('/etc/sysconfig/')) return 'etc-sysconfig-docker';
  return fallback;
}

/** Settings of the ExecStart= line in force: all effective, attributed to where each flag was written. */
export function settingsFromExecStart(line: ExecStartLine, vars: ReadonlyMap<string, ServiceVariable>): ConfigSetting[] {
  const argv = execStartArgv(line, vars);
  return parseDockerdFlags(argv.map((w) => w.word)).map((flag) => {
    // A flag whose word or value came from a variable is set where the variable is.
    const fromVariable = flag.indexes
      .map((i) => argv[i]?.source)
      .filter((s): s is Provenance => s !== undefined && s !== 'literal')
      .at(-1);
    const base = fromVariable
      ? { origin: originOf(fromVariable.file, unitOrigin(fromVariable.kind)), file: fromVariable.file, text: fromVariable.text }
      : { origin: unitOrigin(line.kind), file: line.file, text: line.text };
    return { key: flag.key, value: flag.value, ...base, effective: true };
  });
}

function literalFlags(line: ExecStartLine, effective: false, reason: string): ConfigSetting[] {
  return parseDockerdFlags(splitWords(line.value)).map((flag) => ({
    key: flag.key,
    value: flag.value,
    origin: unitOrigin(line.kind),
    file: line.file,
    text: line.text,
    effective,
    ineffectiveReason: reason,
  }));
}

/** Flags of ExecStart= lines that dockerd does not get: cleared by a later `ExecStart=`, or shadowed by a later ExecStart=. */
export function settingsFromUnusedExecStarts(model: DockerServiceModel): ConfigSetting[] {
  const out: ConfigSetting[] = [];
  for (const { line, by } of model.cleared) {
    out.push(...literalFlags(line, false, `the empty \`ExecStart=\` in ${by} clears this command line, so dockerd does not receive it`));
  }
  const last = model.execStarts.at(-1);
  for (const line of model.execStarts.slice(0, -1)) {
    out.push(
      ...literalFlags(
        line,
        false,
        `a later ExecStart= in ${last?.file ?? 'docker.service'} is added without an empty \`ExecStart=\` before it; systemd refuses to start a Type=${model.type} service with two command lines`,
      ),
    );
  }
  return out;
}

export interface InitDefaultsFile {
  path: string;
  assignments: EnvAssignment[];
}

export interface ServiceContext {
  /** Whether a docker.service unit exists at all (else sysvinit/upstart scripts read these files). */
  unitFound: boolean;
  model: DockerServiceModel;
  vars: ReadonlyMap<string, ServiceVariable>;
}

/**
 * Flags in /etc/default/docker (DOCKER_OPTS, read by Debian's sysvinit and upstart jobs) and
 * /etc/sysconfig/docker* (OPTIONS, DOCKER_STORAGE_OPTIONS, read by RHEL's unit). They reach
 * dockerd only when the unit reads the file AND puts the variable on its command line;
 * Docker's own docker.service does neither, which is how a `-g` written there is silently
 * ignored and the data root "moves" back to /var/lib/docker.
 * Flags that do reach dockerd are reported by settingsFromExecStart, not again here.
 */
export function settingsFromInitDefaults(files: InitDefaultsFile[], ctx: ServiceContext): ConfigSetting[] {
  const out: ConfigSetting[] = [];
  const execLine = ctx.model.execStarts.at(-1);
  for (const file of files) {
    const origin = originOf(file.path, 'etc-default-docker');
    const read = ctx.model.environmentFiles.some((ref) => ref.path === file.path);
    for (const a of file.assignments) {
      const name = shellName(a);
      if (name === null) continue;
      const words = a.value.split(/[ \t\n\r]+/).filter((w) => w !== '');
      const flags = parseDockerdFlags(['dockerd', ...words]);
      if (flags.length === 0) continue;

      let reason: string | undefined;
      const lastLine = file.assignments.filter((b) => shellName(b) === name).at(-1)?.line;
      if (!ctx.unitFound) {
        // No unit: an init script sources the file as shell, where the last assignment wins.
        if (lastLine !== a.line) reason = `${name} is set again later in ${file.path}, so this value is not used`;
      } else {
        const winner = ctx.vars.get(name)?.source;
        if (!read) reason = `docker.service does not read ${file.path}, so ${name} is ignored under systemd`;
        else if (!systemdAccepts(a)) reason = `systemd ignores \`${a.key}=...\` in ${file.path} (it takes only NAME=value lines), so ${name} does not reach dockerd`;
        else if (!execLine || !usesVariable(execLine, name)) {
          reason = `docker.service reads ${file.path} but its ExecStart${execLine ? ` (in ${execLine.file})` : ''} does not use $${name}, so ${name} is ignored`;
        } else if (winner && (winner.file !== file.path || winner.line !== a.line)) {
          reason = `${name} from ${file.path} is overridden by ${winner.file === file.path ? 'a later line of the same file' : winner.file}, so this value does not reach dockerd`;
        } else continue; // it reaches dockerd: settingsFromExecStart reports it
      }
      for (const flag of flags) {
        const setting: ConfigSetting = { key: flag.key, value: flag.value, origin, file: file.path, text: a.text, effective: reason === undefined };
        if (reason !== undefined) setting.ineffectiveReason = reason;
        out.push(setting);
      }
    }
  }
  return out;
}
