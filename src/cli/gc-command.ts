import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONCURRENCY } from '../gc/execute-plan.js';
import { DEFAULT_DB } from './defaults.js';
import { addPolicyOptions } from './gc-flags.js';
import type { CliIo } from './cli-io.js';
import type { GcFlags } from './gc-run.js';

// `dockwarden gc`: its options. The work (and the flags' type) is in gc-run.ts, loaded
// when it runs: a type import loads nothing.

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgumentError('expected a whole number from 1 to 64');
  return n;
}

export function addGcCommand(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const command = program.command('gc').description('delete images the way kubelet does: above --high, least recently used first down to --low; never images a container or service needs');
  addPolicyOptions(command)
    .option('--containers-older-than <dur>', 'first remove stopped containers created longer ago than this')
    .option('--build-cache', 'first prune build cache no build is using')
    .addOption(new Option('--concurrency <n>', 'deletions in flight').argParser(positiveInt).default(DEFAULT_CONCURRENCY))
    .option('--db <file>', `the agent's store, for the image use it recorded (default: ${DEFAULT_DB} when it exists)`)
    .option('--dry-run', 'change nothing; print the plan and the predicted usage')
    .option('--json', 'JSON output: {before, after, deleted, kept, ...}')
    .action(async (flags: GcFlags) => {
      const { runGcCommand } = await import('./gc-run.js');
      await runGcCommand(program.opts(), flags, io, setExit);
    });
}
