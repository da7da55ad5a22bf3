import { describeEngine } from '../core/engine-product.js';
import type { HostFacts } from '../facts.js';
import { dataRoot, product } from './facts-view.js';
import type { CheckResult, Finding, FindingId, Fix, NotChecked } from '../finding.js';

// Podman's Docker-compatible API (`podman system service`, podman.socket) looks like a
// Docker engine to the checks, but it is configured and run another way: storage.conf
// (`graphroot`, `driver`) and containers.conf instead of daemon.json and dockerd's flags,
// containers/storage's drivers (its "overlay" is current, not Docker's removed overlay
// v1), no docker.service (a container runs under its own conmon, so restarting the API
// service stops nothing), no swarm, and no default logging driver in /info. Here, in one
// place: findings whose premise is dockerd's are withdrawn and listed as not checked with
// the reason, and the storage fixes are given in Podman's terms. Ids, severities, titles
// and details stay.

const STORAGE_CONF = '/etc/containers/storage.conf';

/** Checks whose question Podman does not pose, and why; each replaces the check's findings and skips. */
const NOT_FOR_PODMAN: Partial<Record<FindingId, (facts: HostFacts) => string>> = {
  'data-root.config-conflict': (facts) =>
    `Podman takes its graph root (${dataRoot(facts) ?? 'unknown'}) from ${STORAGE_CONF} (\`graphroot\`) or --root, not from daemon.json or dockerd's flags, so a root configured for dockerd says nothing about it; Podman's own files are not read.`,
  'upgrade.restarts-docker': () =>
    'Podman has no daemon whose restart stops containers: each runs under its own conmon, and the API service (podman.socket) restarts without them; live-restore does not apply.',
  'logging.none': () => "Podman's /info reports no default logging driver: containers log as containers.conf says (`log_driver`, `log_size_max`), which is not read here.",
  'logging.unbounded': () => "Podman's /info reports no default logging driver: containers log as containers.conf says (`log_driver`, `log_size_max`), which is not read here.",
  'swarm.no-rollback': () => 'Podman has no swarm mode and no services.',
};

function storageFix(facts: HostFacts): Fix {
  const root = dataRoot(facts) ?? '/var/lib/containers/storage';
  return {
    summary: `Give Podman's graph root a filesystem of its own (XFS with ftype=1 for overlay) and point \`graphroot\` in ${STORAGE_CONF} at it; images move with podman save/load or a new pull.`,
    commands: [
      '# this formats /dev/sdX1:',
      'mkfs.xfs -n ftype=1 /dev/sdX1',
      'mkdir -p /data/containers/storage',
      'echo "UUID=$(blkid -s UUID -o value /dev/sdX1) /data/containers/storage xfs defaults 0 0" >> /etc/fstab && mount /data/containers/storage',
      `podman save -m -o /data/images.tar $(podman images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>')   # the images to keep, from ${root}`,
      'podman stop --all && systemctl stop podman.socket podman.service',
      `# ${STORAGE_CONF}, [storage]: graphroot = "/data/containers/storage", driver = "overlay"`,
      'podman info --format "{{.Store.GraphRoot}} {{.Store.GraphDriverName}} {{.Store.GraphStatus}}"',
      'podman load -i /data/images.tar && systemctl start podman.socket',
    ],
  };
}

function spaceFix(): Fix {
  return {
    summary: 'See what takes the space, then remove unused images (least recently used first) and stopped containers.',
    commands: [
      'podman system df -v',
      'dockwarden gc --dry-run   # then without --dry-run: deletes least recently used images down to 80%, never those containers need',
      'podman image prune',
      'podman container prune --filter until=240h',
    ],
  };
}

/** Podman's fix for each family of findings (the id before the dot) whose usual fix edits dockerd's setup. */
const BY_FAMILY: Record<string, (facts: HostFacts) => Fix> = {
  storage: storageFix,
  thinpool: storageFix,
  'data-root': storageFix,
  sizelimit: storageFix,
  disk: spaceFix,
};

function withdrawn(finding: Finding): boolean {
  // containers/storage's overlay is its current driver (a no-dtype finding still stands).
  return finding.id === 'storage.deprecated-driver' && /Storage Driver: overlay\b(?!2)/.test(finding.evidence.join('\n'));
}

/** On Podman, findings and fixes in Podman's terms; on Docker, the result as it is. */
export function adaptForPodman(facts: HostFacts, result: CheckResult): CheckResult {
  if (product(facts) !== 'podman') return result;
  const engine = `Engine: ${describeEngine(facts.engine.info, facts.engine.version?.components)} (Docker-compatible API)`;
  const findings = result.findings
    .filter((f) => !NOT_FOR_PODMAN[f.id] && !withdrawn(f))
    .map((f) => {
      const family = BY_FAMILY[f.id.split('.')[0] ?? ''];
      return { ...f, evidence: f.evidence.includes(engine) ? f.evidence : [...f.evidence, engine], fix: family ? family(facts) : f.fix };
    });
  const notChecked: NotChecked[] = result.notChecked.filter((n) => !NOT_FOR_PODMAN[n.id]);
  for (const [id, why] of Object.entries(NOT_FOR_PODMAN) as Array<[FindingId, (facts: HostFacts) => string]>) notChecked.push({ id, reason: why(facts) });
  return { findings, notChecked };
}
