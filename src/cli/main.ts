import { buildProgram } from './program.js';
import { exitCodeForError } from './exit.js';

// The process edge: real clock, environment and streams in; an exit code out.
async function main(): Promise<number> {
  let code = 0;
  const program = buildProgram(
    {
      env: process.env,
      now: () => new Date(),
      stdout: (text) => process.stdout.write(text),
      // Lines get their newline here; a progress line ("\r…") is rewritten in place and gets none.
      stderr: (text) => process.stderr.write(text.endsWith('\n') || text.startsWith('\r') ? text : `${text}\n`),
      stdoutIsTty: Boolean(process.stdout.isTTY),
      stderrIsTty: Boolean(process.stderr.isTTY),
      signals: {
        next: () =>
          new Promise((resolve) => {
            const on = (name: string) => () => resolve(name);
            process.once('SIGTERM', on('SIGTERM'));
            process.once('SIGINT', on('SIGINT'));
          }),
        exitNow: (code) => {
          // Let pending writes reach the pipes, then leave whatever handles are still open.
          process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
        },
      },
    },
    (c) => {
      code = c;
    },
  );
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    return exitCodeForError(err, process.env, (line) => process.stderr.write(`${line}\n`));
  }
  return code;
}

process.exitCode = await main();
