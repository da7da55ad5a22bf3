// The syntax of systemd unit files and drop-ins (systemd.syntax(7)), as far as dockwarden
// needs it: [Section] headers, Key=Value lines, `#`/`;` comments, and lines ending in a
// backslash joined to the next one with the backslash turned into a space. Comment lines
// inside such a continuation are skipped (people comment out one flag of a long ExecStart).

export interface UnitDirective {
  section: string;
  key: string;
  /** The value with surrounding whitespace removed; continuations joined. */
  value: string;
  /** The logical line as written (continuations joined), e.g. `ExecStart=/usr/bin/dockerd -H fd://`. */
  text: string;
  /** 1-based line where the directive starts. */
  line: number;
}

function isComment(line: string): boolean {
  const t = line.trimStart();
  return t.startsWith('#') || t.startsWith(';');
}

export function parseUnitFile(text: string): UnitDirective[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const directives: UnitDirective[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as string;
    const startLine = i + 1;
    if (isComment(first) || first.trim() === '') continue;
    let logical = first;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      logical = logical.replace(/\\\s*$/, ' ');
      i++;
      const next = lines[i] as string;
      if (isComment(next)) {
        // A comment keeps the continuation going; only the comment itself is dropped.
        logical += '\\';
        continue;
      }
      logical += next;
    }
    logical = logical.replace(/\\\s*$/, ' ').trim();
    const header = /^\[([^\]]+)\]$/.exec(logical);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const eq = logical.indexOf('=');
    if (eq < 0) continue;
    directives.push({
      section,
      key: logical.slice(0, eq).trim(),
      value: logical.slice(eq + 1).trim(),
      text: logical.replace(/\s+/g, ' '),
      line: startLine,
    });
  }
  return directives;
}
