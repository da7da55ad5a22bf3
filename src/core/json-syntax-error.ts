// Where a JSON text first goes wrong, as line and column. V8's own messages differ between
// Node versions (Node 20 names a position for some errors and none for others; Node 22
// adds line/column), so dockwarden finds the place itself and words the usual daemon.json
// mistakes (trailing comma, comments, single quotes, Windows paths) in the operator's terms.

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  message: string;
  /** The text may be valid JSON, but nested deeper than the reader allows. */
  tooDeep?: true;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly reason: string,
    readonly tooDeep = false,
  ) {
    super(reason);
  }
}

function describe(ch: string | undefined): string {
  if (ch === undefined) return 'end of file';
  if (ch === '\n') return 'a line break';
  return `'${ch}'`;
}

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i] as string)) this.i++;
  }

  fail(reason: string, at = this.i, tooDeep = false): never {
    throw new Stop(at, reason, tooDeep);
  }

  unexpected(expected: string): never {
    const ch = this.s[this.i];
    if (ch === '/' && (this.s[this.i + 1] === '/' || this.s[this.i + 1] === '*')) this.fail('comments are not allowed in JSON');
    if (ch === "'") this.fail('strings must use double quotes, not single quotes');
    if (ch === undefined) this.fail(`unexpected end of file, expected ${expected}`);
    this.fail(`expected ${expected}, found ${describe(ch)}`);
  }

  /**
   * One whole value. Iterative, with the open brackets on a stack of our own: a recursive
   * descent overflows Node's stack at a few thousand levels, and a file may nest 100,000.
   */
  value(maxDepth: number): void {
    const open: Array<'{' | '['> = [];
    for (;;) {
      this.ws();
      const ch = this.s[this.i];
      if (ch === '{' || ch === '[') {
        if (open.length >= maxDepth) this.fail(`nested more than ${maxDepth} levels deep`, this.i, true);
        this.i++;
        this.ws();
        if (this.s[this.i] !== (ch === '{' ? '}' : ']')) {
          open.push(ch);
          if (ch === '{') this.key();
          continue;
        }
        this.i++;
      } else this.scalar(ch);
      // A value is complete: close what it completes, up to the next ',' or the end.
      for (;;) {
        const top = open.at(-1);
        if (top === undefined) return;
        const close = top === '{' ? '}' : ']';
        this.ws();
        if (this.s[this.i] === close) {
          this.i++;
          open.pop();
          continue;
        }
        if (this.s[this.i] !== ',') this.unexpected(top === '{' ? "',' or '}' after the property value" : "',' or ']' after the array element");
        const comma = this.i;
        this.i++;
        this.ws();
        if (this.s[this.i] === close) this.fail(`trailing comma before '${close}'`, comma);
        if (top === '{') this.key();
        break;
      }
    }
  }

  scalar(ch: string | undefined): void {
    if (ch === '"') {
      this.string();
      return;
    }
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) {
      this.number();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.unexpected('a value');
  }

  /** `"name":` inside an object, up to the value. */
  key(): void {
    this.ws();
    if (this.s[this.i] !== '"') this.unexpected('a property name in double quotes');
    this.string();
    this.ws();
    if (this.s[this.i] !== ':') this.unexpected("':' after the property name");
    this.i++;
  }

  string(): void {
    const start = this.i;
    this.i++;
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) this.fail('unterminated string', start);
      if (ch === '"') {
        this.i++;
        return;
      }
      if (ch < ' ') this.fail(ch === '\n' ? 'line break inside a string (missing closing quote?)' : 'control character inside a string');
      if (ch === '\\') {
        const esc = this.s[this.i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) this.fail('bad \\u escape in a string');
          this.i += 6;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) {
          this.fail(`bad escape \\${esc ?? ''} in a string (write a backslash as \\\\)`);
        }
        this.i += 2;
        continue;
      }
      this.i++;
    }
  }

  number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m || m[0] === '-') this.fail('malformed number');
    this.i += m[0].length;
  }
}

function lineColumn(text: string, at: number): { line: number; column: number } {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

/** Go's encoding/json stops here ("exceeded max depth"), so dockerd cannot read anything deeper. */
export const GO_JSON_MAX_DEPTH = 10_000;

/** The first syntax error of `text`, or null when it is valid JSON nested at most `maxDepth` levels. */
export function findJsonSyntaxError(text: string, maxDepth = GO_JSON_MAX_DEPTH): JsonSyntaxError | null {
  if (text.charCodeAt(0) === 0xfeff) {
    return { line: 1, column: 1, message: 'the file starts with a UTF-8 byte-order mark' };
  }
  const scanner = new Scanner(text);
  try {
    scanner.value(maxDepth);
    scanner.ws();
    if (scanner.i < text.length) scanner.fail(`unexpected ${describe(text[scanner.i])} after the end of the JSON value`);
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { ...lineColumn(text, err.at), message: err.reason, ...(err.tooDeep ? { tooDeep: true as const } : {}) };
  }
}
