import { existsSync } from 'node:fs';
import type { RecordedUse } from '../gc/image-times.js';
import { parseDuration } from '../core/duration.js';
import { UsageError } from '../core/errors.js';
import { formatBytes } from '../core/human-size.js';
import { refuseOnPodman } from '../core/engine-product.js';
import { gcExitCode, gcReport } from '../gc/gc-report.js';
import { runGc } from '../gc/run-gc.js';
import { gcSources, usageMeasure } from '../gc-sources.js';
import { localHostProbe } from '../host/host-probe.js';
import { chooseEndpointFromEnv, connectFromEnv } from './connect.js';
import { DEFAULT_DB } from './defaults.js';
import { formatGc } from './format-gc.js';
import type { CliIo } from './cli-io.js';
import { policyFromFlags, type PolicyFlags } from './gc-flags.js';

// What `dockwarden gc` does once its flags are parsed (gc-command.ts), loaded only then:
// connect, decide how usage is measured (the filesystem holding the images here, or
// --budget for an engine elsewhere), wire the engine and the host into the run, print.

/** `dockwarden gc`'s flags, as gc-command.ts parses them. */
export interface GcFlags extends PolicyFlags {
  db?: string;
  dryRun?: boolean;
  json?: boolean;
  concurrency: number;
  containersOlderThan?: string;
  buildCache?: boolean;
}

/** The global options gc reads. */
export interface GcGlobals {
  host?: string;
  json?: boolean;
  hostRoot?: string;
}

export async function runGcCommand(global: GcGlobals, flags: GcFlags, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const policy = policyFromFlags(flags);
  const containersOlderThanMs = flags.containersOlderThan === undefined ? null : parseDuration(flags.containersOlderThan, '--containers-older-than');
  // Read first: a --db that is not the agent's store is bad input, said before the engine is asked anything.
  const recorded = await agentRecords(flags.db, io.now().getTime());
  const choice = chooseEndpointFromEnv(global.host, io.env);
  const engine = await connectFromEnv(choice, io.env);
  const info = await engine.info();
  if (flags.buildCache)
    refuseOnPodman(
      info,
      null,
      (e) => `--build-cache: ${e} has no build cache API (POST /build/prune answers 404; its builds leave intermediate images, which gc collects as dangling): run gc without it.`,
    );
  const measure = usageMeasure({ endpoint: choice.endpoint, budgetBytes: policy.budgetBytes, hostReadable: true });
  const sources = await gcSources({
    engine,
    info,
    probe: measure.onHost ? localHostProbe(global.hostRoot ?? '/') : null,
    socketPath: choice.endpoint.kind === 'unix' ? choice.endpoint.socketPath : null,
    budget: measure.kind === 'budget',
    now: io.now,
  });
  const progress = io.stderrIsTty && !flags.dryRun ? progressLine(io) : undefined;
  const run = await runGc(
    { engine, ...sources, now: () => io.now().getTime(), recorded },
    { policy, dryRun: Boolean(flags.dryRun), concurrency: flags.concurrency, containersOlderThanMs, buildCache: Boolean(flags.buildCache), onProgress: progress },
  );
  if (progress) io.stderr('\r\x1b[K');
  const report = gcReport(run);
  if (global.json || flags.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else io.stdout(`${formatGc(report)}\n`);
  if (report.failed.length > 0) io.stderr(`dockwarden: ${report.failed.length} of ${report.failed.length + report.deleted.length} deletions failed; first: ${report.failed[0]!.error}`);
  setExit(gcExitCode(run));
}

/** What the agent recorded of image use, when its store is there: the best LRU evidence. Read-only: gc never changes the agent's file. */
async function agentRecords(db: string | undefined, now: number): Promise<Map<string, RecordedUse>> {
  const path = db ?? DEFAULT_DB;
  if (!existsSync(path)) {
    if (db) throw new UsageError(`--db ${db} does not exist: give the file \`dockwarden agent --db\` writes.`);
    return new Map();
  }
  const [{ openStore }, { recordedUses }] = await Promise.all([import('../store/sqlite-store.js'), import('../agent/gc-history.js')]);
  const store = openStore(path, { now: () => now, access: 'reader' });
  try {
    return recordedUses(store);
  } finally {
    store.close();
  }
}

/** "deleting 12/40 images, 380 MiB freed" on one line of a terminal, rewritten in place. */
function progressLine(io: CliIo): (done: number, total: number, freed: number) => void {
  let last = 0;
  return (done, total, freed) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    io.stderr(`\r\x1b[Kdeleting ${done}/${total} images, about ${formatBytes(freed)} freed`);
  };
}
