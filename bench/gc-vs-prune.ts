import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startSandbox, type Sandbox } from '../src/sandbox/index.js';
import { median, timeCommand } from './measure.js';

// bench/gc-vs-prune: `dockwarden gc` against `docker image prune -a -f` on the same engine
// state, rebuilt before every timed run (both tools destroy what they measure).
//   1. "all", at 40 and at 300 images: gc --high 0 --low 0 --min-age 0 deletes every
//      unused image, exactly what prune -a deletes, so the times compare like for like.
//      Target: ratio <= 1.2x.
//   2. "at 90%", 300 images: the filesystem 90% full; gc with the default --high/--low
//      frees down to 80% and stops, prune frees everything: time, bytes freed and final
//      usage of each. Target: ratio <= 0.5x.
// --min-age 0 in both: the images were imported seconds ago and the default 2m would
// (rightly) protect them all.

const MiB = 1024 * 1024;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin/dockwarden.js');
// Fixed seeds and date: re-importing gives the same layers and the same image ids.
const CREATED = new Date('2024-01-01T00:00:00Z');
const IN_USE = [
  { ref: 'bench/running:1', seed: 1, start: ['run', '-d', '--name', 'web', '--network', 'none', 'bench/running:1', 'sleep', '3600'] },
  { ref: 'bench/stopped:1', seed: 2, start: ['create', '--name', 'batch', '--network', 'none', 'bench/stopped:1', 'true'] },
  { ref: 'bench/exited:1', seed: 3, start: ['run', '--name', 'job', '--network', 'none', 'bench/exited:1', 'true'] },
];

/** One engine's images: `count` unused ones of `imageBytes` each, plus IN_USE. */
interface ImageSet {
  count: number;
  imageBytes: number;
  /** Timed rounds per scenario (each rebuilds the images it lost). */
  runs: number;
  unused: { ref: string; seed: number }[];
  ids: Map<string, string>;
}

interface Tool {
  name: string;
  cmd: string;
  args: string[];
}
interface RunResult {
  ms: number;
  freed: number;
  removed: string[];
  beforePct: number;
  afterPct: number;
}

/** The bench times the built CLI: refuse a dist/ older than the source it comes from. */
async function checkBuilt(): Promise<void> {
  const newest = async (dir: string, ext: string): Promise<number> => {
    let t = 0;
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
      if (e.isFile() && e.name.endsWith(ext) && !e.name.endsWith(`.test${ext}`) && !e.parentPath.includes('/testing')) t = Math.max(t, (await stat(join(e.parentPath, e.name))).mtimeMs);
    }
    return t;
  };
  const built = await newest(join(ROOT, 'dist'), '.js').catch(() => 0);
  if (built === 0) throw new Error('bench/gc-vs-prune: dist/ is missing; run `npm run build` first.');
  if ((await newest(join(ROOT, 'src'), '.ts')) > built) throw new Error('bench/gc-vs-prune: src/ is newer than dist/; run `npm run build` first.');
}

async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(work));
}

