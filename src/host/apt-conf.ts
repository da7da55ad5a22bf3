// APT's configuration syntax (apt.conf(5)), enough for the two forms people write:
//   APT::Periodic::Unattended-Upgrade "1";
//   Unattended-Upgrade::Package-Blacklist { "docker.io"; "containerd"; };
// plus nested scopes `APT { Periodic { Unattended-Upgrade "1"; }; };`, `//`, `/* */` and
// `#` comments, and `#clear Name;`. Names are case-insensitive in APT, so they are
// lowercased here. A quoted value alone in a scope is a list item of that scope.

export type AptConfOp = { kind: 'set'; name: string; value: string } | { kind: 'append'; name: string; value: string } | { kind: 'clear'; name: string };

type Token = { t: 'word' | 'string'; v: string } | { t: '{' | '}' | ';' } | { t: 'clear'; v: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) i++;
    else if (c === '/' && text[i + 1] === '/') i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    else if (c === '/' && text[i + 1] === '*') i = text.indexOf('*/', i + 2) < 0 ? text.length : text.indexOf('*/', i + 2) + 2;
    else if (c === '#') {
      const end = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
      const clear = /^#clear\s+([^\s;]+)/.exec(text.slice(i, end));
      if (clear) tokens.push({ t: 'clear', v: clear[1] as string });
      i = end; // #include and plain comments: nothing dockwarden needs
    } else if (c === '{' || c === '}' || c === ';') {
      tokens.push({ t: c });
      i++;
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1);
      tokens.push({ t: 'string', v: text.slice(i + 1, end < 0 ? text.length : end) });
      i = end < 0 ? text.length : end + 1;
    } else {
      const m = /^[^\s{};"]+/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

function join(scope: string[], name: string): string {
  return [...scope, name]
    .filter((p) => p !== '')
    .join('::')
    .toLowerCase();
}

/** The assignments of one apt.conf file, in order. */
export function parseAptConf(text: string): AptConfOp[] {
  const tokens = tokenize(text);
  const ops: AptConfOp[] = [];
  const scope: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const next = tokens[i + 1];
    if (tok.t === '}') scope.pop();
    else if (tok.t === 'clear') ops.push({ kind: 'clear', name: join(scope, tok.v) });
    else if (tok.t === 'string' && (next?.t === ';' || next?.t === '}')) {
      ops.push({ kind: 'append', name: join(scope, ''), value: tok.v });
    } else if (tok.t === 'word' || tok.t === 'string') {
      if (next?.t === '{') {
        scope.push(tok.v.replace(/::$/, ''));
        i++;
      } else if (next?.t === 'word' || next?.t === 'string') {
        // `Name:: "value";` is a list item of Name, like a bare string inside `Name { }`.
        const name = join(scope, tok.v.replace(/::$/, ''));
        ops.push(tok.v.endsWith('::') ? { kind: 'append', name, value: next.v } : { kind: 'set', name, value: next.v });
        i++;
      }
    }
  }
  return ops;
}

/**
 * Whether apt.conf.d would read a file of this name: APT ignores names with characters
 * other than letters, digits, `_`, `-` and `.`, and extensions other than `.conf`, so
 * `50unattended-upgrades.dpkg-old` or `.ucf-dist` leftovers do not count.
 */
export function aptReadsPart(name: string): boolean {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return false;
  const dot = name.lastIndexOf('.');
  return dot < 0 || name.slice(dot) === '.conf';
}
