import { chmod, writeFile } from 'node:fs/promises';
import { UsageError } from '../core/errors.js';
import { refuseOnPodman } from '../core/engine-product.js';
import type { HostFacts } from '../facts.js';
import { DEFAULT_DAEMON_JSON, parseDaemonJson } from '../host/daemon-json.js';
import { errorCode, localHostProbe, type HostProbe } from '../host/host-probe.js';
import { MOUNT_DROP_IN } from '../plan/config-steps.js';
import { FLAG_DROP_IN } from '../plan/daemon-json-edit.js';
import { makePlan } from '../plan/make-plan.js';
import type { MigrateMode, Plan, PlanKind } from '../plan/plan.js';
import type { PlanHost, PlanRequest } from '../plan/plan-context.js';
import { THINPOOL_PROFILE } from '../plan/plan-direct-lvm.js';
import { renderScript } from '../plan/render-script.js';
import { shq } from '../plan/shell.js';
import { loadFacts } from './load-facts.js';
import type { CliIo } from './cli-io.js';

// What `dockwarden plan <kind>` does once its flags are parsed: reads the host (engine, daemon.json and the files a plan may
// rewrite), asks plan/ for the steps, and prints them as a script or as JSON. It changes
// nothing itself: the operator reads the script and runs it.

export interface PlanFlags {
  device: string;
  dataRoot?: string;
  migrate?: MigrateMode;
  fs?: 'xfs' | 'ext4';
  pool?: string;
  defaultSize?: string;
  forceFormat?: boolean;
  removeConflictingFlags?: boolean;
  stopCommand?: string;
  startCommand?: string;
  daemonJson?: string;
  fstab: string;
  stateDir?: string;
  facts?: string;
  output?: string;
  json?: boolean;
}

const DEFAULT_SOCKETS = new Set(['unix:///var/run/docker.sock', 'unix:///run/docker.sock']);

async function readText(probe: HostProbe, path: string): Promise<string | null> {
  try {
    return await probe.readFile(path);
  } catch (err) {
    throw new UsageError(`${path} cannot be read (${errorCode(err)}): the plan rewrites it and must see it first; run dockwarden plan as root.`);
  }
}

/**
 * The files as the plan will find them. From a facts file (made elsewhere, maybe on another
 * host) only daemon.json's parsed content is known: the script's checksum guard then stops
 * at any file that differs, rather than overwrite what it did not see.
 */
async function planHost(facts: HostFacts, flags: PlanFlags, probe: HostProbe | null): Promise<PlanHost> {
  const config = facts.host?.dockerConfig;
  const path = flags.daemonJson ?? config?.daemonJsonPath ?? DEFAULT_DAEMON_JSON;
  if (!probe) {
    const text = config?.daemonJsonExists ? `${JSON.stringify(config.daemonJson, null, 2)}\n` : null;
    return { facts, daemonJson: { path, text, json: config?.daemonJson ?? {} }, files: {} };
  }
  const text = await readText(probe, path);
  const wanted = new Set([FLAG_DROP_IN, MOUNT_DROP_IN, THINPOOL_PROFILE, ...(config?.settings ?? []).filter((s) => s.origin !== 'daemon.json' && s.origin !== 'dockerd-process').map((s) => s.file)]);
  const files: Record<string, string | null> = {};
  for (const file of wanted) files[file] = await readText(probe, file);
  return { facts, daemonJson: { path, text, json: text === null ? {} : parseDaemonJson(text, path) }, files };
}

