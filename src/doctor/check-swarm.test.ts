import { describe, expect, it } from 'vitest';
import { checkSwarm } from './check-swarm.js';
import { makeFacts, makeService } from './testing/build-facts.js';

const manager = { Swarm: { LocalNodeState: 'active', ControlAvailable: true } };
const rollback = { failureAction: 'rollback', monitorNs: 30e9, parallelism: 1, order: 'stop-first' };

describe('swarm.no-rollback', () => {
  it('names every service without a rollback failure action, and only those', () => {
    const services = [makeService('api', { ...rollback, failureAction: 'pause' }), makeService('web', rollback), makeService('worker', null)];
    const [finding] = checkSwarm(makeFacts({ info: manager, services })).findings;
    expect(finding?.title).toBe('2 of 3 swarm services do not roll back a failed update');
    expect(finding?.evidence).toEqual([
      'service api (registry.local/api:2): UpdateConfig.FailureAction is "pause", not "rollback"',
      'service worker (registry.local/worker:2): no UpdateConfig: failure action is the default "pause"',
    ]);
    expect(finding?.fix.commands[0]).toMatch(/--update-failure-action rollback .* api$/);
  });
  it('flags rollback without a monitor window', () => {
    const [finding] = checkSwarm(makeFacts({ info: manager, services: [makeService('api', { ...rollback, monitorNs: 0 })] })).findings;
    expect(finding?.evidence[0]).toContain('Monitor is unset');
  });
  it('is quiet when every service rolls back', () => {
    expect(checkSwarm(makeFacts({ info: manager, services: [makeService('web', rollback)] })).findings).toEqual([]);
  });
  it('on a worker, says services must be checked on a manager', () => {
    const result = checkSwarm(makeFacts({ info: { Swarm: { LocalNodeState: 'active', ControlAvailable: false } } }));
    expect(result.notChecked[0]?.reason).toContain('worker');
  });
  it('ignores nodes outside a swarm', () => {
    expect(checkSwarm(makeFacts())).toEqual({ findings: [], notChecked: [] });
  });
});
