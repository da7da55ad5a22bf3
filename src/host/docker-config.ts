import { UsageError } from '../core/errors.js';
import { DEFAULT_DAEMON_JSON, daemonJsonSettings, readDaemonJson } from './daemon-json.js';
import { parseDockerdFlags } from '../core/dockerd-flags.js';
import type { DockerdProcess } from './dockerd-process.js';
import { collectDockerService, execStartArgv, resolveServiceEnvironment } from './docker-service.js';
import { parseEnvFile, type EnvAssignment } from '../core/env-file.js';
import { errorCode, type HostProbe } from './host-probe.js';
import type { ConfigSetting, DockerConfigFacts } from './local-facts.js';
import { settingsFromExecStart, settingsFromInitDefaults, settingsFromUnusedExecStarts, type InitDefaultsFile } from './service-settings.js';
import { parseUnitFile } from '../core/systemd-unit-file.js';
import { loadSystemdUnit } from './systemd-units.js';

// Every place the daemon's storage and logging settings can come from, read together:
// daemon.json, docker.service with its drop-ins and environment files, and the
// distribution's init defaults. Which of them dockerd really sees is decided in
// docker-service.ts and service-settings.ts; this file only does the reading.

/** Read by Debian/Ubuntu init scripts and some units (DOCKER_OPTS), and by RHEL's unit (OPTIONS, DOCKER_STORAGE_OPTIONS). */
const INIT_DEFAULTS = ['/etc/default/docker', '/etc/sysconfig/docker', '/etc/sysconfig/docker-storage'];

