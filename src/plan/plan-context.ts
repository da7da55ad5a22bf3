import { posix } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { HostFacts } from '../facts.js';
import type { ConfigSetting } from '../host/local-facts.js';
import type { MigrateMode, PlanKind } from './plan.js';

// What a plan is made from: the operator's request and what the host says (facts plus the
// raw text of the files the plan will rewrite). Pure: the CLI reads, this decides.

export interface PlanRequest {
  kind: PlanKind;
  /** The block device that becomes the new storage. */
  device: string;
  /** Where the new filesystem is mounted and the new data root lives (filesystem plans). */
  dataRoot?: string;
  migrate?: MigrateMode;
  /** overlay2 only: xfs (default) or ext4. */
  fs?: 'xfs' | 'ext4';
  /** zfs only. */
  pool?: string;
  /** pquota only: a default per-container size limit (overlay2.size), e.g. 20G. */
  defaultSize?: string;
  /** Format even when the device holds a filesystem or partition table. */
  forceFormat: boolean;
  /** Take conflicting --data-root/-g/-s flags out of the unit or /etc/default/docker. */
  removeConflictingFlags: boolean;
  /** Shell commands that stop and start the engine; systemd's docker units when absent. */
  service?: { stop: string; start: string };
  fstab: string;
  /** Where the script keeps what it must remember between runs. */
  stateDir?: string;
}

export interface PlanHost {
  facts: HostFacts;
  /** The daemon.json dockerd reads, and its text now (null: the file does not exist). */
  daemonJson: { path: string; text: string | null; json: Record<string, unknown> };
  /** Current text of the files that flag removal may edit (null: absent). */
  files: Record<string, string | null>;
}

export interface PlanContext {
  request: PlanRequest;
  host: PlanHost;
  oldRoot: string;
  oldDriver: string | null;
  kernel: string | null;
  engineVersion: string | null;
  liveRestore: boolean;
  settings: ConfigSetting[];
  /** systemd units control the engine (no --stop-command/--start-command). */
  systemd: boolean;
  stateDir: string;
}

export const DEFAULT_NEW_ROOT = '/data/docker';
export const DEFAULT_STATE_PARENT = '/var/lib/dockwarden/plans';

function within(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith('/') ? parent : `${parent}/`);
}

/** Paths go into shell lines and messages: keep to characters that need no quoting. */
function absolute(path: string, flag: string): string {
  if (!path.startsWith('/')) throw new UsageError(`${flag} must be an absolute path, not "${path}".`);
  if (!/^[A-Za-z0-9_@%+=:,./-]+$/.test(path)) throw new UsageError(`${flag} "${path}" has characters a plan does not put in a script (spaces, quotes, $): use a plain path.`);
  return posix.normalize(path).replace(/(.)\/$/, '$1');
}

export function planContext(request: PlanRequest, host: PlanHost): PlanContext {
  const info = host.facts.engine.info;
  const oldRoot = info.DockerRootDir ?? host.facts.host?.dataRoot;
  if (!oldRoot) throw new UsageError('The engine did not report its data root (Docker Root Dir): a plan needs it; run it against the live engine.');
  const device = absolute(request.device, '--device');
  if (!device.startsWith('/dev/')) throw new UsageError(`--device must be a block device under /dev, not "${request.device}".`);
  const dataRoot = request.dataRoot === undefined ? undefined : absolute(request.dataRoot, '--data-root');
  if (dataRoot !== undefined && (within(dataRoot, oldRoot) || within(oldRoot, dataRoot))) {
    throw new UsageError(`--data-root ${dataRoot} and the current data root ${oldRoot} overlap: mount the new filesystem elsewhere (e.g. ${DEFAULT_NEW_ROOT}), the old root stays as the way back.`);
  }
  const kernel = host.facts.host?.kernelRelease ?? info.KernelVersion ?? null;
  return {
    request: { ...request, device, dataRoot, fstab: absolute(request.fstab, '--fstab') },
    host,
    oldRoot,
    oldDriver: info.Driver?.trim() || null,
    kernel,
    engineVersion: info.ServerVersion ?? null,
    liveRestore: info.LiveRestoreEnabled === true,
    settings: host.facts.host?.dockerConfig.settings ?? [],
    systemd: request.service === undefined,
    stateDir: request.stateDir ? absolute(request.stateDir, '--state-dir') : `${DEFAULT_STATE_PARENT}/${request.kind}-${posix.basename(device)}`,
  };
}
