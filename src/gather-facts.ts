import type { EngineApi } from './engine/engine-api.js';
import type { Endpoint } from './engine/endpoint.js';
import { gatherEngineFacts } from './engine/gather-engine-facts.js';
import { imageStoreKind } from './core/image-store.js';
import type { HostFacts } from './facts.js';
import { FACTS_SCHEMA_VERSION } from './facts-version.js';
import { gatherLocalFacts, readEngineConfig } from './host/gather-local-facts.js';
import type { HostProbe } from './host/host-probe.js';

// The one way facts are made from a live engine (plus this host when the engine is
// local). From a `docker info` paste: facts-paste.ts; from a facts file: facts-file.ts.
// Those two check what comes from outside with zod; this path does not load it.

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
  const probe = opts.probe && isLocalEndpoint(opts.endpoint) ? opts.probe : null;
  const socketPath = opts.endpoint.kind === 'unix' ? opts.endpoint.socketPath : undefined;
  // The host's docker configuration does not depend on the engine's answers: read it
  // while they are on their way (a rejection is handled where it is awaited, below).
  const config = probe ? readEngineConfig(probe, socketPath) : null;
  config?.catch(() => undefined);
  const { facts: engine, gaps } = await gatherEngineFacts(opts.engine);
  let host: HostFacts['host'] = null;
  if (probe) {
    host = await gatherLocalFacts(
      probe,
      {
        dataRoot: engine.info.DockerRootDir ?? DEFAULT_DATA_ROOT,
        ...(socketPath ? { socketPath } : {}),
        ...(engine.info.Driver ? { driver: engine.info.Driver } : {}),
        ...(imageStoreKind(engine.info) === 'containerd' ? { containerdStore: { infoAddress: engine.info.Containerd?.Address ?? null } } : {}),
        ...(engine.info.LoggingDriver ? { loggingDriver: engine.info.LoggingDriver } : {}),
        ...(engine.info.LiveRestoreEnabled !== undefined ? { liveRestore: engine.info.LiveRestoreEnabled } : {}),
      },
      config ?? undefined,
    );
  } else {
    gaps.push(`The engine is not on this machine (${opts.endpoint.url}): its filesystem and config files were not inspected; run dockwarden on that host for those checks.`);
  }
  return { schemaVersion: FACTS_SCHEMA_VERSION, collectedAt: opts.now.toISOString(), origin: 'engine', engine, host, gaps };
}
