import { hostname } from 'node:os';
import type { Command } from 'commander';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { usageMeasure } from '../gc-sources.js';
import { localHostProbe } from '../host/host-probe.js';
import { chooseEndpointFromEnv, connectFromEnv } from './connect.js';
import type { CliIo, CliSignals } from './cli-io.js';
import { policyFromFlags, type PolicyFlags } from './gc-flags.js';

// `dockwarden agent`: the long-running process. It opens the store, starts the HTTP
// side and the agent loops, and on SIGTERM/SIGINT stops them in order (loops first, so
// the last write completes; then HTTP; then the database) and exits 0.

const VERSION = '0.1.0';

/** `dockwarden agent`'s flags, as agent-command.ts parses them. */
export interface AgentFlags extends PolicyFlags {
  db: string;
  listen: string;
  token?: string;
  webhook: string[];
  interval: string;
  gcInterval: string;
  gc: boolean;
  peer: string[];
  peerToken?: string;
}

/** An agent started in this process: where it listens, and how to stop it in order. */
export interface RunningAgent {
  url: string;
  stop(): Promise<void>;
}

export async function runAgentCommand(program: Command, flags: AgentFlags, io: CliIo, setExit: (code: number) => void, signals: CliSignals): Promise<void> {
  const running = await startAgentFromFlags(program.opts<{ host?: string; hostRoot?: string }>(), flags, io);
  const log = (line: string) => io.stderr(`${io.now().toISOString()} ${line}`);
  const signal = await signals.next();
  log(`${signal}: stopping`);
  // systemd sends SIGKILL after TimeoutStopSec; better to say so and leave first.
  const watchdog = setTimeout(() => {
    log('stopping took over 20 s; exiting without waiting further');
    signals.exitNow(1);
  }, 20_000);
  await running.stop();
  clearTimeout(watchdog);
  setExit(0);
  // An engine socket left half-open must not keep the process alive after a clean stop.
  signals.exitNow(0);
}

/** Opens the store, starts the agent loops and the HTTP side; `dockwarden demo` runs one this way too. */
export async function startAgentFromFlags(global: { host?: string; hostRoot?: string }, flags: AgentFlags, io: CliIo): Promise<RunningAgent> {
  const policy = policyFromFlags(flags);
  const intervalMs = parseDuration(flags.interval, '--interval');
  const gcIntervalMs = parseDuration(flags.gcInterval, '--gc-interval');
  if (intervalMs < 1000 || gcIntervalMs < 1000) throw new UsageError('--interval and --gc-interval must be at least 1s.');
  for (const url of flags.webhook) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`--webhook ${JSON.stringify(url)} is not an http(s) URL.`);
  }
  const token = flags.token ?? io.env['DOCKWARDEN_TOKEN'] ?? null;
  const peerToken = flags.peerToken ?? io.env['DOCKWARDEN_PEER_TOKEN'] ?? token;
  const { parsePeerUrl } = await import('../web/fleet.js');
  const peers = flags.peer.map((url) => {
    try {
      return { url: parsePeerUrl(url), token: peerToken };
    } catch (err) {
      throw new UsageError(`--peer: ${(err as Error).message}.`);
    }
  });
  // Heavy modules load only for the agent: gc, doctor and status stay quick to start.
  const [{ parseListen, checkListenAuth, startWebServer }, { createWebApp }, { loadDashboardAssets }, { createAgentMetrics }, { openStore }, { startAgent }, { gatherRestartForensics }] =
    await Promise.all([
      import('../web/listen.js'),
      import('../web/server.js'),
      import('../web/dashboard-assets.js'),
      import('../web/metrics.js'),
      import('../store/sqlite-store.js'),
      import('../agent/agent.js'),
      import('../host/forensics/restart-forensics.js'),
    ]);
  const listen = parseListen(flags.listen);
  checkListenAuth(listen, token);
  const now = () => io.now().getTime();
  const log = (line: string) => io.stderr(`${io.now().toISOString()} ${line}`);
  // The agent is the store's one writer: the only command that creates, migrates, or moves
  // a damaged store of ours aside. Opened before the engine is asked, so a --db that is
  // not a store is refused at once.
  const store = openStore(flags.db, { now, access: 'writer' });
  if (store.recoveredFrom) log(`the store ${flags.db} was damaged: moved aside to ${store.recoveredFrom}, starting a fresh one`);
  const choice = chooseEndpointFromEnv(global.host, io.env);
  const engine = await connectFromEnv(choice, io.env);
  const metrics = createAgentMetrics();
  const measure = usageMeasure({ endpoint: choice.endpoint, budgetBytes: policy.budgetBytes, hostReadable: true });
  const probe = measure.onHost ? localHostProbe(global.hostRoot ?? '/') : null;
  const agent = startAgent(
    {
      engine,
      endpoint: choice.endpoint,
      probe,
      store,
      metrics,
      now,
      log,
      hostName: hostname(),
      forensics: (p, at, liveRestore) => gatherRestartForensics(p, { at, liveRestore }),
    },
    { intervalMs, gcIntervalMs, gc: flags.gc, policy, webhooks: flags.webhook, version: VERSION },
  );
  let server: Awaited<ReturnType<typeof startWebServer>>;
  try {
    server = await startWebServer(createWebApp(agent.view, metrics, { token, listen, now, log, assets: loadDashboardAssets(), peers }), listen);
  } catch (err) {
    await agent.stop();
    store.close();
    throw err;
  }
  if (measure.kind === 'none') log(`the engine is not on this host: GC is off (give --budget SIZE to keep images under SIZE)`);
  log(`dockwarden agent ${VERSION}: engine ${choice.endpoint.url}, store ${flags.db}, listening on ${server.url}${token ? ' (token required)' : ''}${flags.gc ? '' : ', GC dry runs only'}`);
  return {
    url: server.url,
    async stop() {
      // Loops first, so the last write completes; then HTTP; then the database.
      await agent.stop();
      await server.close();
      store.close();
    },
  };
}
