import { exitCodeForError } from '../exit.js';
import type { CliIo } from '../cli-io.js';
import { buildProgram } from '../program.js';

// The CLI run in this process, as main.ts runs it but with its output captured and a
// fixed clock: for tests of a command's exit code and lines without spawning node.

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(args: string[], now: Date): Promise<InProcessRun> {
  let stdout = '';
  let stderr = '';
  let code = 0;
  const io: CliIo = {
    env: {},
    now: () => now,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t.endsWith('\n') ? t : `${t}\n`),
    stdoutIsTty: false,
    stderrIsTty: false,
    signals: { next: () => new Promise(() => undefined), exitNow: () => undefined },
  };
  try {
    await buildProgram(io, (c) => (code = c)).parseAsync(['node', 'dockwarden', ...args]);
  } catch (err) {
    code = exitCodeForError(err, {}, (line) => (stderr += `${line}\n`));
  }
  return { code, stdout, stderr };
}
