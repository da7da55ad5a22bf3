import { gatherContainerLogs } from './container-logs.js';
import { gatherDockerConfig } from './docker-config.js';
import { findDockerdProcess } from './dockerd-process.js';
import { gatherFsFacts } from './fs-facts.js';
import { errorCode, type HostProbe } from './host-probe.js';
import type { DockerConfigFacts, LocalFacts } from './local-facts.js';
import { gatherLvm } from './lvm-report.js';
import { parseMountinfo, type MountEntry } from './mountinfo.js';
import { gatherUnattendedUpgrades } from './unattended-upgrades.js';

// Everything dockwarden learns from this machine (not from the engine). Nothing here
// throws for a missing file or tool: each thing that cannot be learned leaves a sentence
// in `gaps` and a null. The one exception is a malformed daemon.json (UsageError), because
// dockerd itself will not start with it and every other answer would be beside the point.

async function readOptional(probe: HostProbe, path: string, what: string, gaps: string[]): Promise<string | null> {
  try {
    const text = await probe.readFile(path);
    if (text === null) gaps.push(`${path} does not exist here: ${what} unknown.`);
    return text;
  } catch (err) {
    gaps.push(`${path} cannot be read (${errorCode(err)}): ${what} unknown.`);
    return null;
  }
}

export interface LocalFactsRequest {
  /** The data root to inspect: the engine's Docker Root Dir. */
  dataRoot: string;
  /** The engine's unix socket, to find the dockerd serving it and read its real flags. */
  socketPath?: string;
  /** The running storage driver; lvs/vgs (slow: they scan devices) run only for devicemapper. */
  driver?: string;
  /** Images live in containerd's store: find containerd's root and measure its filesystem too. */
  containerdStore?: { infoAddress: string | null };
  /** The engine's default logging driver: container logs are walked only when json-file may grow unbounded. */
  loggingDriver?: string;
  /** live-restore on: the unattended-upgrades setup does not matter (containers survive a restart). */
  liveRestore?: boolean;
}

/** Only what doctor reads: container logs matter when json-file is the default without max-size. */
function logsMayGrow(loggingDriver: string | undefined, config: DockerConfigFacts): boolean {
  if (loggingDriver !== undefined && loggingDriver !== 'json-file') return false;
  return !config.settings.some((s) => s.key === 'log-opt' && s.effective && s.value.startsWith('max-size='));
}

export interface EngineConfigRead {
  dockerConfig: DockerConfigFacts;
  gaps: string[];
}

/**
 * What can be read before the engine has answered: the dockerd serving the socket and
 * every place its configuration comes from (a CLI reads it while /info is on its way).
 */
export async function readEngineConfig(probe: HostProbe, socketPath?: string): Promise<EngineConfigRead> {
  const gaps: string[] = [];
  const running = socketPath ? await findDockerdProcess(probe, socketPath, gaps) : null;
  return { dockerConfig: await gatherDockerConfig(probe, gaps, running), gaps };
}

/** `config`: readEngineConfig's answer when the caller started it early; read here otherwise. */
export async function gatherLocalFacts(probe: HostProbe, request: LocalFactsRequest, config?: Promise<EngineConfigRead>): Promise<LocalFacts> {
  const { dataRoot, socketPath, driver, containerdStore, loggingDriver, liveRestore } = request;
  // Config first: a broken daemon.json must stop the run before anything else is reported.
  const { dockerConfig, gaps } = await (config ?? readEngineConfig(probe, socketPath));

  // The rest is independent I/O: read it concurrently (doctor's wall time is the sum otherwise).
  const needsLvm = driver === undefined || driver === 'devicemapper';
  // Loaded only for containerd's image store: it reads containerd's TOML config.
  const containerdAt = containerdStore
    ? import('./containerd-root.js').then(({ locateContainerd }) => locateContainerd(probe, { dataRoot, settings: dockerConfig.settings, infoAddress: containerdStore.infoAddress }, gaps))
    : null;
  const [filesystems, release, lvm, upgrades, containerLogs] = await Promise.all([
    readOptional(probe, '/proc/self/mountinfo', 'the filesystems of the data root and of / are', gaps).then(async (text) => {
      const mounts: MountEntry[] | null = text === null ? null : parseMountinfo(text);
      const location = await containerdAt;
      const containerd = location ? { ...location, rootFs: mounts ? await gatherFsFacts(probe, location.root, mounts, gaps) : null } : null;
      if (!mounts) return { dataRootFs: null, rootFs: null, containerd };
      const [dataRootFs, rootFs] = await Promise.all([gatherFsFacts(probe, dataRoot, mounts, gaps), gatherFsFacts(probe, '/', mounts, gaps)]);
      return { dataRootFs, rootFs, containerd };
    }),
    readOptional(probe, '/proc/sys/kernel/osrelease', 'the kernel release is', gaps),
    needsLvm ? gatherLvm(probe, gaps) : Promise.resolve(null),
    liveRestore === true ? Promise.resolve(null) : gatherUnattendedUpgrades(probe, gaps),
    logsMayGrow(loggingDriver, dockerConfig) ? gatherContainerLogs(probe, dataRoot, gaps) : Promise.resolve(null),
  ]);

  return {
    dataRoot,
    ...filesystems,
    kernelRelease: release?.trim() || null,
    dockerConfig,
    lvm,
    upgrades,
    containerLogs,
    gaps,
  };
}
