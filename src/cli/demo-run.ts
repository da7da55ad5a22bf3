import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { formatBytes } from '../core/human-size.js';
import { makeDemoHistory } from '../sandbox/demo-history.js';
import { takeDemoLock, type DemoLock } from '../sandbox/demo-lock.js';
import { demoMissing, machineFacts } from '../sandbox/demo-prerequisites.js';
import { fetchedEngines, type EngineBuild } from '../sandbox/engines.js';
import { startSandbox, type Sandbox, type SandboxFs } from '../sandbox/index.js';
import type { ImageStore } from '../sandbox/options.js';
import { startAgentFromFlags, type AgentFlags, type RunningAgent } from './agent-run.js';
import type { CliIo, CliSignals } from './cli-io.js';
import { runDoctorCommand } from './doctor-run.js';
import { runGcCommand } from './gc-run.js';

// `dockwarden demo`: the product on a machine without a Docker host at hand. A private
// dockerd on a loop disk (never the host's engine, its network or /var/lib/docker) gets a
// history (sandbox/demo-history.ts) and is filled just past --high with old nightly images;
// then doctor and a GC dry run print, and the agent serves its dashboard until Ctrl-C or
// SIGTERM, when the agent, the engine, the mounts, the loop devices and the files go.

/** `dockwarden demo`'s flags, as demo-command.ts parses them. */
export interface DemoFlags {
  fs: SandboxFs;
  size: string;
  engine: string;
  imageStore: ImageStore;
  listen: string;
  token?: string;
  high: number;
}

const MiB = 1024 * 1024;
/** How far past --high the disk is filled: enough that GC has work, not so far that the engine suffers. */
const PAST_HIGH = 3;
/** The demo's images were loaded a minute ago but stand for months of history. */
const MIN_AGE = '0s';
const KEEP = '^infra/';

class DemoStopped extends Error {}

/** "1G", "1536M", "2GiB", or a plain number of MiB (as the sandbox takes it); G and M are binary, as truncate(1) reads them. */
export function parseDiskSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(?:([MG])(?:i?B)?)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--size ${JSON.stringify(text)} is not a disk size: use 1G, 1536M or a number of MiB.`);
  const mib = Number(m[1]) * (m[2]?.toUpperCase() === 'G' ? 1024 : 1);
  if (!(mib >= 512 && mib <= 64 * 1024)) throw new UsageError(`--size ${text}: the demo needs between 512M and 64G.`);
  return Math.round(mib);
}

async function engineBuild(id: string): Promise<EngineBuild | undefined> {
  if (id === 'host') return undefined;
  const { engines, skipped } = await fetchedEngines();
  const build = engines.find((e) => e.id === id);
  if (build) return build;
  const why = skipped.find((s) => s.id === id)?.why;
  throw new UsageError(
    why ?? `--engine ${id}: no such engine was fetched (have: host${engines.map((e) => `, ${e.id}`).join('')}); a clone of dockwarden fetches trixie and sid with scripts/fetch-engines.sh.`,
  );
}

function refuseSecondDemo(lock: Awaited<ReturnType<typeof takeDemoLock>>): DemoLock {
  if (!('heldBy' in lock)) return lock;
  const o = lock.heldBy;
  const where = [o.dashboard && `its dashboard is ${o.dashboard}`, o.dockerHost && `its engine ${o.dockerHost}`].filter(Boolean).join(', ');
  throw new UsageError(`a demo is already running (pid ${o.pid}, since ${o.startedAt}${where ? `; ${where}` : ''}): stop it with Ctrl-C in its terminal, or kill ${o.pid}.`);
}

export async function runDemo(flags: DemoFlags, io: CliIo, setExit: (code: number) => void, signals: CliSignals): Promise<void> {
  const sizeMb = parseDiskSize(flags.size);
  const missing = demoMissing(await machineFacts(flags.fs), flags.fs);
  if (missing) throw new UsageError(missing);
  const engine = await engineBuild(flags.engine);
  const lock = refuseSecondDemo(await takeDemoLock(io.now()));

  // Progress goes to a terminal only: nothing of it in a pipe or a log.
  const step = (line: string) => {
    if (io.stderrIsTty) io.stderr(`demo: ${line}`);
  };
  let stopSignal: string | null = null;
  const stopped = signals.next().then((name) => {
    stopSignal = name;
    io.stderr(`demo: ${name}: removing the engine, its disk and every file`);
    void absorbLaterSignals();
  });
  // A second Ctrl-C while that runs must not cut it short and leave mounts behind.
  const absorbLaterSignals = async () => {
    for (;;) io.stderr(`demo: ${await signals.next()} again: still removing; it takes a few seconds`);
  };
  const checkpoint = () => {
    if (stopSignal) throw new DemoStopped();
  };

  let sandbox: Sandbox | null = null;
  let agent: RunningAgent | null = null;
  let failure: unknown = null;
  try {
    step(`starting a private dockerd on a ${sizeMb} MiB ${flags.fs} loop disk`);
    sandbox = await startSandbox({ fs: flags.fs, sizeMb, engine, imageStore: flags.imageStore, log: step });
    checkpoint();
    await lock.update({ dockerHost: sandbox.dockerHost });
    const history = await makeDemoHistory(sandbox, {
      step: (line) => {
        checkpoint();
        step(line);
      },
    });
    const target = Math.min(flags.high + PAST_HIGH, 97);
    // The fill's count is rewritten in place, as gc's deletions are.
    const fill = await fillWithNightlies(sandbox, target, (line) => io.stderrIsTty && io.stderr(`\r\x1b[Kdemo: ${line}`), checkpoint);
    if (io.stderrIsTty) io.stderr('\r\x1b[K');
    step(`filled with ${fill.images} nightly images: the disk is at ${fill.usedPct.toFixed(1)}%`);
    printIntro(io, sandbox, history.lines, fill, flags.high);

    const host = sandbox.dockerHost;
    const policy = { high: flags.high, low: Math.max(0, flags.high - 5), minAge: MIN_AGE, keep: [KEEP] };
    io.stdout(`\n── dockwarden doctor --host ${host} ──\n`);
    await runDoctorCommand({ host }, false, io, () => {});
    io.stdout(`\n── dockwarden gc --dry-run --host ${host} --min-age ${MIN_AGE} --keep '${KEEP}' ──\n`);
    await runGcCommand({ host }, { ...policy, dryRun: true, concurrency: 4 }, io, () => {});
    checkpoint();

    const token = flags.token ?? randomBytes(12).toString('hex');
    const agentFlags: AgentFlags = { ...policy, db: join(sandbox.dir, 'agent.db'), listen: flags.listen, token, webhook: [], interval: '5s', gcInterval: '5m', gc: true, peer: [] };
    agent = await startAgentFromFlags({ host }, agentFlags, io);
    await lock.update({ dockerHost: host, dashboard: agent.url });
    printDashboard(io, agent.url, token, host, flags.high);
    await stopped;
  } catch (err) {
    if (!(err instanceof DemoStopped)) failure = err;
  } finally {
    await agent?.stop().catch((err: Error) => io.stderr(`demo: stopping the agent: ${err.message}`));
    await sandbox?.stop().catch((err: Error) => io.stderr(`demo: removing the engine: ${err.message} (scripts/sandbox-cleanup.sh --all removes what is left)`));
    await lock.release();
  }
  if (failure) throw failure;
  io.stderr('demo: stopped; the engine, its disk and its files are gone.');
  setExit(0);
  // The engine's sockets are gone: nothing must keep the process waiting.
  signals.exitNow(0);
}

interface Fill {
  images: number;
  bytes: number;
  usedPct: number;
}

/** Old nightly report images, oldest first, until the disk is `target`% full: what GC will find to collect. */
async function fillWithNightlies(sandbox: Sandbox, target: number, progress: (line: string) => void, checkpoint: () => void): Promise<Fill> {
  const sizeBytes = 16 * MiB;
  let usage = await sandbox.imageUsage();
  let images = 0;
  for (; usage.usedPct < target; images++) {
    checkpoint();
    if (images >= 5000) throw new Error(`the demo's disk is still at ${usage.usedPct.toFixed(1)}% after 5000 images`);
    const night = new Date(Date.UTC(2025, 0, 1) + images * 24 * 3600 * 1000);
    await sandbox.importImage(`reports/nightly:${night.toISOString().slice(0, 10)}`, { sizeBytes, created: night });
    usage = await sandbox.imageUsage();
    progress(`filling with nightly report images: ${images + 1}, disk at ${usage.usedPct.toFixed(1)}% of ${formatBytes(usage.sizeBytes)} (target ${target}%)`);
  }
  return { images, bytes: images * sizeBytes, usedPct: usage.usedPct };
}

