import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Runs the built CLI the way an operator does (`npm test` builds it first), with a
// clean environment so the host's DOCKER_HOST never leaks into a test.
export const CLI = fileURLToPath(new URL('../../bin/dockwarden.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  opts: { env?: Record<string, string>; input?: string; uid?: number; gid?: number; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', NO_COLOR: '1', ...opts.env },
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
