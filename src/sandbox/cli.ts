// Entry for scripts/sandbox (run with tsx): start a detached sandbox by hand, stop one.
//   start [--fs ext4|xfs|btrfs] [--size MB] [--storage-driver NAME]
//     prints `export DOCKER_HOST=...` on stdout, so `eval "$(scripts/sandbox start)"` works
//   stop DIR
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readMarker } from './marker.js';
import { layoutFor, SANDBOX_PARENT, SANDBOX_PREFIX, type SandboxFs } from './options.js';
import { startSandbox } from './sandbox.js';
import { teardownDir } from './teardown.js';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { fs: { type: 'string', default: 'ext4' }, size: { type: 'string' }, 'storage-driver': { type: 'string' } },
  });
  const fs = values.fs as SandboxFs;
  if (!['ext4', 'xfs', 'btrfs'].includes(fs)) throw new Error(`--fs must be ext4, xfs or btrfs, not "${fs}".`);
  const sizeMb = values.size === undefined ? undefined : Number(values.size);
  if (sizeMb !== undefined && !(sizeMb > 0)) throw new Error(`--size must be a number of MiB, not "${values.size}".`);
  const sandbox = await startSandbox({ fs, sizeMb, storageDriver: values['storage-driver'], log });
  await sandbox.detach();
  process.stdout.write(`export DOCKER_HOST=${sandbox.dockerHost}\n`);
  process.stdout.write(`# sandbox ${sandbox.dir} (${fs}, data root ${sandbox.dataRoot}); stop: scripts/sandbox stop ${sandbox.dir}\n`);
}

async function stop(argv: string[]): Promise<void> {
  const dir = argv[0] ? resolve(argv[0]) : '';
  if (!new RegExp(`^${SANDBOX_PARENT}/${SANDBOX_PREFIX}[0-9a-f]{8}$`).test(dir) || !(await readMarker(layoutFor(dir).markerPath))) {
    throw new Error(`"${argv[0] ?? ''}" is not a sandbox directory (${SANDBOX_PARENT}/${SANDBOX_PREFIX}<id> with a sandbox.env marker).`);
  }
  await teardownDir(dir, log);
  log(`sandbox: ${dir} removed.`);
}

const [command, ...rest] = process.argv.slice(2);
const commands: Record<string, (argv: string[]) => Promise<void>> = { start, stop };
const handler = command ? commands[command] : undefined;
if (!handler) {
  log('usage: scripts/sandbox start [--fs ext4|xfs|btrfs] [--size MB] [--storage-driver NAME] | stop DIR');
  process.exitCode = 3;
} else {
  handler(rest).catch((err: Error) => {
    log(`sandbox: ${err.message}`);
    process.exitCode = 1;
  });
}
