import { CommanderError } from 'commander';
import { EngineError, UsageError } from '../core/errors.js';

// The only place errors become exit codes (DESIGN.md: bad input and engine trouble exit 3
// with one line on stderr, never a stack trace). A bug exits 70 (EX_SOFTWARE) and shows
// its stack only with DOCKWARDEN_DEBUG=1.

export const EXIT_USAGE = 3;

/** Where a user without a Docker engine at hand can still see everything. */
export const NO_ENGINE_HINT = 'No Docker engine on this machine? `sudo npx dockwarden demo` runs one on a throwaway disk and shows dockwarden on it.';
export const EXIT_BUG = 70;

export function exitCodeForError(err: unknown, env: NodeJS.ProcessEnv, writeErr: (line: string) => void): number {
  if (err instanceof CommanderError) {
    if (err.exitCode === 0) return 0; // --help, --version
    // commander already printed its one line ("error: unknown option '--x'").
    return EXIT_USAGE;
  }
  if (err instanceof UsageError || err instanceof EngineError) {
    const hint = err instanceof EngineError && err.details.unreachable ? ` ${NO_ENGINE_HINT}` : '';
    writeErr(`dockwarden: ${oneLine(err.message)}${hint}`);
    return EXIT_USAGE;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  writeErr(`dockwarden: internal error: ${oneLine(e.message)} (this is a bug; run with DOCKWARDEN_DEBUG=1 for the stack trace)`);
  if (env['DOCKWARDEN_DEBUG']) writeErr(e.stack ?? '');
  return EXIT_BUG;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