function printIntro(io: CliIo, sandbox: Sandbox, history: string[], fill: Fill, high: number): void {
  const store = sandbox.imageStore === 'containerd' ? "containerd's image store" : 'the overlay2 graph driver';
  io.stdout(
    [
      `dockwarden demo: a private Docker engine (${sandbox.engineLabel}, ${store}) on a ${sandbox.fs} loop disk at ${sandbox.mountPoint}.`,
      "It shares nothing with this machine's Docker: own socket, data root, network namespace.",
      `  engine: ${sandbox.dockerHost}`,
      ...history.map((line) => `  - ${line}`),
      `  - ${fill.images} nightly report images of ${formatBytes(fill.bytes / Math.max(fill.images, 1))} each, unused since they ran: the disk is at ${fill.usedPct.toFixed(1)}%, past --high ${high}%`,
      '',
    ].join('\n'),
  );
}

function printDashboard(io: CliIo, url: string, token: string, host: string, high: number): void {
  io.stdout(
    [
      '',
      `── dashboard: ${url}/ ──`,
      `  token: ${token}   (paste it into the dashboard's Agent token field to run GC from there; the API wants it as a Bearer token)`,
      `  The agent samples every 5 s and collects whenever usage crosses --high ${high}%: it does so now, since the disk starts past it.`,
      "  The worker's log grows the disk by ~25 KiB/s: the forecast of when it is full shows once the agent has 5 minutes of samples.",
      '',
      'Try:',
      `  dockwarden gc --host ${host} --min-age ${MIN_AGE} --keep '${KEEP}'     collect as the agent does`,
      `  dockwarden doctor --host ${host}`,
      `  docker --host ${host} run -d --network none shop/web:1.3 dd if=/dev/zero of=/ballast bs=1M count=150     add 150 MiB and watch the forecast`,
      '',
      'Ctrl-C (or SIGTERM) stops the demo and removes the engine, its disk and every file.',
      '',
    ].join('\n'),
  );
}
