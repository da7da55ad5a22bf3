// Environment files: systemd's EnvironmentFile= format, which /etc/default/docker and
// /etc/sysconfig/docker also follow closely enough for the lines that matter. This is
// systemd's own state machine (env-file.c): KEY=VALUE, `#`/`;` comment lines, 'single'
// quotes literal, "double" quotes with backslash escapes, backslash-newline continues.
// Lines without `=` (the `if [ ... ]; then` in CentOS's /etc/sysconfig/docker) are dropped.

export interface EnvAssignment {
  /** The key as written; `export DOCKER_OPTS` stays `export DOCKER_OPTS` (see systemdAccepts). */
  key: string;
  value: string;
  /** The assignment as written, e.g. `OPTIONS='--selinux-enabled --log-driver=journald'`. */
  text: string;
  /** 1-based line of the key. */
  line: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Whether systemd takes the assignment. It does not understand `export NAME=...`: the key
 * "export NAME" is not a valid name and the line is ignored ("Ignoring invalid environment
 * assignment"), although the shell that sources the same file for sysvinit honours it.
 */
export function systemdAccepts(a: EnvAssignment): boolean {
  return NAME.test(a.key);
}

/** The variable a shell would set with this line (`export NAME=...` sets NAME). */
export function shellName(a: EnvAssignment): string | null {
  const name = a.key.replace(/^export\s+/, '');
  return NAME.test(name) ? name : null;
}

// The characters that a backslash escapes inside double quotes, as in the shell.
const SHELL_NEED_ESCAPE = '"\\`$';

export function parseEnvFile(text: string): EnvAssignment[] {
  type State = 'preKey' | 'key' | 'preValue' | 'value' | 'valueEscape' | 'single' | 'double' | 'doubleEscape' | 'comment';
  const out: EnvAssignment[] = [];
  let state: State = 'preKey';
  let key = '';
  let value = '';
  let valueTrim = -1; // index in `value` where trailing unquoted whitespace starts
  let start = 0;
  let startLine = 1;
  let line = 1;

  const push = (end: number): void => {
    const v = state === 'value' && valueTrim >= 0 ? value.slice(0, valueTrim) : value;
    out.push({ key: key.trim(), value: v, text: text.slice(start, end).trim(), line: startLine });
    key = '';
    value = '';
    valueTrim = -1;
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const newline = c === '\n' || c === '\r';
    switch (state) {
      case 'preKey':
        if (c === '#' || c === ';') state = 'comment';
        else if (!/\s/.test(c)) {
          state = 'key';
          key = c;
          start = i;
          startLine = line;
        }
        break;
      case 'key':
        if (newline) {
          state = 'preKey';
          key = '';
        } else if (c === '=') {
          state = 'preValue';
          valueTrim = -1;
        } else key += c;
        break;
      case 'preValue':
        if (newline) {
          push(i);
          state = 'preKey';
        } else if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        else if (c === '\\') state = 'valueEscape';
        else if (!/\s/.test(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (newline) {
          push(i);
          state = 'preKey';
        } else if (c === '\\') {
          state = 'valueEscape';
          valueTrim = -1;
        } else {
          if (!/\s/.test(c)) valueTrim = -1;
          else if (valueTrim < 0) valueTrim = value.length;
          value += c;
        }
        break;
      case 'valueEscape':
        state = 'value';
        if (!newline) value += c;
        break;
      case 'single':
        if (c === "'") state = 'preValue';
        else value += c;
        break;
      case 'double':
        if (c === '"') state = 'preValue';
        else if (c === '\\') state = 'doubleEscape';
        else value += c;
        break;
      case 'doubleEscape':
        state = 'double';
        if (SHELL_NEED_ESCAPE.includes(c)) value += c;
        else if (c !== '\n') value += `\\${c}`;
        break;
      case 'comment':
        if (newline) state = 'preKey';
        break;
    }
    if (c === '\n') line++;
  }
  if (state !== 'preKey' && state !== 'key' && state !== 'comment') push(text.length);
  return out;
}
