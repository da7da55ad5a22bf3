import { aptReadsPart, parseAptConf } from './apt-conf.js';
import { errorCode, type HostProbe } from './host-probe.js';
import type { UpgradeFacts } from './local-facts.js';

// Debian/Ubuntu's unattended upgrades: apt-daily-upgrade.timer runs
// `apt.systemd.daily install`, which runs unattended-upgrade when
// APT::Periodic::Unattended-Upgrade is non-zero; it upgrades every package not matched by
// Unattended-Upgrade::Package-Blacklist, and a docker or containerd upgrade restarts the
// daemon (the 06:20 story in DESIGN.md).

const TIMER = 'apt-daily-upgrade.timer';
const BLACKLIST_NAMES = ['unattended-upgrade::package-blacklist', 'unattended-upgrade::package-blocklist'];

export interface AptConfFile {
  path: string;
  text: string;
}

/** The unattended-upgrade values of apt.conf files given in the order APT reads them. */
export function evaluateAptConf(files: AptConfFile[]): Pick<UpgradeFacts, 'unattendedUpgrade' | 'packageBlacklist' | 'files'> {
  let interval: { value: string; file: string } | null = null;
  let enable: { value: string; file: string } | null = null;
  let blacklist: Array<{ value: string; file: string }> = [];
  for (const file of files) {
    for (const op of parseAptConf(file.text)) {
      if (op.kind === 'set' && op.name === 'apt::periodic::unattended-upgrade') interval = { value: op.value, file: file.path };
      else if (op.kind === 'set' && op.name === 'apt::periodic::enable') enable = { value: op.value, file: file.path };
      else if (op.kind === 'append' && BLACKLIST_NAMES.includes(op.name)) blacklist.push({ value: op.value, file: file.path });
      else if (op.kind === 'clear' && BLACKLIST_NAMES.some((n) => n === op.name || n.startsWith(`${op.name}::`))) blacklist = [];
    }
  }
  // The value is an interval in days ("1" = daily, "0" = never); newer apt also takes
  // "always". APT::Periodic::Enable "0" turns every periodic job off, this one included.
  let unattendedUpgrade: boolean | null = null;
  if (interval) unattendedUpgrade = /^always$/i.test(interval.value.trim()) || Number.parseInt(interval.value, 10) > 0;
  if (enable && Number.parseInt(enable.value, 10) === 0 && unattendedUpgrade !== null) unattendedUpgrade = false;
  const sources = [interval?.file, enable?.file, ...blacklist.map((b) => b.file)].filter((f): f is string => f !== undefined);
  return {
    unattendedUpgrade,
    packageBlacklist: blacklist.map((b) => b.value),
    files: [...new Set(sources)],
  };
}

/**
 * The timer's state from the unit directories, as `systemctl is-enabled` would see it:
 * a /dev/null link masks it, a link in timers.target.wants enables it, and a unit file
 * without that link is installed but disabled.
 */
async function timerState(probe: HostProbe): Promise<{ state: UpgradeFacts['aptDailyUpgradeTimer']; file: string | null }> {
  for (const dir of ['/etc/systemd/system', '/run/systemd/system']) {
    const path = `${dir}/${TIMER}`;
    if ((await probe.readLink(path)) === '/dev/null') return { state: 'masked', file: path };
  }
  for (const dir of ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']) {
    const path = `${dir}/timers.target.wants/${TIMER}`;
    if ((await probe.readLink(path)) !== null || (await probe.readFile(path)) !== null) return { state: 'enabled', file: path };
  }
  for (const dir of ['/etc/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system']) {
    const path = `${dir}/${TIMER}`;
    if ((await probe.readFile(path)) !== null) return { state: 'disabled', file: path };
  }
  return { state: 'absent', file: null };
}

/** Null on hosts without /etc/apt (not Debian/Ubuntu), where none of this applies. */
export async function gatherUnattendedUpgrades(probe: HostProbe, gaps: string[]): Promise<UpgradeFacts | null> {
  try {
    if ((await probe.readDir('/etc/apt')) === null) return null;
    const files: AptConfFile[] = [];
    // APT reads apt.conf.d first, in name order, then apt.conf itself, which thus wins.
    const parts = (await probe.readDir('/etc/apt/apt.conf.d')) ?? [];
    for (const path of [...parts.filter(aptReadsPart).map((n) => `/etc/apt/apt.conf.d/${n}`), '/etc/apt/apt.conf']) {
      const text = await probe.readFile(path);
      if (text !== null) files.push({ path, text });
    }
    const timer = await timerState(probe);
    const conf = evaluateAptConf(files);
    return {
      aptDailyUpgradeTimer: timer.state,
      ...conf,
      files: timer.file ? [timer.file, ...conf.files] : conf.files,
    };
  } catch (err) {
    gaps.push(`The unattended-upgrade settings cannot be read (${errorCode(err)}): whether apt can restart docker is unknown.`);
    return null;
  }
}
