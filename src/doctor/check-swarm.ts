import type { HostFacts } from '../facts.js';
import type { ServiceFacts } from '../engine/engine-facts.js';
import type { CheckResult } from '../finding.js';

// A service updated to a broken image with FailureAction "pause" (the default) stays
// half-deployed until someone notices; with "rollback" swarm returns to the previous
// spec by itself. Monitor is how long a new task must survive to count as healthy: the
// API stores 0 as "unset", which swarmkit turns into its 5 s default.

const MAX_LISTED = 20;

function problem(service: ServiceFacts): string | undefined {
  const update = service.updateConfig;
  if (!update) return 'no UpdateConfig: failure action is the default "pause"';
  if (update.failureAction !== 'rollback') return `UpdateConfig.FailureAction is "${update.failureAction ?? 'pause'}", not "rollback"`;
  if (!update.monitorNs) return 'FailureAction is "rollback" but Monitor is unset: only failures in the first 5 s roll back';
  return undefined;
}

export function checkSwarm(facts: HostFacts): CheckResult {
  const swarm = facts.engine.info.Swarm;
  if (swarm?.LocalNodeState !== 'active') return { findings: [], notChecked: [] };
  const services = facts.engine.services;
  if (!services) {
    const reason = swarm.ControlAvailable === false ? 'This node is a swarm worker; run doctor on a manager to check services.' : 'The service list is not known here.';
    return { findings: [], notChecked: [{ id: 'swarm.no-rollback', reason }] };
  }
  const bad = services.flatMap((s) => {
    const why = problem(s);
    return why ? [{ service: s, why }] : [];
  });
  if (bad.length === 0) return { findings: [], notChecked: [] };
  const listed = bad.slice(0, MAX_LISTED);
  const more = bad.length > MAX_LISTED ? [`… and ${bad.length - MAX_LISTED} more services`] : [];
  return {
    findings: [
      {
        id: 'swarm.no-rollback',
        severity: 'warning',
        title: `${bad.length} of ${services.length} swarm services do not roll back a failed update`,
        detail:
          'A bad image or config pushed to these services stops the update half way and leaves it there. With FailureAction "rollback" and a ' +
          'monitor window longer than start-up, swarm returns to the previous spec by itself. GC keeps the previous image for that rollback.',
        evidence: [...listed.map(({ service, why }) => `service ${service.name} (${service.image.split('@')[0]}): ${why}`), ...more],
        fix: {
          summary: 'Set a rollback failure action and a monitor window on each service (and in the stack files that deploy them).',
          commands: [
            ...listed.map(({ service }) => `docker service update --update-failure-action rollback --update-monitor 30s --rollback-parallelism 1 --rollback-monitor 30s ${service.name}`),
            '# stack files: deploy: { update_config: { failure_action: rollback, monitor: 30s }, rollback_config: { parallelism: 1, monitor: 30s } }',
          ],
        },
      },
    ],
    notChecked: [],
  };
}
