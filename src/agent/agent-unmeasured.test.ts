import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../engine/endpoint.js';
import { FollowingFakeEngine } from '../engine/testing/fake-engine.js';
import { makeGcPolicy } from '../gc/gc-policy.js';
import type { HostProbe } from '../host/host-probe.js';
import { fakeHostProbe, usage } from '../host/testing/fake-host-probe.js';
import { storeFactory, tempDir, type TempDir } from '../store/testing/temp-store.js';
import { createAgentMetrics } from '../web/metrics.js';
import { startAgent, type RunningAgent } from './agent.js';

// A local agent whose statfs starts failing: the pressure trigger goes off with it, so
// the agent says so once in its log and keeps a disk.unmeasured finding open until
// statfs answers again.

const local: Endpoint = { kind: 'unix', url: 'unix:///run/docker.sock', socketPath: '/run/docker.sock' };
const mountinfo = '1 0 253:0 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n';

let t: TempDir;
let closeStores: () => void;
let agent: RunningAgent;
let lines: string[];
let failing: string | null;

beforeEach(async () => {
  t = tempDir();
  const stores = storeFactory(t);
  closeStores = stores.closeAll;
  lines = [];
  failing = null;
  const host = fakeHostProbe({ files: { '/proc/self/mountinfo': mountinfo }, dirs: ['/var/lib/docker'], statfs: { '/': usage(1e9, 1e8) } });
  const probe: HostProbe = {
    ...host,
    statfs: async (path) => {
      if (failing) throw Object.assign(new Error(`${failing}: statfs ${path}`), { code: failing });
      return host.statfs(path);
    },
  };
  agent = startAgent(
    { engine: new FollowingFakeEngine(), endpoint: local, probe, store: stores.open(), metrics: createAgentMetrics(), now: () => Date.now(), log: (l) => lines.push(l), hostName: 'test-host' },
    { intervalMs: 20, gcIntervalMs: 3_600_000, gc: false, policy: makeGcPolicy({}), webhooks: [], version: '0.0.0' },
  );
  await expect.poll(() => agent.view.health().lastSampleAt).not.toBeNull();
});

afterEach(async () => {
  await agent.stop();
  closeStores();
  t.cleanup();
});

const unmeasuredLines = () => lines.filter((l) => /^(cannot measure|measures .* again)/.test(l));
const samplesSince = async (at: number, n: number) => expect.poll(() => agent.view.usage(at, Date.now() + 1000, 1000).samples.length, { timeout: 5000 }).toBeGreaterThanOrEqual(n);

describe('the agent when statfs fails', () => {
  it('logs it once, shows disk.unmeasured in its findings, and says when it can measure again', async () => {
    failing = 'EACCES';
    const from = Date.now();
    await samplesSince(from, 5);
    expect(unmeasuredLines()).toEqual([
      'cannot measure the data root /var/lib/docker (EACCES): its usage is not sampled and GC does not start when it crosses the high threshold, until it can be measured again',
    ]);
    expect(agent.view.findings().map(({ finding: f }) => [f.id, f.evidence])).toContainEqual(['disk.unmeasured', ['statfs /var/lib/docker: EACCES']]);

    failing = null;
    await expect.poll(() => unmeasuredLines().length).toBe(2);
    expect(unmeasuredLines()[1]).toBe('measures the data root /var/lib/docker again');
    expect(agent.view.findings().map(({ finding: f }) => f.id)).not.toContain('disk.unmeasured');
  });
});
