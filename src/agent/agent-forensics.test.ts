import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../engine/engine-api.js';
import type { Endpoint } from '../engine/endpoint.js';
import { FollowingFakeEngine } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import { fakeHostProbe } from '../host/testing/fake-host-probe.js';
import { storeFactory, tempDir } from '../store/testing/temp-store.js';
import { createAgentMetrics } from '../web/metrics.js';
import { startAgent, type RunningAgent } from './agent.js';

// Restart forensics run when the engine comes back; what they could not look at (a log
// the agent may not read, a journal it may not see) goes to the agent's log, not nowhere.

/** Its /events stream ends once (the engine restarted), then stays open until the agent stops. */
class RestartingEngine extends FollowingFakeEngine {
  private streams = 0;
  override async *events(opts: { until?: string; signal?: AbortSignal } = {}): AsyncIterable<EngineEvent> {
    if (opts.until !== undefined || this.streams++ === 0) return;
    yield* super.events(opts);
  }
}

const local: Endpoint = { kind: 'unix', url: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' };
const t = tempDir();
const stores = storeFactory(t);
let agent: RunningAgent | undefined;

afterEach(async () => {
  await agent?.stop();
  stores.closeAll();
  t.cleanup();
});

describe('the agent after an engine restart', () => {
  it("logs the forensics' gaps and keeps their evidence", async () => {
    const lines: string[] = [];
    agent = startAgent(
      {
        engine: new RestartingEngine(),
        endpoint: local,
        probe: fakeHostProbe({}),
        store: stores.open(),
        metrics: createAgentMetrics(),
        now: () => Date.now(),
        log: (l) => lines.push(l),
        hostName: 'test-host',
        forensics: async () => ({
          evidence: ['docker-ce upgraded by apt at 06:20:17'],
          gaps: ['/var/log/dpkg.log cannot be read (EACCES): the dpkg log in it is not in the evidence; run dockwarden as root.'],
        }),
      },
      { intervalMs: 3_600_000, gcIntervalMs: 3_600_000, gc: false, policy: makeGcPolicy({}), webhooks: [], version: '0.0.0' },
    );
    await expect.poll(() => agent?.view.restarts(10).forensics, { timeout: 5000 }).toEqual(['docker-ce upgraded by apt at 06:20:17']);
    expect(lines).toContain('restart forensics: /var/log/dpkg.log cannot be read (EACCES): the dpkg log in it is not in the evidence; run dockwarden as root.');
  });
});
