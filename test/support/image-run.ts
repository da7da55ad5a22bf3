import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { execForm, type DockerfileModel, type DockerStage } from './dockerfile-model.js';
import { runCommand } from './run-command.js';

// An image's runtime stage emulated on this machine, for a Dockerfile that cannot be built
// here: its files laid out as its COPY lines put them, a named volume as Docker creates
// one from the image, and its HEALTHCHECK run against the process in a network namespace
// of its own. What it cannot emulate: the base image's own files (the node binary and
// glibc are this machine's) and the build stage's `npm ci` (node_modules is linked).

/** The last WORKDIR of a stage. */
export const workdirOf = (stage: DockerStage): string => stage.instructions.filter((i) => i.keyword === 'WORKDIR').at(-1)?.args ?? '/';

/**
 * Lays the last stage's COPY sources out under `root` (node_modules linked, the rest
 * copied); `--from=build` paths are taken from the context, as the build stage copies
 * them there. Returns the final WORKDIR inside `root`.
 */
export function layOutImage(model: DockerfileModel, context: string, root: string): string {
  const build = model.stages[0] as DockerStage;
  const final = model.stages.at(-1) as DockerStage;
  chmodSync(root, 0o755);
  for (const copy of final.instructions.filter((i) => i.keyword === 'COPY')) {
    const target = copy.words.at(-1) as string;
    for (const source of copy.words.slice(0, -1)) {
      const rel = copy.flags['from'] === build.name ? posix.relative(workdirOf(build), source) : source;
      const dest = join(root, posix.resolve(workdirOf(final), target), target.endsWith('/') ? posix.basename(rel) : '');
      mkdirSync(dirname(dest), { recursive: true });
      if (rel === 'node_modules') symlinkSync(join(context, 'node_modules'), dest);
      else cpSync(join(context, rel), dest, { recursive: true });
    }
  }
  return join(root, workdirOf(final));
}

/** Owner, group and mode that the last stage's RUN lines give `path` (`chown u:g path`, `chmod mode path`). */
export function ownershipOf(model: DockerfileModel, path: string): { user: string; group: string; mode: number } | null {
  const runs = (model.stages.at(-1) as DockerStage).instructions
    .filter((i) => i.keyword === 'RUN')
    .map((r) => r.args)
    .join('\n');
  const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const owner = new RegExp(`chown (\\w+):(\\w+) ${escaped}(?![\\w/])`).exec(runs);
  const mode = new RegExp(`chmod (0?[0-7]{3}) ${escaped}(?![\\w/])`).exec(runs);
  if (!owner || !mode) return null;
  return { user: owner[1] as string, group: owner[2] as string, mode: parseInt(mode[1] as string, 8) };
}

/** A directory as a new named volume starts: with the image directory's owner and mode. */
export function freshVolume(parent: string, uid: number, gid: number, mode: number): string {
  // Like /var/lib/docker/volumes/<name>/_data, the path leading to it is not what decides.
  chmodSync(parent, 0o755);
  const dir = mkdtempSync(join(parent, 'volume-'));
  chownSync(dir, uid, gid);
  chmodSync(dir, mode);
  return dir;
}

export interface ImageRun {
  /** Exit status of the HEALTHCHECK command before the agent started (must fail). */
  before: number;
  /** Its first success after the start, or the last failure after 30 s. */
  after: number;
  /** Status of GET /metrics without a token, and with it. */
  anonymous: number;
  status: number;
  metrics: string;
  /** The agent's exit code after SIGTERM. */
  code: number;
  log: string;
}

const DRIVER = `import { spawn, spawnSync } from 'node:child_process';
const [agentArgv, health] = [JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
spawnSync('ip', ['link', 'set', 'lo', 'up']);
const probe = () => spawnSync(health[0], health.slice(1), { timeout: 10000 }).status;
const before = probe();
const agent = spawn(agentArgv[0], agentArgv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
const closed = new Promise((r) => agent.on('close', r));
let log = '';
agent.stderr.on('data', (d) => (log += d));
let after = probe();
for (const end = Date.now() + 30000; after !== 0 && Date.now() < end; after = probe()) await new Promise((r) => setTimeout(r, 300));
const url = 'http://127.0.0.1:9476/metrics';
const anonymous = await fetch(url).then((r) => r.status, () => -1);
// The first usage sample follows the start by a moment: wait for it (its image count).
const scrape = () => fetch(url, { headers: { authorization: 'Bearer ' + process.env.DOCKWARDEN_TOKEN } }).then(async (r) => ({ status: r.status, text: await r.text() }), () => null);
let res = await scrape();
for (const end = Date.now() + 15000; res && !/^dockwarden_images /m.test(res.text) && Date.now() < end; res = await scrape()) await new Promise((r) => setTimeout(r, 300));
const metrics = res ? res.text : '';
agent.kill('SIGTERM');
const code = await closed;
console.log(JSON.stringify({ before, after, anonymous, status: res?.status ?? -1, metrics, code, log }));
`;

/**
 * Runs `agentArgv` in a network namespace of its own (so port 9476 is free whatever runs
 * on this machine; a unix socket to the engine still works), with the HEALTHCHECK of
 * `model` run before and after the start. Needs root (unshare).
 */
export async function runImageInNetns(model: DockerfileModel, agentArgv: string[], env: NodeJS.ProcessEnv): Promise<ImageRun> {
  const health = (model.stages.at(-1) as DockerStage).instructions.find((i) => i.keyword === 'HEALTHCHECK');
  if (!health) throw new Error('The Dockerfile has no HEALTHCHECK.');
  const dir = mkdtempSync(join(tmpdir(), 'dw-deploy-netns-'));
  const driver = join(dir, 'driver.mjs');
  writeFileSync(driver, DRIVER);
  try {
    const r = await runCommand('unshare', ['--net', '--', process.execPath, driver, JSON.stringify(agentArgv), JSON.stringify(execForm(health))], { env, timeoutMs: 90_000 });
    if (r.code !== 0) throw new Error(`the netns driver exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as ImageRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
