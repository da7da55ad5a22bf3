import { z } from 'zod';
import { engineFactsSchema } from './engine/engine-facts.js';
import { localFactsSchema } from './host/local-facts.js';
import { FACTS_SCHEMA_VERSION } from './facts-version.js';

// HostFacts: one JSON-serialisable snapshot of everything gathered. `dockwarden facts`
// writes it, `--facts FILE` reads it back, and every check takes only this.

export const hostFactsSchema = z.object({
  schemaVersion: z.literal(FACTS_SCHEMA_VERSION),
  collectedAt: z.string(),
  /** engine: a live engine; info-json / info-text: a `docker info` paste (host half unknown). */
  origin: z.enum(['engine', 'info-json', 'info-text']),
  engine: engineFactsSchema,
  /** null when the host could not be inspected: a remote engine, or a `docker info` paste. */
  host: localFactsSchema.nullable(),
  /** What is missing from this snapshot and why, as sentences. */
  gaps: z.array(z.string()),
});
export type HostFacts = z.infer<typeof hostFactsSchema>;
