import { UsageError } from '../core/errors.js';

// What arrives around `docker info` output when people paste it: mail and markdown
// quoting ("> " before each line, and clients that leave a ">" or "<br>" after it),
// trailing blanks and CRs, and for JSON any number of lines before it — prompts
// ("$ docker info --format '{{json .}}'", "root@host:~# ..."), `docker --version`, a
// "// from prod-7" comment — and a prompt after it.

/** `docker info` JSON is a handful of levels deep; anything past this is not it, and would overflow the stack of every recursive reader. */
export const MAX_JSON_DEPTH = 100;

/** "> > Containers: 3" -> "Containers: 3"; the indentation after the quote marks is kept. */
function stripLeadingQuote(line: string): string {
  return line.replace(/^[ \t]*(?:>[ \t]?)+/, '');
}

/**
 * "Storage Driver: devicemapper>" -> "Storage Driver: devicemapper". A ">" that closes a
 * "<" on the line ("Registry: <https://index.docker.io/v1/>", a markdown autolink) stays.
 */
function stripTrailingArtifacts(line: string): string {
  // trimEnd, not /\s+$/: that regex retries from every blank of a long indentation (quadratic).
  let l = line.trimEnd();
  for (;;) {
    const withoutBreak = l.replace(/<br\s*\/?>$/i, '').trimEnd();
    if (withoutBreak !== l) l = withoutBreak;
    else if (l.endsWith('>') && !l.includes('<')) l = l.slice(0, -1).trimEnd();
    else return l;
  }
}

/** Every line without its quoting artifacts, in order (blank lines stay blank: they end blocks). */
export function cleanPasteLines(lines: readonly string[]): string[] {
  return lines.map((l) => stripTrailingArtifacts(stripLeadingQuote(l)));
}

/** An object opening ("{", `{"ID": …`) or an array opening ("[", `[["Pool Name", …`); not "{{json .}}" nor "[root@host ~]#". */
const JSON_OPENING = /^\s*(\{\s*($|["}])|\[\s*($|[[{"\]\d-]))/;

export interface JsonInPaste {
  /** 0-based index of the line where the JSON starts. */
  startLine: number;
  /** The JSON text, from its opening bracket to the one that closes it (to the end when it never closes). */
  text: string;
  /** The non-blank lines before and after the JSON that are not part of it. */
  skipped: string[];
}

/**
 * Where the JSON value that starts at `from` ends (the index of its closing bracket), or -1
 * when it never closes. Iterative, so 100,000 nested brackets cost a loop, not the stack.
 */
function closingIndex(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') {
      depth++;
      if (depth > MAX_JSON_DEPTH) {
        throw new UsageError(`--info: the JSON is nested more than ${MAX_JSON_DEPTH} levels deep; \`docker info\` output never is, so this is not it.`);
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/**
 * The JSON value in a paste: on its first non-blank line, or after lines of shell and
 * chatter. `isDockerInfoText` tells a line of `docker info` text: once one comes before
 * the brace, the paste is text (with something brace-like in it), not JSON.
 */
export function findJsonInPaste(lines: readonly string[], isDockerInfoText: (line: string) => boolean): JsonInPaste | undefined {
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return undefined;
  let start = -1;
  for (let i = first; i < lines.length; i++) {
    const line = lines[i] as string;
    if (JSON_OPENING.test(line)) {
      start = i;
      break;
    }
    if (isDockerInfoText(line.trim())) return undefined;
  }
  if (start < 0) return undefined;
  const rest = lines.slice(start).join('\n');
  const end = closingIndex(rest, rest.search(/[{[]/));
  const text = end >= 0 ? rest.slice(0, end + 1) : rest;
  const after = end >= 0 ? rest.slice(end + 1).split('\n') : [];
  const skipped = [...lines.slice(first, start), ...after].map((l) => l.trim()).filter((l) => l !== '');
  return { startLine: start, text, skipped };
}

/** "3 lines that are not part of the JSON were skipped: "$ docker --version", …" */
export function describeSkipped(skipped: readonly string[]): string {
  const shown = skipped.slice(0, 3).map((l) => JSON.stringify(l.length > 60 ? `${l.slice(0, 60)}…` : l));
  const more = skipped.length > 3 ? `, and ${skipped.length - 3} more` : '';
  const count = skipped.length === 1 ? 'One line' : `${skipped.length} lines`;
  return `${count} around the JSON ${skipped.length === 1 ? 'is' : 'are'} not part of it and ${skipped.length === 1 ? 'was' : 'were'} skipped: ${shown.join(', ')}${more}.`;
}
