import { spawn } from 'node:child_process';
import { SQLITE_BINDING_ENV } from '../../src/store/open-sqlite.js';

// One way every test runs a process: its output collected, its exit code returned (null
// when a timeout or signal ended it), stdin closed or fed.

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** The whole environment: nothing of the test runner's leaks in (but childEnv's one variable). @default PATH only */
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
      env: childEnv(opts.env ?? { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }),
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

/**
 * `env` plus the test runner's DOCKWARDEN_SQLITE_BINDING, when it has one and `env` sets
 * none. It belongs to process.execPath, not to a test: in `npm test`'s run on the Node LTS
 * it names the better-sqlite3 build for that Node, which a CLI started with
 * process.execPath needs to open its store.
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const binding = process.env[SQLITE_BINDING_ENV];
  return binding && env[SQLITE_BINDING_ENV] === undefined ? { ...env, [SQLITE_BINDING_ENV]: binding } : env;
}
