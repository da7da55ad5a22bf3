import { spawn } from 'node:child_process';

// One way every test runs a process: its output collected, its exit code returned (null
// when a timeout or signal ended it), stdin closed or fed.

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** The whole environment: nothing of the test runner's leaks in. @default PATH only */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  input?: string;
  uid?: number;
  gid?: number;
  /** @default 60 s */
  timeoutMs?: number;
}

export function runCommand(cmd: string, args: string[], opts: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      cwd: opts.cwd,
      uid: opts.uid,
      gid: opts.gid,
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}
