// How systemd turns an ExecStart= or Environment= value into words (systemd.service(5),
// "Command lines"): split at whitespace, "double" and 'single' quotes group, a backslash
// escapes the next character. Then variables: a word that is exactly `$NAME` becomes the
// variable's value split at whitespace (zero or more words: `$OPTIONS` on CentOS), while
// `${NAME}` inside a word is replaced in place and never splits. A braceless `$NAME`
// inside a word is left as it is. `$$` is a literal dollar, `%%` a literal percent.

const WHITESPACE = /[ \t\n\r]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/** Splits a value into words, removing quotes and backslash escapes. */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      const next = value[++i] as string;
      word = (word ?? '') + (ESCAPES[next] ?? next);
      continue;
    }
    if (quote) {
      if (ch === quote) quote = null;
      else word = (word ?? '') + ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      word = word ?? '';
      continue;
    }
    if (WHITESPACE.test(ch)) {
      if (word !== null) words.push(word);
      word = null;
      continue;
    }
    word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return words;
}

/** NAME=VALUE words of an Environment= line; words that are not assignments are ignored, as systemd does. */
export function parseEnvironmentWords(value: string): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const word of splitWords(value)) {
    const eq = word.indexOf('=');
    if (eq <= 0) continue;
    const name = word.slice(0, eq);
    if (NAME.test(name)) out.push({ name, value: word.slice(eq + 1) });
  }
  return out;
}

export interface ExpandedWord<S> {
  word: string;
  /** Where the word came from: the command line itself, or the variable that produced it. */
  source: S | 'literal';
  /** The variable the word came from, when it came from one. */
  variable?: string;
}

/**
 * Expands variables in words. `lookup` returns the value and where it was set, or
 * undefined when the variable is not set (then `$NAME` yields no word and `${NAME}` "").
 */
export function expandWords<S>(words: string[], lookup: (name: string) => { value: string; source: S } | undefined): Array<ExpandedWord<S>> {
  const out: Array<ExpandedWord<S>> = [];
  for (const raw of words) {
    const word = raw.replace(/%%/g, '%');
    const whole = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word);
    if (whole) {
      const name = whole[1] as string;
      const found = lookup(name);
      for (const part of (found?.value ?? '').split(/[ \t\n\r]+/).filter((p) => p !== '')) {
        out.push({ word: part, source: found ? found.source : 'literal', variable: name });
      }
      continue;
    }
    let source: S | 'literal' = 'literal';
    let variable: string | undefined;
    const replaced = word.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string | undefined) => {
      if (name === undefined) return '$';
      const found = lookup(name);
      if (found) {
        source = found.source;
        variable = name;
      }
      return found?.value ?? '';
    });
    out.push(variable === undefined ? { word: replaced, source } : { word: replaced, source, variable });
  }
  return out;
}
