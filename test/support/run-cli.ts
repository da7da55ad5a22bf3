import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult } from './run-command.js';

// Runs the built CLI the way an operator does (`npm test` builds it first), with a
// clean environment so the host's DOCKER_HOST never leaks into a test.
export const CLI = fileURLToPath(new URL('../../bin/dockwarden.js', import.meta.url));

export type CliResult = CommandResult;

export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; uid?: number; gid?: number; timeoutMs?: number } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], {
    ...opts,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent-home', NO_COLOR: '1', ...opts.env },
  });
}
