import { parseDockerInfo } from './engine/info-parse.js';
import type { HostFacts } from './facts.js';
import { FACTS_SCHEMA_VERSION } from './facts-version.js';

// Facts from `docker info` as people paste it (doctor --info): the engine half only.

/** Facts from pasted `docker info` (JSON or text): the engine half only. */
export function factsFromInfoPaste(text: string, source: string, now: Date): HostFacts {
  const parsed = parseDockerInfo(text);
  return {
    schemaVersion: FACTS_SCHEMA_VERSION,
    collectedAt: now.toISOString(),
    origin: parsed.format === 'json' ? 'info-json' : 'info-text',
    engine: { endpoint: source, info: parsed.info, version: null, services: null },
    host: null,
    gaps: [...parsed.gaps, 'From a `docker info` paste: host facts (filesystem usage, daemon.json, systemd units) are unknown and the checks that need them were skipped.'],
  };
}