function planRequest(kind: PlanKind, flags: PlanFlags): PlanRequest {
  return {
    kind,
    device: flags.device,
    forceFormat: Boolean(flags.forceFormat),
    removeConflictingFlags: Boolean(flags.removeConflictingFlags),
    fstab: flags.fstab,
    ...(flags.dataRoot !== undefined ? { dataRoot: flags.dataRoot } : {}),
    ...(flags.migrate !== undefined ? { migrate: flags.migrate } : {}),
    ...(flags.fs !== undefined ? { fs: flags.fs } : {}),
    ...(flags.pool !== undefined ? { pool: flags.pool } : {}),
    ...(flags.defaultSize !== undefined ? { defaultSize: flags.defaultSize } : {}),
    ...(flags.stopCommand && flags.startCommand ? { service: { stop: flags.stopCommand, start: flags.startCommand } } : {}),
    ...(flags.stateDir !== undefined ? { stateDir: flags.stateDir } : {}),
  };
}

/** The command as it would be typed again, for the script's header. */
function commandLine(kind: PlanKind, flags: PlanFlags): string {
  const words = ['dockwarden', 'plan', kind];
  const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  for (const [name, value] of Object.entries(flags)) {
    if (name === 'output' || name === 'json' || value === undefined || value === false) continue;
    if (name === 'fstab' && value === '/etc/fstab') continue;
    words.push(`--${kebab(name)}`, ...(value === true ? [] : [shq(String(value))]));
  }
  return words.join(' ');
}

export interface GlobalFlags {
  host?: string;
  json?: boolean;
  hostRoot?: string;
}

/** Makes the plan and prints or writes it; what `plan` does once its flags are parsed. */
export async function runPlan(kind: PlanKind, flags: PlanFlags, global: GlobalFlags, io: CliIo): Promise<void> {
  if (Boolean(flags.stopCommand) !== Boolean(flags.startCommand)) {
    throw new UsageError('--stop-command and --start-command go together: give both, or neither for systemd.');
  }
  const facts = await loadFacts({ facts: flags.facts, host: global.host, hostRoot: global.hostRoot }, io.env, io.now());
  refuseOnPodman(
    facts.engine.info,
    facts.engine.version?.components,
    (engine) =>
      `dockwarden plan ${kind} writes dockerd's daemon.json and docker.service, and this engine is ${engine}, which has neither: set \`graphroot\` in /etc/containers/storage.conf instead (the fix \`dockwarden doctor\` prints).`,
  );
  if (!facts.host) {
    throw new UsageError('A plan needs the host itself (its daemon.json, units and devices): run dockwarden plan on the host, against its local engine.');
  }
  const probe = flags.facts ? null : localHostProbe(global.hostRoot ?? '/');
  const plan = makePlan(planRequest(kind, flags), await planHost(facts, flags, probe));
  // The script's docker commands must reach the engine the plan was made for.
  const endpoint = facts.engine.endpoint;
  const env: Record<string, string> = endpoint.startsWith('unix://') && !DEFAULT_SOCKETS.has(endpoint) ? { DOCKER_HOST: endpoint } : {};
  const script = renderScript(plan, {
    command: commandLine(kind, flags),
    generatedAt: io.now(),
    madeFor: facts.engine.info.Name ?? facts.engine.endpoint,
    env,
  });
  if (flags.output) await writeScript(flags.output, script);
  if (global.json || flags.json) io.stdout(`${JSON.stringify({ ...plan, script }, null, 2)}\n`);
  else if (!flags.output) io.stdout(script);
  if (flags.output) io.stderr(describeWritten(plan, flags.output));
}

async function writeScript(path: string, script: string): Promise<void> {
  try {
    await writeFile(path, script, { mode: 0o755 });
    // mode applies only to a file writeFile creates; an existing one keeps its own.
    await chmod(path, 0o755);
  } catch (err) {
    throw new UsageError(`-o ${path} cannot be written (${errorCode(err)}).`);
  }
}

function describeWritten(plan: Plan, path: string): string {
  const destructive = plan.steps.filter((s) => s.destructive).length;
  return `dockwarden: wrote ${path}: ${plan.steps.length} steps (${destructive} destructive, each asks first), rollback in ${plan.rollback.length}. ` + `Read it, then run: sudo bash ${path}`;
}
