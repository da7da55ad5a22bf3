import type { PlanStep } from './plan.js';

// Step constructors, so each plan reads as its list of steps.

export function changeStep(id: string, title: string, destructive: string | null, commands: string[], verify: string[]): PlanStep {
  return { id, title, kind: 'change', destructive, commands, verify };
}

/** A step that only checks: it always runs and changes nothing. */
export function checkStep(id: string, title: string, verify: string[], commands: string[] = []): PlanStep {
  return { id, title, kind: 'check', destructive: null, commands, verify };
}

export function preflightStep(commands: string[]): PlanStep {
  return checkStep('preflight', 'Check the host, the device and the engine', [], commands);
}
