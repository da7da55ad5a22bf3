import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { parseHumanSize } from '../core/human-size.js';
import { makeGcPolicy, type GcPolicy } from '../gc/gc-policy.js';

// The GC policy flags, the same for `dockwarden gc` and `dockwarden agent` (which runs
// the same planner on a timer), parsed into one validated GcPolicy.

export interface PolicyFlags {
  high: number;
  low: number;
  minAge: string;
  maxAge?: string;
  keep: string[];
  budget?: string;
}

/** "85", "85%", "82.5": plain decimals only; Number() would also take "0x50" (80), "1e2" and " ". */
export function parsePercent(text: string): number {
  const n = /^\d+(\.\d+)?%?$/.test(text) ? Number.parseFloat(text) : Number.NaN;
  if (!(n >= 0 && n <= 100)) throw new InvalidArgumentError('expected a percentage between 0 and 100, such as 85 or 82.5');
  return n;
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** An empty --keep (an unset shell variable, `--keep "$KEEP"`) matches every image and would turn gc off unseen. */
export function collectKeep(value: string, previous: string[]): string[] {
  if (value === '') throw new InvalidArgumentError('an empty pattern matches every image and would keep them all; give a regular expression, such as ^myapp:');
  return collect(value, previous);
}

export function addPolicyOptions(command: Command): Command {
  return command
    .addOption(new Option('--high <pct>', 'collect only above this usage of the data-root filesystem').argParser(parsePercent).default(85))
    .addOption(new Option('--low <pct>', 'stop once usage is at or below this').argParser(parsePercent).default(80))
    .option('--min-age <dur>', 'never delete an image first seen less than this long ago', '2m')
    .option('--max-age <dur>', 'also delete images unused for longer than this, whatever the usage')
    .option('--keep <regex>', 'never delete images whose tag, digest or id matches (repeatable)', collectKeep, [])
    .option('--budget <size>', 'for an engine whose filesystem cannot be measured: keep total image bytes under SIZE (e.g. 20GB)');
}

function budgetBytes(text: string): number {
  try {
    return parseHumanSize(text);
  } catch {
    throw new UsageError(`--budget ${JSON.stringify(text)} is not a size: use bytes with a unit, such as 20GB, 500MB or 1.5TiB.`);
  }
}

export function policyFromFlags(flags: PolicyFlags): GcPolicy {
  return makeGcPolicy({
    highPct: flags.high,
    lowPct: flags.low,
    minAgeMs: parseDuration(flags.minAge, '--min-age'),
    maxAgeMs: flags.maxAge === undefined ? null : parseDuration(flags.maxAge, '--max-age'),
    keep: flags.keep,
    budgetBytes: flags.budget === undefined ? null : budgetBytes(flags.budget),
  });
}
