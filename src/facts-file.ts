import { UsageError } from './core/errors.js';
import { hostFactsSchema, type HostFacts } from './facts.js';

// Facts read back from a file `dockwarden facts` wrote (doctor --facts), checked against
// the schema: a file is input from outside.

/** Reads back what `dockwarden facts` wrote, reporting every schema problem at once. */
export function parseFactsFile(text: string, source: string): HostFacts {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--facts ${source} is not valid JSON (${(err as Error).message}); write it with \`dockwarden facts > FILE\`.`);
  }
  const result = hostFactsSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new UsageError(`--facts ${source} is not a dockwarden facts file (${problems.join('; ')}); write it with \`dockwarden facts > FILE\`, or pass docker info output with --info.`);
  }
  return result.data;
}
