import { gatherContainerLogs } from './container-logs.js';
import { gatherDockerConfig } from './docker-config.js';
import { gatherFsFacts } from './fs-facts.js';
import { errorCode, type HostProbe } from './host-probe.js';
import type { LocalFacts } from './local-facts.js';
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

export async function gatherLocalFacts(probe: HostProbe, dataRoot: string): Promise<LocalFacts> {
  const gaps: string[] = [];
  // Config first: a broken daemon.json must stop the run before anything else is reported.
  const dockerConfig = await gatherDockerConfig(probe, gaps);

  const mountinfo = await readOptional(probe, '/proc/self/mountinfo', 'the filesystems of the data root and of / are', gaps);
  const mounts: MountEntry[] | null = mountinfo === null ? null : parseMountinfo(mountinfo);
  const dataRootFs = mounts ? await gatherFsFacts(probe, dataRoot, mounts, gaps) : null;
  const rootFs = mounts ? await gatherFsFacts(probe, '/', mounts, gaps) : null;

  const release = await readOptional(probe, '/proc/sys/kernel/osrelease', 'the kernel release is', gaps);

  return {
    dataRoot,
    dataRootFs,
    rootFs,
    kernelRelease: release?.trim() || null,
    dockerConfig,
    lvm: await gatherLvm(probe, gaps),
    upgrades: await gatherUnattendedUpgrades(probe, gaps),
    containerLogs: await gatherContainerLogs(probe, dataRoot, gaps),
    gaps,
  };
}
