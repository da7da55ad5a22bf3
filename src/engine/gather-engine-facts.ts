import type { EngineApi } from './engine-api.js';
import type { EngineFacts } from './engine-facts.js';

// Everything doctor needs from the engine, in as few calls as possible: /info, the
// negotiated /version, and /services on a manager. No /system/df here: it sizes every
// container's layer and is the slow call on a busy host (docuum's users found that out).
export async function gatherEngineFacts(engine: EngineApi): Promise<{ facts: EngineFacts; gaps: string[] }> {
  const gaps: string[] = [];
  const [info, version] = await Promise.all([engine.info(), engine.version()]);
  let services: EngineFacts['services'] = null;
  const swarm = info.Swarm;
  if (swarm?.LocalNodeState === 'active' && swarm.ControlAvailable) {
    services = await engine.listServices();
  } else if (swarm?.LocalNodeState === 'active') {
    gaps.push('This node is a swarm worker: only a manager can list services, so rollback settings were not checked here.');
  }
  return { facts: { endpoint: engine.endpoint, info, version, services }, gaps };
}
