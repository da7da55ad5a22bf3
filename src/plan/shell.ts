import { createHash } from 'node:crypto';

// Small pieces of bash the plan generators share. Every value that reaches a script goes
// through shq(): device names and paths come from the operator and the host.

/** Quotes a word for bash; plain words (paths, device names) stay readable. */
export function shq(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** sha256 of a file's text, as `sha256sum` prints it; 'absent' for a file that does not exist. */
export function sha256Text(text: string | null): string {
  return text === null ? 'absent' : createHash('sha256').update(text, 'utf8').digest('hex');
}

const HEREDOC_END = 'DOCKWARDEN_EOF';

/**
 * A command that replaces `path` with `text` (see replace_file in the script prelude):
 * a heredoc the operator can read when the text allows one, printf otherwise.
 */
export function replaceFileCommand(path: string, before: string | null, text: string): string {
  const call = `replace_file ${shq(path)} ${sha256Text(before)}`;
  const lines = text.split('\n');
  if (text.endsWith('\n') && !lines.includes(HEREDOC_END)) return `${call} <<'${HEREDOC_END}'\n${text}${HEREDOC_END}`;
  return `printf '%s' ${shq(text)} | ${call}`;
}

/** The bash condition "path holds exactly `text`". */
export function fileHasText(path: string, text: string | null): string {
  return `[[ "$(sha_of ${shq(path)})" == ${sha256Text(text)} ]]`;
}

/** The bash condition "docker info's Go template `template` prints `expected`". */
export function infoEquals(template: string, expected: string): string {
  return `[[ "$(docker_info ${shq(template)})" == ${shq(expected)} ]]`;
}

/** The bash condition "the storage driver reports `label` as `expected`" (DriverStatus). */
export function driverStatusEquals(label: string, expected: string): string {
  return `[[ "$(driver_status ${shq(label)})" == ${shq(expected)} ]]`;
}