function quoteWord(word: string): string {
  return /^[^\s"'\\]+$/.test(word) ? word : JSON.stringify(word);
}

/**
 * A dockerd that systemd did not start (by hand, another supervisor, a test harness) is
 * governed by its own flags only: the unit's and init defaults' flags do not reach it.
 */
function applyRunningProcess(settings: ConfigSetting[], running: DockerdProcess): ConfigSetting[] {
  const reason = `the engine is dockerd pid ${running.pid}, which docker.service did not start, so this setting does not reach it`;
  const overruled = settings.map((s) => (s.effective && s.origin !== 'daemon.json' ? { ...s, effective: false, ineffectiveReason: reason } : s));
  const own = parseDockerdFlags(running.argv).map(
    (flag): ConfigSetting => ({
      key: flag.key,
      value: flag.value,
      origin: 'dockerd-process',
      file: `/proc/${running.pid}/cmdline`,
      text: flag.words.join(' '),
      effective: true,
    }),
  );
  return [...overruled, ...own];
}

export async function gatherDockerConfig(probe: HostProbe, gaps: string[], running: DockerdProcess | null = null): Promise<DockerConfigFacts> {
  const readText = async (path: string, consequence: string): Promise<string | null> => {
    try {
      return await probe.readFile(path);
    } catch (err) {
      gaps.push(`${path} cannot be read (${errorCode(err)}): ${consequence}; run dockwarden as root.`);
      return null;
    }
  };

  const unit = await loadSystemdUnit(probe, 'docker.service', gaps);
  if (unit.maskedBy) gaps.push(`docker.service is masked (${unit.maskedBy} -> /dev/null): systemd will not start dockerd, so its command line is unknown.`);
  else if (unit.files.length === 0) gaps.push('No docker.service unit was found in the systemd unit directories: the flags dockerd is started with are unknown (sysvinit/upstart assumed).');
  const model = collectDockerService(unit.files.map((f) => ({ path: f.path, kind: f.kind, directives: parseUnitFile(f.text) })));

  const envFiles = new Map<string, EnvAssignment[] | null>();
  for (const ref of model.environmentFiles) {
    if (envFiles.has(ref.path)) continue;
    const text = await readText(ref.path, 'the variables docker.service takes from it are unknown');
    if (text === null && !ref.optional) {
      gaps.push(`docker.service requires ${ref.path} (EnvironmentFile= without "-" in ${ref.declaredIn}) and it is missing or unreadable: systemd will refuse to start dockerd.`);
    }
    envFiles.set(ref.path, text === null ? null : parseEnvFile(text));
  }
  const vars = resolveServiceEnvironment(model, envFiles);

  const settings: ConfigSetting[] = [];
  const execLine = model.execStarts.at(-1) ?? null;
  if (model.execStarts.length > 1 && model.type !== 'oneshot') {
    gaps.push(
      `docker.service has ${model.execStarts.length} ExecStart= lines (the one in ${execLine?.file} is not preceded by an empty \`ExecStart=\`): systemd refuses to start it ("Service has more than one ExecStart= setting"); the last one is assumed here.`,
    );
  }
  settings.push(...settingsFromUnusedExecStarts(model));
  if (execLine) settings.push(...settingsFromExecStart(execLine, vars));

  const initFiles: InitDefaultsFile[] = [];
  for (const path of INIT_DEFAULTS) {
    const assignments = envFiles.has(path) ? envFiles.get(path) : await readText(path, 'the daemon flags in it are unknown').then((t) => (t === null ? null : parseEnvFile(t)));
    if (assignments) initFiles.push({ path, assignments });
  }
  settings.push(...settingsFromInitDefaults(initFiles, { unitFound: unit.files.length > 0 || unit.maskedBy !== null, model, vars }));
  const fromProcess = running && !running.startedByDockerService ? applyRunningProcess(settings, running) : null;
  if (fromProcess) settings.splice(0, settings.length, ...fromProcess);

  // --config-file points dockerd at another daemon.json; /etc/docker/daemon.json is then
  // not read at all, however plausible its contents look.
  const configFile = settings.filter((s) => s.key === 'config-file' && s.effective).at(-1);
  const daemonJsonPath = configFile?.value ?? DEFAULT_DAEMON_JSON;
  const daemonJson = await readDaemonJson(probe, daemonJsonPath).catch((err: unknown) => {
    if (err instanceof UsageError) throw err;
    gaps.push(`${daemonJsonPath} cannot be read (${errorCode(err)}): its settings are unknown; run dockwarden as root.`);
    return { exists: true, json: {} };
  });
  if (configFile && !daemonJson.exists) {
    gaps.push(`dockerd is started with --config-file ${daemonJsonPath} (${configFile.file}), which does not exist: dockerd refuses to start without it.`);
  }
  const fromJson = daemonJsonSettings(daemonJson.json, daemonJsonPath);
  if (daemonJsonPath !== DEFAULT_DAEMON_JSON) {
    fromJson.push(...(await unusedDefaultDaemonJson(probe, daemonJsonPath, gaps)));
  }

  const argv = fromProcess ? running!.argv.map(quoteWord) : execLine ? execStartArgv(execLine, vars).map((w) => quoteWord(w.word)) : null;
  return {
    daemonJsonPath,
    daemonJsonExists: daemonJson.exists,
    daemonJson: daemonJson.json,
    settings: [...fromJson, ...settings],
    unitFiles: unit.files.map((f) => f.path),
    execStart: argv ? argv.join(' ') : null,
  };
}

/** Settings of /etc/docker/daemon.json when dockerd is told to read another file instead. */
async function unusedDefaultDaemonJson(probe: HostProbe, used: string, gaps: string[]): Promise<ConfigSetting[]> {
  try {
    const other = await readDaemonJson(probe, DEFAULT_DAEMON_JSON);
    const reason = `dockerd is started with --config-file ${used}, so ${DEFAULT_DAEMON_JSON} is not read`;
    return daemonJsonSettings(other.json, DEFAULT_DAEMON_JSON).map((s) => ({ ...s, effective: false, ineffectiveReason: reason }));
  } catch (err) {
    // dockerd does not read it, so a broken copy here is not fatal; just say so.
    const why = err instanceof UsageError ? err.message : `${DEFAULT_DAEMON_JSON} cannot be read (${errorCode(err)})`;
    gaps.push(`${why} (dockerd reads ${used} instead, so this does not stop it).`);
    return [];
  }
}
