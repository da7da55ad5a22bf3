import type { HostFacts } from '../facts.js';
import type { ConfigSetting, ContainerdFacts } from '../host/local-facts.js';
import { describeRoles, engineDataFilesystems } from './data-filesystems.js';
import type { CheckResult, Finding } from '../finding.js';
import { allSettings, dataRoot, effectiveSettings, settingEvidence } from './facts-view.js';

// Where the data lives. The Ubuntu story in DESIGN.md: the configured root and the running
// root disagreed after a restart and every image "disappeared". These checks compare
// every place a root can be set with the root the engine actually reports.

function normalise(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** userns-remap keeps data under <root>/<uid>.<gid>; that is still the configured root. */
function sameRoot(configured: string, running: string): boolean {
  const c = normalise(configured);
  const r = normalise(running);
  return r === c || (r.startsWith(`${c}/`) && /^\d+\.\d+$/.test(r.slice(c.length + 1)));
}

function onRootFs(facts: HostFacts): CheckResult {
  const host = facts.host;
  const { filesystems, unknown } = engineDataFilesystems(facts);
  const notChecked =
    unknown.length > 0 || !host?.rootFs
      ? [{ id: 'data-root.on-root-fs' as const, reason: host?.rootFs ? `${unknown.join('; ')}.` : 'The filesystems of the data root and of / are not known here.' }]
      : [];
  const shared = host?.rootFs ? filesystems.find((f) => f.fs.deviceId === host.rootFs!.deviceId) : undefined;
  if (!host?.rootFs || !shared) return { findings: [], notChecked };
  const root = dataRoot(facts) ?? host.dataRoot;
  const dataRootShares = shared.roles.some((r) => r.kind === 'data-root');
  const containerdRoot = shared.roles.find((r) => r.kind === 'containerd-root')?.path;
  const what = describeRoles(shared.roles);
  return {
    findings: [
      {
        id: 'data-root.on-root-fs',
        severity: 'warning',
        title: `${what.replace(/^t/, 'T')} ${shared.roles.length > 1 ? 'share' : 'shares'} the root filesystem`,
        detail:
          (containerdRoot ? "Images live in containerd's image store under containerd's root. " : '') +
          'When images, containers and logs fill the disk, the operating system fills with them: journald, apt, sshd and dockerd itself fail together. ' +
          'CIS Docker Benchmark 1.1.1 asks for a separate partition for the data root.',
        evidence: [
          `Docker Root Dir: ${root}`,
          ...(containerdRoot ? [`containerd root: ${containerdRoot} (${host.containerd?.rootSource ?? 'unknown source'})`] : []),
          `${shared.fs.mountPoint}: ${shared.fs.fsType} on ${shared.fs.device} (${shared.fs.deviceId})`,
          `/: ${host.rootFs.fsType} on ${host.rootFs.device} (${host.rootFs.deviceId})`,
        ],
        fix: dataRootShares || !containerdRoot ? moveDataRootFix(root, host.containerd, host.dockerConfig.daemonJsonPath) : moveContainerdRootFix(containerdRoot, host.containerd),
      },
    ],
    notChecked,
  };
}

function moveDataRootFix(root: string, containerd: ContainerdFacts | null, daemonJson: string): Finding['fix'] {
  // A containerd of its own keeps images outside the data root: moving the data root leaves them where they are.
  const separate = containerd !== null && !containerd.managedByDockerd;
  return {
    summary:
      'Give the data root its own filesystem (XFS with ftype=1 for overlay2) and point data-root at it.' +
      (separate ? ` Images stay in containerd's root ${containerd.root}: move that as well if it is on the same disk.` : ''),
    commands: [
      `dockwarden plan overlay2 --device /dev/sdX1 --data-root /data/docker -o move-data-root.sh   # reviewed script: copies ${root}, verifies, can roll back`,
      '# or by hand:',
      'mkfs.xfs -n ftype=1 /dev/sdX1',
      'mkdir -p /data/docker && echo "UUID=$(blkid -s UUID -o value /dev/sdX1) /data/docker xfs defaults 0 0" >> /etc/fstab && mount /data/docker',
      'systemctl stop docker docker.socket containerd',
      `rsync -aHAX --numeric-ids ${root}/ /data/docker/`,
      `# ${daemonJson}: { "data-root": "/data/docker" }`,
      'systemctl start docker && docker info --format "{{.DockerRootDir}}"',
    ],
  };
}

/** containerd's root is containerd's to move: its config.toml, with docker and containerd stopped. */
function moveContainerdRootFix(root: string, containerd: ContainerdFacts | null): Finding['fix'] {
  const config = containerd?.configPath ?? '/etc/containerd/config.toml';
  return {
    summary: `Give containerd's root its own filesystem and point \`root\` in ${config} at it; images and snapshots move with a copy while docker and containerd are stopped.`,
    commands: [
      'mkfs.xfs -n ftype=1 /dev/sdX1',
      'mkdir -p /data/containerd && echo "UUID=$(blkid -s UUID -o value /dev/sdX1) /data/containerd xfs defaults 0 0" >> /etc/fstab && mount /data/containerd',
      'systemctl stop docker docker.socket containerd',
      `rsync -aHAX --numeric-ids ${root}/ /data/containerd/`,
      `# ${config}: root = "/data/containerd"`,
      'mkdir -p /etc/systemd/system/containerd.service.d && printf "[Unit]\\nRequiresMountsFor=/data/containerd\\n" > /etc/systemd/system/containerd.service.d/dockwarden-mount.conf && systemctl daemon-reload',
      'systemctl start containerd docker && docker images',
    ],
  };
}

function conflictFinding(title: string, detail: string, evidence: string[], commands: string[], daemonJson: string): Finding {
  return {
    id: 'data-root.config-conflict',
    severity: 'critical',
    title,
    detail,
    evidence,
    fix: { summary: `Set the data root in exactly one place, ${daemonJson}, and remove it everywhere else.`, commands },
  };
}

const RESTART = ['systemctl daemon-reload', 'systemctl restart docker', "docker info --format '{{.DockerRootDir}}'"];

function configConflict(facts: HostFacts): CheckResult {
  const host = facts.host;
  if (!host) {
    return { findings: [], notChecked: [{ id: 'data-root.config-conflict', reason: 'The daemon configuration files of that host are not known here.' }] };
  }
  const findings: Finding[] = [];
  const daemonJson = host.dockerConfig.daemonJson;
  const effective = effectiveSettings(facts, 'data-root');
  const inFile = effective.filter((s) => s.origin === 'daemon.json');
  const asFlag = effective.filter((s) => s.origin !== 'daemon.json');

  if (typeof daemonJson['graph'] === 'string' && typeof daemonJson['data-root'] === 'string') {
    findings.push(
      conflictFinding(
        'daemon.json sets both "graph" and "data-root"',
        'dockerd refuses to start with both keys ("cannot specify both "graph" and "data-root" config file options"). "graph" is the pre-17.05 name and was removed in Engine 23.',
        inFile.map(settingEvidence),
        [`# ${host.dockerConfig.daemonJsonPath}: keep "data-root", delete "graph"`, ...RESTART],
        host.dockerConfig.daemonJsonPath,
      ),
    );
  }
  if (inFile.length > 0 && asFlag.length > 0) {
    findings.push(
      conflictFinding(
        'The data root is set both as a dockerd flag and in daemon.json',
        'dockerd refuses to start when a directive is given both as a flag and in the configuration file ("the following directives are specified both as a flag and in the configuration file: data-root"). ' +
          'The engine keeps running until its next restart (an upgrade, a reboot), then stays down.',
        [...inFile, ...asFlag].map(settingEvidence),
        [
          `dockwarden config set data-root ${inFile.at(-1)!.value} --remove-conflicting-flags   # or by hand:`,
          ...asFlag.map((s) => `# ${s.file}: remove the ${s.text.includes('-g') || s.text.includes('--graph') ? '-g/--graph' : '--data-root'} flag`),
          ...RESTART,
        ],
        host.dockerConfig.daemonJsonPath,
      ),
    );
  }

  const running = facts.engine.info.DockerRootDir;
  const configured: ConfigSetting | undefined = asFlag.at(-1) ?? inFile.at(-1);
  if (running && configured && !sameRoot(configured.value, running)) {
    findings.push(
      conflictFinding(
        `The engine runs on ${running}, not on the configured ${configured.value}`,
        `Images and containers in ${configured.value} are invisible to this engine: to its users they "disappeared". ` +
          'The engine was started before the configuration changed, or by a unit or flags that bypass it.',
        [`Docker Root Dir: ${running}`, settingEvidence(configured), ...(host.dockerConfig.execStart ? [`ExecStart=${host.dockerConfig.execStart}`] : [])],
        ['systemctl cat docker', ...RESTART],
        host.dockerConfig.daemonJsonPath,
      ),
    );
  }

  // A root written where dockerd never reads it (DOCKER_OPTS under systemd) is the
  // classic way a root "moves": the operator believes it is set and it is not.
  for (const ignored of allSettings(facts, 'data-root').filter((s) => !s.effective)) {
    if (running && sameRoot(ignored.value, running)) continue;
    findings.push({
      id: 'data-root.config-conflict',
      severity: 'warning',
      title: `A data root of ${ignored.value} is configured where dockerd does not read it`,
      detail: `${ignored.ineffectiveReason ?? 'That setting does not reach dockerd.'} The engine uses ${running ?? 'another root'}; whoever wrote ${ignored.file} expects ${ignored.value}.`,
      evidence: [settingEvidence(ignored), ...(running ? [`Docker Root Dir: ${running}`] : [])],
      fix: {
        summary: `Put the root in ${host.dockerConfig.daemonJsonPath} (or delete the line from ${ignored.file} if ${running ?? 'the current root'} is right).`,
        commands: [`# ${host.dockerConfig.daemonJsonPath}: { "data-root": "${ignored.value}" }`, `# ${ignored.file}: remove the -g/--data-root flag`, ...RESTART],
      },
    });
  }
  return { findings, notChecked: [] };
}

export function checkDataRoot(facts: HostFacts): CheckResult {
  const parts = [onRootFs(facts), configConflict(facts)];
  return { findings: parts.flatMap((p) => p.findings), notChecked: parts.flatMap((p) => p.notChecked) };
}
