import { InternalError } from '../core/errors.js';
import type { Plan, PlanStep } from './plan.js';
import { SCRIPT_PRELUDE } from './script-prelude.js';
import { shq } from './shell.js';

// Plan -> bash. Each step becomes do_N (its commands) and verified_N (its conditions);
// run_step in the prelude decides whether to skip, ask, run and check. The apply and
// rollback step lists are numbered separately and chosen by MODE.

export interface ScriptHeader {
  /** `dockwarden plan overlay2 --device /dev/sdb ...` as it was run. */
  command: string;
  generatedAt: Date;
  /** Host name or engine the plan was made for. */
  madeFor: string;
  /** Exported before anything runs, e.g. DOCKER_HOST for an engine on another socket. */
  env: Record<string, string>;
}

function indent(lines: string[]): string[] {
  return lines.flatMap((l) => l.split('\n')).map((l) => (l === '' ? '' : `  ${l}`));
}

function stepFunctions(step: PlanStep, n: string): string[] {
  if (step.kind === 'change' && step.verify.length === 0) {
    throw new InternalError(`plan step "${step.id}" changes something but has no verify: a re-run could not tell it is done.`);
  }
  const body = step.commands.length > 0 ? step.commands : [':'];
  // Heredocs must end flush left: indent only the lines outside them.
  const commands = body.some((c) => c.includes('<<')) ? body : indent(body);
  // `a && b || failed` would run `failed` for the wrong reason (SC2015): group compound conditions.
  const verify = step.verify.map((v) => `  ${/&&|\|\|/.test(v) ? `{ ${v}; }` : v} || { failed $LINENO; return; }`);
  return [`do_${n}() {`, ...commands, '}', `verified_${n}() {`, ...(verify.length > 0 ? verify : ['  :']), '}'];
}

function stepList(steps: PlanStep[], prefix: string): { functions: string[]; calls: string[] } {
  const functions: string[] = [];
  const calls: string[] = [];
  steps.forEach((step, i) => {
    const n = `${prefix}${i + 1}`;
    functions.push(`# ${step.title}`, ...stepFunctions(step, n), '');
    calls.push(`  run_step ${n} ${shq(step.title)} ${step.kind} ${shq(step.destructive ?? '')}`);
  });
  return { functions, calls };
}

function comment(text: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let line = '#';
  for (const word of words) {
    if (line.length + word.length + 1 > 92 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  lines.push(line);
  return lines;
}

export function renderScript(plan: Plan, header: ScriptHeader): string {
  const apply = stepList(plan.steps, '');
  const rollback = stepList(plan.rollback, 'r');
  const out: string[] = [
    '#!/usr/bin/env bash',
    `# ${plan.title}`,
    `# Made by: ${header.command}`,
    `# For ${header.madeFor} on ${header.generatedAt.toISOString()}.`,
    '#',
    ...plan.summary.flatMap(comment),
    '#',
    '# Read it first. Then:  bash THIS-SCRIPT             asks before every destructive step',
    '#                       bash THIS-SCRIPT --yes       asks nothing (automation)',
    '#                       bash THIS-SCRIPT --rollback  back to the old root and configuration',
    '# Running it again after a failure is safe: steps already done are skipped.',
    ...(plan.warnings.length > 0 ? ['#', '# WARNINGS', ...plan.warnings.flatMap((w) => comment(`- ${w}`))] : []),
    'set -euo pipefail',
    '',
    '# What this plan was made with.',
    ...Object.entries(plan.settings).map(([k, v]) => `#   ${k}: ${v}`),
    ...Object.entries(header.env).map(([k, v]) => `export ${k}=${shq(v)}`),
    '',
    SCRIPT_PRELUDE,
    ...apply.functions,
    ...rollback.functions,
    'if [[ $MODE == apply ]]; then',
    `  TOTAL=${plan.steps.length}`,
    ...apply.calls,
    `  say ""`,
    '  say "Done. To go back: bash $0 --rollback"',
    'else',
    `  TOTAL=${plan.rollback.length}`,
    ...rollback.calls,
    `  say ""`,
    `  say 'Rolled back.'`,
    'fi',
    '',
  ];
  return out.join('\n');
}
