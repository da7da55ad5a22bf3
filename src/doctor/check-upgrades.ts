import type { HostFacts } from '../facts.js';
import type { CheckResult } from '../finding.js';
import { daemonJsonPath, effectiveSettings } from './facts-view.js';

// The 06:20 story in DESIGN.md: apt-daily-upgrade upgraded containerd and restarted
// docker. Without live-restore every container stops with it; unattended-upgrades
// honours a package blacklist, which is the other way out.

const DOCKER_PACKAGES = ['docker.io', 'docker-ce', 'containerd', 'containerd.io', 'runc'];

/** unattended-upgrades matches blacklist entries as regular expressions from the start of the name. */
function blacklisted(pkg: string, patterns: string[]): boolean {
  return patterns.some((p) => {
    try {
      return new RegExp(`^(?:${p})`).test(pkg);
    } catch {
      return pkg.startsWith(p);
    }
  });
}

export function checkUpgrades(facts: HostFacts): CheckResult {
  // live-restore keeps containers up through a daemon restart: nothing to check then.
  const liveRestore = facts.engine.info.LiveRestoreEnabled ?? effectiveSettings(facts, 'live-restore').some((s) => s.value === 'true');
  if (liveRestore) return { findings: [], notChecked: [] };
  const upgrades = facts.host?.upgrades;
  if (!upgrades) {
    return { findings: [], notChecked: [{ id: 'upgrade.restarts-docker', reason: 'Unattended-upgrade settings are not known here (not a Debian/Ubuntu host, or a `docker info` paste).' }] };
  }
  if (upgrades.aptDailyUpgradeTimer !== 'enabled' || upgrades.unattendedUpgrade !== true) return { findings: [], notChecked: [] };
  const exposed = DOCKER_PACKAGES.filter((p) => !blacklisted(p, upgrades.packageBlacklist));
  if (exposed.length === 0) return { findings: [], notChecked: [] };
  const swarm = facts.engine.info.Swarm?.LocalNodeState === 'active';
  return {
    findings: [
      {
        id: 'upgrade.restarts-docker',
        severity: 'warning',
        title: 'Unattended upgrades can restart docker, and live-restore is off',
        detail:
          'apt-daily-upgrade installs updates to containerd or docker unattended and restarts the daemon; with live-restore off every container stops with it, ' +
          'and a restart is when configuration drift (a changed data root) takes effect.' +
          (swarm ? ' live-restore is incompatible with swarm mode, so on this node blacklist the packages instead.' : ''),
        evidence: [
          `apt-daily-upgrade.timer: ${upgrades.aptDailyUpgradeTimer}`,
          'APT::Periodic::Unattended-Upgrade "1"',
          `Unattended-Upgrade::Package-Blacklist: ${upgrades.packageBlacklist.length ? upgrades.packageBlacklist.join(', ') : '(empty)'}`,
          `not blacklisted: ${exposed.join(', ')}`,
          'Live Restore Enabled: false',
          ...upgrades.files.map((f) => `read ${f}`),
        ],
        fix: {
          summary: swarm
            ? 'Keep docker and containerd out of unattended upgrades and upgrade them in a maintenance window.'
            : 'Turn on live-restore (containers survive daemon restarts), and/or keep docker and containerd out of unattended upgrades.',
          commands: [
            ...(swarm ? [] : [`# ${daemonJsonPath(facts)}: { "live-restore": true }`, 'systemctl reload docker   # live-restore is applied on reload']),
            `cat > /etc/apt/apt.conf.d/51docker-hold <<'EOF'\nUnattended-Upgrade::Package-Blacklist {\n${exposed.map((p) => `    "${p}";`).join('\n')}\n};\nEOF`,
            'unattended-upgrade --dry-run --debug 2>&1 | grep -i -E "docker|containerd"',
          ],
        },
      },
    ],
    notChecked: [],
  };
}