async function imageIds(sandbox: Sandbox): Promise<Map<string, string>> {
  const out = (await sandbox.docker(['image', 'ls', '--all', '--no-trunc', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'])).stdout;
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ') as [string, string]),
  );
}

/** Puts back whichever unused images the last run deleted; the same seeds give the same ids. */
async function rebuild(sandbox: Sandbox, set: ImageSet): Promise<void> {
  const present = await imageIds(sandbox);
  const missing = set.unused.filter((u) => !present.has(set.ids.get(u.ref) ?? ''));
  await inBatches(missing, 4, (u) => sandbox.importImage(u.ref, { sizeBytes: set.imageBytes, seed: u.seed, created: CREATED }));
}

async function timedRun(sandbox: Sandbox, set: ImageSet, tool: Tool, env: NodeJS.ProcessEnv): Promise<RunResult> {
  const ids = set.ids;
  await rebuild(sandbox, set);
  const before = await imageIds(sandbox);
  // A global sync, not only the sandbox's: the loop device's backing file in /tmp would
  // otherwise be written back during the timed run, by chance to one tool or the other.
  await promisify(execFile)('sync');
  const u0 = await sandbox.usage();
  const ms = await timeCommand(tool.cmd, tool.args, env);
  const u1 = await sandbox.usage();
  const after = await imageIds(sandbox);
  for (const u of IN_USE) if (!after.has(ids.get(u.ref)!)) throw new Error(`${tool.name} deleted ${u.ref}, which a container uses.`);
  const removed = [...before.keys()].filter((id) => !after.has(id)).sort();
  return { ms, freed: u1.availBytes - u0.availBytes, removed, beforePct: u0.usedPct, afterPct: u1.usedPct };
}

/** One warm-up each, then set.runs alternating rounds; the order flips every round. */
async function scenario(sandbox: Sandbox, set: ImageSet, tools: [Tool, Tool], env: NodeJS.ProcessEnv): Promise<RunResult[][]> {
  const results: RunResult[][] = [[], []];
  for (let round = 0; round <= set.runs; round++) {
    for (const k of round % 2 ? [1, 0] : [0, 1]) {
      const r = await timedRun(sandbox, set, tools[k]!, env);
      console.error(
        `bench/gc-vs-prune: ${round === 0 ? 'warm-up ' : ''}${tools[k]!.name}: ${r.ms.toFixed(0)} ms, ${r.removed.length} removed, ${(r.freed / MiB).toFixed(0)} MiB freed, ${r.beforePct.toFixed(1)}% -> ${r.afterPct.toFixed(1)}%`,
      );
      if (round > 0) results[k]!.push(r);
    }
  }
  return results;
}

function summary(tool: Tool, runs: RunResult[]): string {
  const pick = (f: (r: RunResult) => number) => median(runs.map(f));
  const all = runs.map((r) => r.ms.toFixed(0)).join(', ');
  return `  ${tool.name}: ${pick((r) => r.ms).toFixed(0)} ms (runs ${all}), freed ${(pick((r) => r.freed) / MiB).toFixed(0)} MiB, ${pick((r) => r.removed.length)} images removed, usage ${pick((r) => r.beforePct).toFixed(1)}% -> ${pick((r) => r.afterPct).toFixed(1)}%`;
}

const sameSet = (runs: RunResult[], want: string[]) => runs.every((r) => r.removed.join() === want.join());

const ratioOf = (ours: RunResult[], peer: RunResult[]) => median(ours.map((r) => r.ms)) / median(peer.map((r) => r.ms));
const verdict = (ratio: number, target: number) => `ratio dockwarden/prune ${ratio.toFixed(2)}x, target <= ${target}x: ${ratio <= target ? 'met' : 'NOT met'}`;

/** The scenarios on one engine holding `count` unused images (seeds from 1000). */
async function onEngine(count: number, imageBytes: number, sizeMb: number, runs: number, at90: boolean): Promise<string[]> {
  const cliConfig = await mkdtemp(join(tmpdir(), 'dockwarden-bench-'));
  const sandbox = await startSandbox({ fs: 'ext4', sizeMb });
  try {
    const started = Date.now();
    const set: ImageSet = { count, imageBytes, runs, unused: Array.from({ length: count }, (_, i) => ({ ref: `bench/unused-${i}:1`, seed: 1000 + i })), ids: new Map() };
    for (const u of IN_USE) set.ids.set(u.ref, await sandbox.importImage(u.ref, { sizeBytes: imageBytes, seed: u.seed, created: CREATED }));
    await inBatches(set.unused, 4, async (u) => set.ids.set(u.ref, await sandbox.importImage(u.ref, { sizeBytes: imageBytes, seed: u.seed, created: CREATED })));
    for (const u of IN_USE) await sandbox.docker(u.start);
    const unusedIds = set.unused.map((u) => set.ids.get(u.ref)!).sort();
    console.error(`bench/gc-vs-prune: ${count} unused + ${IN_USE.length} in-use images ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // Only the sandbox: the caller's DOCKER_* variables and docker config stay out.
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: cliConfig, NO_COLOR: '1', DOCKER_HOST: sandbox.dockerHost, DOCKER_CONFIG: cliConfig };
    const prune: Tool = { name: 'docker image prune -a -f', cmd: 'docker', args: ['image', 'prune', '-a', '-f'] };
    const gc = (flags: string[]): Tool => ({ name: `dockwarden gc ${flags.join(' ')}`, cmd: process.execPath, args: [CLI, '--host', sandbox.dockerHost, 'gc', ...flags] });
    const what = `${count} unused images of ${imageBytes / MiB} MiB + ${IN_USE.length} in use (running, created, exited); ext4 ${sizeMb} MB; median of ${runs}`;

    const gcAll = gc(['--high', '0', '--low', '0', '--min-age', '0']);
    const [oursAll, peerAll] = await scenario(sandbox, set, [gcAll, prune], env);
    const lines = [
      `gc-vs-prune, all unused: ${what}`,
      summary(gcAll, oursAll!),
      summary(prune, peerAll!),
      `  ${verdict(ratioOf(oursAll!, peerAll!), 1.2)}; both removed exactly the ${count} unused images every run: ${sameSet([...oursAll!, ...peerAll!], unusedIds)}; in-use images kept: true`,
    ];
    if (!at90) return lines;

    // Realistic: other data fills the disk to 90%; gc needs only to get back under 80%.
    await rebuild(sandbox, set);
    await sandbox.fillTo(90);
    const gcDefault = gc(['--min-age', '0']);
    const [oursFull, peerFull] = await scenario(sandbox, set, [gcDefault, prune], env);
    const gcRemoved = oursFull!.map((r) => r.removed.length);
    lines.push(
      `gc-vs-prune, at 90%: ${what}, filler to 90%; gc with default --high 85 --low 80`,
      summary(gcDefault, oursFull!),
      summary(prune, peerFull!),
      `  ${verdict(ratioOf(oursFull!, peerFull!), 0.5)}; gc removed ${Math.min(...gcRemoved)}-${Math.max(...gcRemoved)} of ${count}, all of them unused: ${oursFull!.every((r) => r.removed.every((id) => unusedIds.includes(id)))}; prune removed all ${count}: ${sameSet(peerFull!, unusedIds)}`,
    );
    return lines;
  } finally {
    await sandbox.stop();
    await rm(cliConfig, { recursive: true, force: true });
  }
}

export async function benchGcVsPrune(): Promise<string[]> {
  await checkBuilt();
  // An imported image of 4 MiB takes about 6 MiB on disk: 300 of them fill 60% of 3 GB,
  // and from 90% gc frees about 50 of them.
  return [...(await onEngine(40, 16 * MiB, 2048, 5, false)), ...(await onEngine(300, 4 * MiB, 3072, 3, true))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) for (const line of await benchGcVsPrune()) console.log(line);
