import { formatBytes } from '../core/human-size.js';
import type { HostFacts } from '../facts.js';
import type { CheckResult, Finding } from '../finding.js';
import { daemonJsonPath, effectiveSettings, settingEvidence } from './facts-view.js';

// Container logs: `none` hides every crash (the Swarm story in DESIGN.md), and json-file
// without max-size grows until the disk is full. Only the daemon default is judged here;
// containers started with their own --log-opt are not.

function loggingNone(facts: HostFacts): Finding[] {
  if (facts.engine.info.LoggingDriver !== 'none') return [];
  const swarm = facts.engine.info.Swarm?.LocalNodeState === 'active';
  return [
    {
      id: 'logging.none',
      severity: 'warning',
      title: 'The default logging driver is "none"',
      detail:
        'Everything containers write to stdout and stderr is thrown away: `docker logs` shows nothing and a crash leaves no trace. ' +
        'The "local" driver keeps rotated, compressed logs with bounded size by default.',
      evidence: ['Logging Driver: none', ...(swarm ? ['Swarm: active'] : [])],
      fix: {
        summary: 'Use the "local" driver (or json-file with max-size) as the default, then recreate containers to pick it up.',
        commands: [
          `# ${daemonJsonPath(facts)}: { "log-driver": "local", "log-opts": { "max-size": "20m", "max-file": "5" } }`,
          'systemctl restart docker   # existing containers keep their driver until recreated',
          ...(swarm ? ['docker service update --log-driver local --log-opt max-size=20m SERVICE   # per service'] : []),
        ],
      },
    },
  ];
}

function loggingUnbounded(facts: HostFacts): CheckResult {
  const name = facts.engine.info.LoggingDriver;
  // Only json-file grows without bound by default; "local" rotates on its own.
  if (name !== 'json-file') return { findings: [], notChecked: [] };
  if (!facts.host) {
    return { findings: [], notChecked: [{ id: 'logging.unbounded', reason: 'json-file is the default driver, but the log options in daemon.json are not known here.' }] };
  }
  const logOpts = effectiveSettings(facts, 'log-opt');
  const maxSize = logOpts.find((s) => s.value.startsWith('max-size='));
  if (maxSize) return { findings: [], notChecked: [] };
  const logs = facts.host.containerLogs;
  const evidence = ['Logging Driver: json-file', `log-opts max-size: not set in ${facts.host.dockerConfig.daemonJsonPath} or the dockerd flags`];
  evidence.push(...logOpts.map(settingEvidence));
  if (logs) {
    evidence.push(`container logs: ${logs.count} files, ${formatBytes(logs.totalBytes)} in all`);
    evidence.push(...logs.largest.map((l) => `${formatBytes(l.bytes)}  ${l.path}`));
  }
  return {
    findings: [
      {
        id: 'logging.unbounded',
        severity: 'warning',
        title: 'json-file logs have no size limit',
        detail: 'Without max-size each container log grows until the data root filesystem is full; a chatty container can fill a disk in hours.',
        evidence,
        fix: {
          summary: 'Set max-size and max-file for json-file (or switch to "local"), then recreate containers; truncate the largest logs now if space is short.',
          commands: [
            `# ${daemonJsonPath(facts)}: { "log-driver": "json-file", "log-opts": { "max-size": "20m", "max-file": "5" } }`,
            'systemctl restart docker   # applies to containers created afterwards',
            ...(logs?.largest[0] ? [`truncate -s 0 ${logs.largest[0].path}   # frees space at once; the container keeps writing`] : []),
          ],
        },
      },
    ],
    notChecked: [],
  };
}

export function checkLogging(facts: HostFacts): CheckResult {
  if (!facts.engine.info.LoggingDriver) {
    return {
      findings: [],
      notChecked: (['logging.none', 'logging.unbounded'] as const).map((id) => ({ id, reason: 'The logging driver is not known (no "Logging Driver" line).' })),
    };
  }
  const unbounded = loggingUnbounded(facts);
  return { findings: [...loggingNone(facts), ...unbounded.findings], notChecked: unbounded.notChecked };
}
