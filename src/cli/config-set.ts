import { posix } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeFileAtomically, type AtomicWriteResult } from '../host/atomic-write.js';
import { parseDaemonJson } from '../host/daemon-json.js';
import { gatherDockerConfig } from '../host/docker-config.js';
import { findDockerdProcess } from '../host/dockerd-process.js';
import { errorCode, localHostProbe, type HostProbe } from '../host/host-probe.js';
import { conflictRefusal, editDaemonJson, FLAG_DROP_IN, findFlagConflicts, flagRemovalEdits, type FileEdit } from '../plan/daemon-json-edit.js';
import { chooseEndpointFromEnv } from './connect.js';
import type { CliIo } from './cli-io.js';

// What `dockwarden config set` does: changes daemon.json the way an operator should and rarely does —
// in the file dockerd really reads (--config-file may point elsewhere), keeping every other
// key, with a backup, atomically, and without leaving a flag behind that makes dockerd
// refuse to start ("specified both as a flag and in the configuration file").

export interface ConfigSetFlags {
  daemonJson?: string;
  removeConflictingFlags?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

const DRIVERS = ['overlay2', 'btrfs', 'zfs', 'devicemapper', 'vfs', 'fuse-overlayfs'];
/** The `dockwarden plan` that migrates images and containers onto each driver. */
const PLAN_FOR_DRIVER: Record<string, string> = { overlay2: 'overlay2', btrfs: 'btrfs', zfs: 'zfs', devicemapper: 'direct-lvm' };

function checkValue(key: string, value: string): string {
  if (key === 'data-root') {
    // dockerd takes the root as given; a relative one would depend on its working directory.
    if (!value.startsWith('/')) throw new UsageError(`data-root must be an absolute path, not "${value}".`);
    const clean = posix.normalize(value).replace(/(.)\/$/, '$1');
    if (clean === '/') throw new UsageError('data-root cannot be / itself: give a directory for dockerd alone, e.g. /data/docker.');
    return clean;
  }
  if (key === 'storage-driver') {
    if (!DRIVERS.includes(value)) throw new UsageError(`storage-driver must be one of ${DRIVERS.join(', ')}, not "${value}".`);
    return value;
  }
  throw new UsageError(`\`config set\` knows data-root and storage-driver, not "${key}".`);
}

/** Where a logical host path is on this machine: under --host-root, symlinks resolved inside it. */
async function physicalPath(probe: HostProbe, logical: string): Promise<string> {
  if (probe.rootPrefix === '/') return logical;
  const real = (await probe.realPath(logical)) ?? posix.join((await probe.realPath(posix.dirname(logical))) ?? posix.dirname(logical), posix.basename(logical));
  return posix.join(probe.rootPrefix, real);
}

const logicalPath = (probe: HostProbe, physical: string): string => (probe.rootPrefix === '/' ? physical : `/${posix.relative(probe.rootPrefix, physical)}`);

async function write(probe: HostProbe, path: string, text: string, now: Date): Promise<AtomicWriteResult> {
  const physical = await physicalPath(probe, path);
  try {
    const result = await writeFileAtomically(physical, text, { now });
    return { ...result, path: logicalPath(probe, result.path), backupPath: result.backupPath && logicalPath(probe, result.backupPath) };
  } catch (err) {
    const code = errorCode(err);
    const hint = code === 'EACCES' || code === 'EPERM' ? 'run dockwarden as root' : code === 'EROFS' ? 'the filesystem is read-only' : 'the old file is untouched';
    throw new UsageError(`${path} could not be written (${code}): ${hint}.`);
  }
}

/** A file to edit (daemon.json, a drop-in); null when it does not exist yet. A directory or a file we may not read is the operator's to fix. */
async function readTarget(probe: HostProbe, path: string): Promise<string | null> {
  try {
    return await probe.readFile(path);
  } catch (err) {
    const code = errorCode(err);
    const hint = code === 'EISDIR' ? 'it is a directory; give the daemon.json file itself' : code === 'EACCES' || code === 'EPERM' ? 'run dockwarden as root' : 'nothing was changed';
    throw new UsageError(`${path} cannot be read (${code}): ${hint}.`);
  }
}

function afterword(key: string, value: string): string {
  if (key === 'data-root') return 'The data under the old root is not moved: use `dockwarden plan overlay2 …` to move it.';
  const plan = PLAN_FOR_DRIVER[value];
  return plan
    ? `Images and containers of the old driver are not converted: use \`dockwarden plan ${plan} …\` to move them.`
    : `Images and containers of the old driver are not converted: pull the images again and recreate the containers.`;
}

/** Checks the value, edits daemon.json (and the flags, when asked) and reports; `config set` once its flags are parsed. */
export async function runConfigSet(key: string, rawValue: string, flags: ConfigSetFlags, global: { json?: boolean; host?: string; hostRoot?: string }, io: CliIo): Promise<void> {
  const value = checkValue(key, rawValue);
  const probe = localHostProbe(global.hostRoot ?? '/');
  const gaps: string[] = [];
  // The dockerd whose files these are is the one behind the endpoint every other command
  // uses (--host, DOCKER_HOST, the context, the local sockets): its --config-file and flags count.
  const { endpoint } = chooseEndpointFromEnv(global.host, io.env);
  if (endpoint.kind !== 'unix')
    gaps.push(`The engine at ${endpoint.url} is not reached through a local socket: the dockerd behind it was not looked for, so the files edited are those docker.service would use.`);
  const running = endpoint.kind === 'unix' ? await findDockerdProcess(probe, endpoint.socketPath, gaps) : null;
  const facts = await gatherDockerConfig(probe, gaps, running);
  for (const gap of gaps) io.stderr(`dockwarden: note: ${gap}`);

  const path = flags.daemonJson ? posix.resolve(flags.daemonJson) : facts.daemonJsonPath;
  if (path !== facts.daemonJsonPath)
    io.stderr(`dockwarden: note: dockerd reads ${facts.daemonJsonPath}, not ${path}; the change takes effect only once dockerd is started with --config-file ${path}.`);
  const before = await readTarget(probe, path);
  const edit = editDaemonJson(before === null ? {} : parseDaemonJson(before, path), { set: { [key]: value } });

  const conflicts = findFlagConflicts(facts.settings, [key]);
  if (conflicts.length > 0 && !flags.removeConflictingFlags) throw new UsageError(conflictRefusal(conflicts, `${path} was not changed`));
  const texts: Record<string, string | null> = { [FLAG_DROP_IN]: await readTarget(probe, FLAG_DROP_IN) };
  for (const c of conflicts) if (c.setting.origin !== 'dockerd-process') texts[c.setting.file] = await readTarget(probe, c.setting.file);
  const edits = flagRemovalEdits(conflicts, texts);

  const changed = edit.changes.length > 0;
  const dryRun = Boolean(flags.dryRun);
  let daemonJson: AtomicWriteResult = { path, backupPath: null, changed: false };
  const written: Array<FileEdit & { backupPath: string | null }> = [];
  if (!dryRun) {
    // daemon.json first: should an edit below fail, dockerd refuses to start and says why,
    // which is better than a root silently back at /var/lib/docker.
    if (changed) daemonJson = await write(probe, path, edit.text, io.now());
    for (const e of edits) {
      const result = await write(probe, e.path, e.after, io.now()).catch((err: unknown) => {
        const done = [...(daemonJson.changed ? [path] : []), ...written.map((w) => w.path)];
        throw new UsageError(
          `${(err as Error).message.replace(/\.$/, '')}; already written: ${done.join(', ') || 'nothing'}; until ${e.path} is fixed by hand dockerd keeps a flag that clashes with daemon.json.`,
        );
      });
      written.push({ ...e, backupPath: result.backupPath });
    }
  }
  const report = {
    path,
    changes: edit.changes,
    backupPath: daemonJson.backupPath,
    changed,
    edits: (dryRun ? edits.map((e) => ({ ...e, backupPath: null })) : written).map((e) => ({ path: e.path, why: e.why, backupPath: e.backupPath })),
    restartNeeded: changed || edits.length > 0,
    daemonReloadNeeded: edits.some((e) => e.path === FLAG_DROP_IN),
    dryRun,
  };

  if (global.json || flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(`${formatHuman(report, dryRun ? { text: edit.text, edits } : null, key, value)}\n`);
}

interface Report {
  path: string;
  changes: string[];
  backupPath: string | null;
  changed: boolean;
  edits: Array<{ path: string; why: string; backupPath: string | null }>;
  restartNeeded: boolean;
  daemonReloadNeeded: boolean;
}

function formatHuman(report: Report, dryRun: { text: string; edits: FileEdit[] } | null, key: string, value: string): string {
  const lines: string[] = [];
  if (dryRun) lines.push('Dry run: nothing was written.');
  if (!report.changed) lines.push(`${report.path} already has ${key} ${JSON.stringify(value)}: nothing to change there.`);
  else {
    lines.push(`${dryRun ? 'Would change' : 'Changed'} ${report.path}:`, ...report.changes.map((c) => `  ${c}`));
    if (report.backupPath) lines.push(`  The old file is kept as ${report.backupPath}.`);
    if (dryRun) lines.push(`--- new ${report.path}`, dryRun.text.trimEnd());
  }
  for (const e of report.edits) {
    lines.push(`${dryRun ? 'Would write' : 'Wrote'} ${e.path}: ${e.why}`);
    if (e.backupPath) lines.push(`  The old file is kept as ${e.backupPath}.`);
    const after = dryRun?.edits.find((d) => d.path === e.path)?.after;
    if (after !== undefined) lines.push(`--- new ${e.path}`, after.trimEnd());
  }
  if (report.daemonReloadNeeded) lines.push('Run `systemctl daemon-reload` first: systemd reads unit files and drop-ins only then.');
  if (report.restartNeeded) lines.push(`Restart docker to apply: systemctl restart docker. ${afterword(key, value)}`);
  return lines.join('\n');
}
