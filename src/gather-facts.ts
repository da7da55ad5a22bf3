import type { EngineApi } from './engine/engine-api.js';
import type { Endpoint } from './engine/endpoint.js';
import { gatherEngineFacts } from './engine/gather-engine-facts.js';
import { imageStoreKind } from './engine/image-store.js';
import { parseDockerInfo } from './engine/info-parse.js';
import { FACTS_SCHEMA_VERSION, hostFactsSchema, type HostFacts } from './facts.js';
import { gatherLocalFacts } from './host/gather-local-facts.js';
import type { HostProbe } from './host/host-probe.js';
import { UsageError } from './core/errors.js';

// The one way facts are made: from a live engine (plus this host when the engine is
// local), from a `docker info` paste, or from a facts file written earlier.

const DEFAULT_DATA_ROOT = '/var/lib/docker';

/** Whether the engine runs on this machine, so its data root can be inspected here. */
export function isLocalEndpoint(endpoint: Endpoint): boolean {
  if (endpoint.kind === 'unix') return true;
  if (endpoint.kind === 'ssh') return false;
  return /^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(endpoint.host);
}

export async function gatherLiveFacts(opts: {
  engine: EngineApi;
  endpoint: Endpoint;
  /** null: do not inspect this machine (the engine is elsewhere). */
  probe: HostProbe | null;
  now: Date;
}): Promise<HostFacts> {
  const { facts: engine, gaps } = await gatherEngineFacts(opts.engine);
  let host: HostFacts['host'] = null;
  if (opts.probe && isLocalEndpoint(opts.endpoint)) {
    host = await gatherLocalFacts(opts.probe, {
      dataRoot: engine.info.DockerRootDir ?? DEFAULT_DATA_ROOT,
      ...(opts.endpoint.kind === 'unix' ? { socketPath: opts.endpoint.socketPath } : {}),
      ...(engine.info.Driver ? { driver: engine.info.Driver } : {}),
      ...(imageStoreKind(engine.info) === 'containerd' ? { containerdStore: { infoAddress: engine.info.Containerd?.Address ?? null } } : {}),
    });
  } else {
    gaps.push(`The engine is not on this machine (${opts.endpoint.url}): its filesystem and config files were not inspected; run dockwarden on that host for those checks.`);
  }
  return { schemaVersion: FACTS_SCHEMA_VERSION, collectedAt: opts.now.toISOString(), origin: 'engine', engine, host, gaps };
}

/** Facts from pasted `docker info` (JSON or text): the engine half only. */
export function factsFromInfoPaste(text: string, source: string, now: Date): HostFacts {
  const parsed = parseDockerInfo(text);
  return {
    schemaVersion: FACTS_SCHEMA_VERSION,
    collectedAt: now.toISOString(),
    origin: parsed.format === 'json' ? 'info-json' : 'info-text',
    engine: { endpoint: source, info: parsed.info, version: null, services: null },
    host: null,
    gaps: [
      ...parsed.gaps,
      'From a `docker info` paste: host facts (filesystem usage, daemon.json, systemd units) are unknown and the checks that need them were skipped.',
    ],
  };
}

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
