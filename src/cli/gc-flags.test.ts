import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addPolicyOptions, policyFromFlags, type PolicyFlags } from './gc-flags.js';

/** The policy `dockwarden gc ARGS` would run with, or commander's one-line refusal. */
function policyOf(args: string[]) {
  const command = addPolicyOptions(new Command('gc'))
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  command.parse(args, { from: 'user' });
  return policyFromFlags(command.opts<PolicyFlags>());
}

describe('gc policy flags', () => {
  it('reads percentages as operators write them', () => {
    expect(policyOf(['--high', '90', '--low', '82.5%'])).toMatchObject({ highPct: 90, lowPct: 82.5 });
    expect(policyOf([])).toMatchObject({ highPct: 85, lowPct: 80 });
  });

  it.each(['0x50', '1e2', '0b1', ' 50', '', '50 ', '+50', '-1', '101', '.5'])('refuses %j as a percentage instead of guessing', (text) => {
    expect(() => policyOf(['--high', text])).toThrow(`option '--high <pct>' argument '${text}' is invalid. expected a percentage between 0 and 100, such as 85 or 82.5`);
  });

  it('refuses an empty --keep, which would match every image', () => {
    expect(() => policyOf(['--keep', '^web:', '--keep', ''])).toThrow("option '--keep <regex>' argument '' is invalid. an empty pattern matches every image");
    expect(policyOf(['--keep', '^web:']).keep.map((k) => k.pattern)).toEqual(['^web:']);
  });
});
