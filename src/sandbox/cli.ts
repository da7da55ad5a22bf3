// Entry for scripts/sandbox (run with tsx): start a detached sandbox by hand, stop one.
//   start [--fs ext4|xfs|btrfs] [--size MB] [--storage-driver NAME] [--engine host|trixie|sid]
//         [--image-store graph|containerd] [--containerd managed|separate]
//     prints `export DOCKER_HOST=...` on stdout, so `eval "$(scripts/sandbox start)"` works
//   stop DIR
//   engine-stop DIR | engine-start DIR
//     stop or start only the dockerd of a sandbox started with --root-in-daemon-json, the
//     way systemctl stop/start docker would: what `dockwarden plan --stop-command` runs
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fetchedEngines, type EngineBuild } from './engines.js';
import { readMarker } from './marker.js';
import { layoutFor, SANDBOX_PARENT, SANDBOX_PREFIX, type SandboxFs } from './options.js';
import { startDaemon, stopDaemon, type DaemonConfig } from './dockerd.js';
import { preflight } from './preflight.js';
import { startSandbox } from './sandbox.js';
import { teardownDir } from './teardown.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      fs: { type: 'string', default: 'ext4' },
      size: { type: 'string' },
      'storage-driver': { type: 'string' },
      'root-in-daemon-json': { type: 'boolean', default: false },
      engine: { type: 'string', default: 'host' },
      'image-store': { type: 'string', default: 'graph' },
      containerd: { type: 'string', default: 'managed' },
    },
  });
  const imageStore = values['image-store'];
  if (imageStore !== 'graph' && imageStore !== 'containerd') throw new Error(`--image-store must be graph or containerd, not "${imageStore}".`);
  const containerd = values.containerd;
  if (containerd !== 'managed' && containerd !== 'separate') throw new Error(`--containerd must be managed or separate, not "${containerd}".`);
  let engine: EngineBuild | undefined;
  if (values.engine !== 'host') {
    const { engines, skipped } = await fetchedEngines();
    engine = engines.find((e) => e.id === values.engine);
    if (!engine) {
      const why = skipped.find((s) => s.id === values.engine)?.why ?? `no engine "${values.engine}" was fetched (have: host${engines.map((e) => `, ${e.id}`).join('')}); run scripts/fetch-engines.sh`;
      throw new Error(why);
    }
  }
  const fs = values.fs as SandboxFs;
  if (!['ext4', 'xfs', 'btrfs'].includes(fs)) throw new Error(`--fs must be ext4, xfs or btrfs, not "${fs}".`);
  const sizeMb = values.size === undefined ? undefined : Number(values.size);
  if (sizeMb !== undefined && !(sizeMb > 0)) throw new Error(`--size must be a number of MiB, not "${values.size}".`);
  const sandbox = await startSandbox({ fs, sizeMb, storageDriver: values['storage-driver'], rootInDaemonJson: values['root-in-daemon-json'], engine, imageStore, containerd, log });
  await sandbox.detach();
  process.stdout.write(`export DOCKER_HOST=${sandbox.dockerHost}\n`);
  const images = sandbox.containerdRoot ? `, images in containerd's root ${sandbox.containerdRoot}` : '';
  process.stdout.write(`# sandbox ${sandbox.dir} (${fs}, ${sandbox.engineLabel}, data root ${sandbox.dataRoot}${images}); stop: scripts/sandbox stop ${sandbox.dir}\n`);
}

async function sandboxDir(arg: string | undefined): Promise<string> {
  const dir = arg ? resolve(arg) : '';
  if (!new RegExp(`^${SANDBOX_PARENT}/${SANDBOX_PREFIX}[0-9a-f]{8}$`).test(dir) || !(await readMarker(layoutFor(dir).markerPath))) {
    throw new Error(`"${arg ?? ''}" is not a sandbox directory (${SANDBOX_PARENT}/${SANDBOX_PREFIX}<id> with a sandbox.env marker).`);
  }
  return dir;
}

async function stop(argv: string[]): Promise<void> {
  const dir = await sandboxDir(argv[0]);
  await teardownDir(dir, log);
  log(`sandbox: ${dir} removed.`);
}

const [command, ...rest] = process.argv.slice(2);
async function engineStop(argv: string[]): Promise<void> {
  await stopDaemon(layoutFor(await sandboxDir(argv[0])), log);
}

/** Starts the sandbox's dockerd again (the same engine, and its separate containerd if it has one) from its daemon.json alone, as it stands now. */
async function engineStart(argv: string[]): Promise<void> {
  const layout = layoutFor(await sandboxDir(argv[0]));
  const saved = await readFile(layout.enginePath, 'utf8').then(
    (t) => JSON.parse(t) as Pick<DaemonConfig, 'dockerd' | 'engine' | 'containerdSocket'>,
    () => null,
  );
  const running = saved ?? { dockerd: (await preflight('ext4')).dockerd, engine: null, containerdSocket: null };
  await startDaemon(layout, { ...running, dataRoot: '', storageDriver: undefined, daemonJson: {}, extraArgs: [], rootInDaemonJson: true }, log);
}

const commands: Record<string, (argv: string[]) => Promise<void>> = { start, stop, 'engine-stop': engineStop, 'engine-start': engineStart };
const handler = command ? commands[command] : undefined;
if (!handler) {
  log(
    'usage: scripts/sandbox start [--fs ext4|xfs|btrfs] [--size MB] [--storage-driver NAME] [--root-in-daemon-json] [--engine host|trixie|sid] [--image-store graph|containerd] [--containerd managed|separate] | stop DIR | engine-stop DIR | engine-start DIR',
  );
  process.exitCode = 3;
} else {
  handler(rest).catch((err: Error) => {
    log(`sandbox: ${err.message}`);
    process.exitCode = 1;
  });
}
