import { readFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import type { HostFacts } from '../facts.js';
import { gatherLiveFacts } from '../gather-facts.js';
import { localHostProbe } from '../host/host-probe.js';
import { chooseEndpointFromEnv, connectFromEnv } from './connect.js';

// Where the facts for a diagnosis come from: a facts file, a `docker info` paste, or the
// live engine (and this host, when the engine is local).

export interface FactsSourceOptions {
  facts?: string;
  info?: string;
  host?: string;
  hostRoot?: string;
}

async function readInput(path: string, flag: string): Promise<string> {
  try {
    return path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UsageError(`${flag} ${path} cannot be read (${code}).`);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function loadFacts(opts: FactsSourceOptions, env: NodeJS.ProcessEnv, now: Date): Promise<HostFacts> {
  if (opts.facts && opts.info) throw new UsageError('--facts and --info are alternatives: give one of them.');
  // Files and pastes are checked with zod, which a live diagnosis does not load.
  if (opts.facts) {
    const { parseFactsFile } = await import('../facts-file.js');
    return parseFactsFile(await readInput(opts.facts, '--facts'), opts.facts);
  }
  if (opts.info) {
    const text = await readInput(opts.info, '--info');
    const { factsFromInfoPaste } = await import('../facts-paste.js');
    return factsFromInfoPaste(text, opts.info === '-' ? 'stdin' : opts.info, now);
  }
  const choice = chooseEndpointFromEnv(opts.host, env);
  const engine = await connectFromEnv(choice, env);
  return gatherLiveFacts({ engine, endpoint: choice.endpoint, probe: localHostProbe(opts.hostRoot ?? '/'), now });
}
