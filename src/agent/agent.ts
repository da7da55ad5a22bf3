import { usedPercent } from '../core/thresholds.js';
import { runDoctor } from '../doctor/run-doctor.js';
import type { Finding } from '../finding.js';
import type { DockerInfo } from '../engine/docker-info.js';
import type { EngineApi } from '../engine/engine-api.js';
import { imageStoreKind } from '../core/image-store.js';
import type { Endpoint } from '../engine/endpoint.js';
import type { Inventory } from '../engine/inventory.js';
import { gcSources, usageMeasure, type GcSources } from '../gc-sources.js';
import type { GcPolicy } from '../gc/gc-policy.js';
import { planGc, type GcUsage } from '../gc/plan-gc.js';
import { runGc } from '../gc/run-gc.js';
import { gatherLiveFacts } from '../gather-facts.js';
import { dataRootContents } from '../host/data-root-contents.js';
import type { RestartForensics } from '../host/forensics/restart-forensics.js';
import { errorCode, type HostProbe } from '../host/host-probe.js';
import type { AgentStore, EngineIdentity, GcRunRecord, UsageSample } from '../store/agent-store.js';
import { AgentUnavailable, type AgentMetrics, type AgentView, type EngineSummary, type PlanView } from '../agent-view.js';
import { checkDrift, previousLocation } from './drift-guard.js';
import { engineMoved, wantsForensics } from './engine-moved.js';
import { watchEvents } from './event-watcher.js';
import { findingChanges } from './finding-changes.js';
import { filesystemsToSample, readingOf, type FsRole, type SampledFs } from '../store/sampled-fs.js';
import { fillsFirst } from './fills-first.js';
import { forecastFinding } from './forecast-finding.js';
import { DEFAULT_FORECAST_WINDOW_MS } from './forecast.js';
import { ImageUseRecorder } from './image-use-recorder.js';
import { gcRecord, recordedUses } from './gc-history.js';
import { LastScan, type Scanned } from './last-scan.js';
import { imageFsRole, pressureTrigger } from './pressure-trigger.js';
import { reclaimableBytes } from './reclaimable.js';
import { replanDecision } from './replan.js';
import { changesScan } from './scan-changes.js';
import { realScheduler, sleepOn, type Scheduler } from './scheduler.js';
import { unmeasuredChanges, unmeasuredFinding, type Unmeasured } from './unmeasured.js';
import { alertPayload, postAlert } from './webhooks.js';

// The long-running agent: one event watcher (reconnecting, resuming), a sampler every
// --interval, doctor + GC every --gc-interval and whenever usage crosses --high, the
// drift guard at every (re)connection, and alerts on finding changes. Every loop only
// reads and writes through the store, so the HTTP side and `dockwarden status` see the
// same thing, and a restarted agent carries on where it stopped.

export interface AgentDeps {
  engine: EngineApi;
  endpoint: Endpoint;
  /** This host, when the engine runs on it (statfs, config files, old roots, forensics). */
  probe: HostProbe | null;
  store: AgentStore;
  metrics: AgentMetrics;
  now: () => number;
  /** The loops' timers; Node's (realScheduler) unless a test moves its own clock. */
  scheduler?: Scheduler;
  /** A clock that never jumps (ms), for rate limits; performance.now unless a test moves its own. */
  monotonic?: () => number;
  log: (line: string) => void;
  hostName: string;
  /** Restart forensics for the drift finding (host/forensics); absent: none. Its gaps go to the log. */
  forensics?: (probe: HostProbe, at: number, liveRestore: boolean | null) => Promise<RestartForensics>;
}

export interface AgentOptions {
  intervalMs: number;
  gcIntervalMs: number;
  /** false: GC runs as a dry run only (reported, never deleting). */
  gc: boolean;
  policy: GcPolicy;
  webhooks: string[];
  version: string;
}

/** What GC decides from, as one scan read it. */
interface GcScan {
  sources: GcSources;
  inventory: Inventory;
  usage: GcUsage;
}

/** The dashboard asks every 60 s; a scan no event made out of date is good for as long. */
const SCAN_MAX_AGE_MS = 60_000;
/** Events make a scan out of date; a new one starts at most this often. */
const SCAN_MIN_INTERVAL_MS = 5_000;
/** How long a request waits for a scan that sees the latest change before taking the last one. */
const SCAN_WAIT_MS = 2_000;
/** New last-use times are planned with at most this often; time alone (min-age passing) at least this often. */
const REPLAN = { minMs: 1_000, maxMs: 30_000 };
/** Old samples, events and findings are thinned or dropped this often (store/retention.ts). */
const RETENTION_EVERY_MS = 3_600_000;

export interface RunningAgent {
  view: AgentView;
  /** Resolves when every loop has stopped and the last write is done. */
  stop(): Promise<void>;
}

export function startAgent(deps: AgentDeps, opts: AgentOptions): RunningAgent {
  const { engine, store, metrics, now, log } = deps;
  const monotonic = deps.monotonic ?? (() => performance.now());
  const scheduler = deps.scheduler ?? realScheduler(now);
  const measure = usageMeasure({ endpoint: deps.endpoint, budgetBytes: opts.policy.budgetBytes, hostReadable: deps.probe !== null });
  const probe = measure.onHost ? deps.probe : null;
  const recorder = new ImageUseRecorder(engine, store);
  const abort = new AbortController();
  let info: DockerInfo | null = null;
  let identity: EngineIdentity | null = null;
  let engineUp = false;
  let lastSampleAt: number | null = null;
  let fullIn: number | null = null;
  let fullInFs: FsRole | null = null;
  let dataRootFs: EngineSummary['dataRootFs'] = null;
  /** The data root's filesystem, and containerd's root's when images live on another one: what sample() measures. */
  let filesystems: SampledFs[] = [];
  let lastForensics: string[] = [];
  const parts: { doctor: Finding[]; drift: Finding | null; forecast: Finding | null; unmeasured: Finding | null } = { doctor: [], drift: null, forecast: null, unmeasured: null };
  let lastUsedPct: number | null = null;

  /**
   * One run at a time per task; a tick that finds it busy is skipped, not queued, and a
   * caller that waits (GC asked for over HTTP) joins the run under way: its result or its error.
   */
  const busy = new Map<string, Promise<unknown>>();
  function exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
    // Each name is started by one function, so the run under way has this T.
    const running = busy.get(name) as Promise<T> | undefined;
    if (running) return running;
    const p = fn().finally(() => busy.delete(name));
    busy.set(name, p);
    // Logged once, however many joined; callers that do not wait need no handler of their own.
    p.catch((err: unknown) => log(`${name}: ${(err as Error).message}`));
    return p;
  }

  function publishFindings(): void {
    const current = [...parts.doctor, parts.drift, parts.forecast, parts.unmeasured].filter((f): f is Finding => f !== null);
    const at = now();
    const changes = findingChanges(store.openFindings(), current);
    for (const f of current) store.saveFinding(f, at);
    for (const c of changes) if (c.kind === 'resolved') store.resolveFinding(c.finding.id, at);
    metrics.setFindings(store.openFindings());
    for (const change of changes) {
      log(`finding ${change.kind}: ${change.finding.id} (${change.finding.severity}) ${change.finding.title}`);
      const payload = alertPayload(change, { hostName: deps.hostName, engineId: identity?.engineId ?? null }, at);
      for (const url of opts.webhooks) void postAlert(url, payload, { log });
    }
  }

  async function diagnose(at: number) {
    const facts = await gatherLiveFacts({ engine, endpoint: deps.endpoint, probe, now: new Date(at) });
    parts.doctor = runDoctor(facts).findings;
    const fs = facts.host?.dataRootFs;
    dataRootFs = fs ? { fsType: fs.fsType, device: fs.device, mountPoint: fs.mountPoint } : null;
    filesystems = filesystemsToSample(facts);
    return facts;
  }

  async function onConnect(reconnected: boolean): Promise<void> {
    // A (re)started engine may hold anything: no scan from before counts.
    scans.changed();
    const fresh = await engine.info();
    info = fresh;
    engineUp = true;
    metrics.setEngineUp(true);
    const at = now();
    const images = await recorder.refresh(at);
    const current: EngineIdentity = {
      at,
      engineId: fresh.ID ?? '',
      serverVersion: fresh.ServerVersion ?? '',
      dockerRootDir: fresh.DockerRootDir ?? '',
      driver: fresh.Driver ?? '',
      imageStore: imageStoreKind(fresh),
      images,
      containers: fresh.Containers ?? 0,
    };
    const history = store.identities(100);
    store.recordIdentity(current);
    identity = current;
    const facts = await diagnose(at);
    const prev = previousLocation(current, history);
    const move = engineMoved(current, history);
    const looked = probe && deps.forensics && wantsForensics(reconnected, move) ? await deps.forensics(probe, at, fresh.LiveRestoreEnabled ?? null) : null;
    // What could not be looked at (an unreadable log, no journal access) is said, once per restart.
    for (const gap of looked?.gaps ?? []) log(`restart forensics: ${gap}`);
    const forensics = looked?.evidence ?? [];
    if (forensics.length > 0) lastForensics = forensics;
    parts.drift = checkDrift({
      current,
      history,
      previousContents: probe && prev ? await dataRootContents(probe, prev.dockerRootDir, prev.driver) : null,
      rootSettings: facts.host?.dockerConfig.settings.filter((s) => s.key === 'data-root') ?? [],
      forensics,
    });
    if (reconnected || !history[0]) log(`engine ${current.serverVersion} at ${deps.endpoint.url}: ${current.dockerRootDir} (${current.driver}), ${images} images`);
    publishFindings();
  }

  /** The filesystems the last sample could not measure: a failure that lasts is logged once. */
  let unmeasured: Unmeasured[] = [];
  async function sample(): Promise<void> {
    if (!engineUp || !info) return;
    const at = now();
    const failures: Unmeasured[] = [];
    const measure = (role: SampledFs['role']) => {
      const fs = filesystems.find((f) => f.role === role);
      if (!probe || !fs) return Promise.resolve(null);
      // No reading turns off the pressure trigger below: say so (log, finding), never in silence.
      return probe.statfs(fs.path).catch((err: unknown) => {
        failures.push({ fs, error: errorCode(err) });
        return null;
      });
    };
    const [containers, images, fs, containerdFs] = await Promise.all([engine.listContainers({ all: true }), engine.listImages(), measure('data-root'), measure('containerd-root')]);
    const s: UsageSample = {
      at,
      fsSizeBytes: fs?.sizeBytes ?? null,
      fsAvailBytes: fs?.availBytes ?? null,
      inodesTotal: fs?.inodesTotal ?? null,
      inodesFree: fs?.inodesFree ?? null,
      images: images.length,
      containers: containers.length,
      containersRunning: containers.filter((c) => c.state === 'running').length,
      containerdFsSizeBytes: containerdFs?.sizeBytes ?? null,
      containerdFsAvailBytes: containerdFs?.availBytes ?? null,
      containerdInodesTotal: containerdFs?.inodesTotal ?? null,
      containerdInodesFree: containerdFs?.inodesFree ?? null,
    };
    store.addSample(s);
    metrics.observeSample(s, filesystems);
    lastSampleAt = at;
    const first = fillsFirst(store.samples(at - DEFAULT_FORECAST_WINDOW_MS, at), filesystems, at);
    fullIn = first?.seconds ?? null;
    fullInFs = first?.fs.role ?? null;
    metrics.setFullInSeconds(fullIn, first?.fs);
    const forecast = forecastFinding(first, s, at);
    const appearedOrWent = (parts.forecast === null) !== (forecast === null);
    parts.forecast = forecast;
    failures.sort((a, b) => filesystems.indexOf(a.fs) - filesystems.indexOf(b.fs));
    const measuring = unmeasuredChanges(unmeasured, failures);
    for (const line of measuring) log(line);
    unmeasured = failures;
    parts.unmeasured = unmeasuredFinding(failures);
    if (appearedOrWent || measuring.length > 0) publishFindings();
    // On crossing --high of the filesystem gc measures (pressure-trigger.ts).
    const imageFs = readingOf(s, imageFsRole(imageStoreKind(info), filesystems));
    const usedPct = imageFs ? usedPercent(imageFs) : null;
    const pressure = pressureTrigger(usedPct, lastUsedPct, opts.policy.highPct);
    lastUsedPct = usedPct;
    if (pressure.run) {
      log(`GC on pressure: ${pressure.reason}`);
      void exclusive('gc', () => collect('pressure'));
    }
  }

  function gcInputs(): Promise<GcSources> {
    return gcSources({
      engine,
      info: info as DockerInfo,
      probe,
      socketPath: deps.endpoint.kind === 'unix' ? deps.endpoint.socketPath : null,
      budget: measure.kind === 'budget',
      now: () => new Date(now()),
    });
  }

  // A remote engine's filesystem cannot be measured; without --budget there is no target.
  const canMeasure = measure.kind !== 'none';
  const noTarget = () => `${measure.reason}: start the agent with --budget SIZE to plan GC`;

  // One scan serves the scheduled GC and every /api/images in between (last-scan.ts).
  const scans = new LastScan<GcScan>(
    async () => {
      const sources = await gcInputs();
      const [inventory, usage] = await Promise.all([sources.inventory(), sources.usage()]);
      return { sources, inventory, usage };
    },
    { now, monotonic, maxAgeMs: SCAN_MAX_AGE_MS, minIntervalMs: SCAN_MIN_INTERVAL_MS, waitMs: SCAN_WAIT_MS, onError: (err) => log(`gc scan: ${(err as Error).message}`) },
  );

  let planned: { view: PlanView; scan: Scanned<GcScan>; recorded: number; at: number } | null = null;
  /** The dry run of a scan, planned again when uses were recorded since (at most once a second) or time moved on. */
  function planOf(scan: Scanned<GcScan>): PlanView {
    const t = monotonic();
    if (planned && !replanDecision(planned, scan, recorder.recorded, t, REPLAN).replan) return planned.view;
    const plan = planGc({ inventory: scan.value.inventory, usage: scan.value.usage, policy: opts.policy, now: now(), recorded: recordedUses(store) });
    planned = { view: { plan, scannedAt: scan.at }, scan, recorded: recorder.recorded, at: t };
    return planned.view;
  }

  async function collect(trigger: GcRunRecord['trigger']): Promise<GcRunRecord | null> {
    if (!engineUp || !info || !canMeasure) return null;
    // GC acts on a scan begun after the last change it heard of; its first round starts from
    // it, later rounds (after deletions) measure and read again.
    const { value: scan } = await scans.fresh();
    let inventories = 0;
    let usages = 0;
    const run = await runGc(
      {
        engine,
        inventory: () => (inventories++ === 0 ? Promise.resolve(scan.inventory) : scan.sources.inventory()),
        usage: () => (usages++ === 0 ? Promise.resolve(scan.usage) : scan.sources.usage()),
        notes: scan.sources.notes,
        now,
        recorded: recordedUses(store),
      },
      { policy: opts.policy, dryRun: !opts.gc },
    );
    if (run.deleted.length > 0) scans.changed();
    const record = gcRecord(run, trigger, now());
    store.addGcRun(record);
    if (!run.dryRun) metrics.addGcDeleted(record.freedBytes);
    metrics.setReclaimable(reclaimableBytes(run));
    if (record.deleted > 0 || record.failed > 0) log(`gc (${trigger}): ${run.summary}`);
    return record;
  }

  // Samples on the wall clock's grid (every 30 s at :00 and :30): a sample's lag is its
  // time past a multiple of the interval, which anyone reading the store can check.
  const timers = [
    scheduler.onGrid(opts.intervalMs, () => void exclusive('sample', sample)),
    scheduler.every(opts.gcIntervalMs, () => {
      void exclusive('diagnose', async () => {
        if (!engineUp) return;
        await diagnose(now());
        publishFindings();
      });
      void exclusive('gc', () => collect('schedule'));
    }),
    scheduler.every(RETENTION_EVERY_MS, () => store.applyRetention(now())),
  ];

  const watching = watchEvents({
    engine,
    resumeFrom: () => store.lastEventTimeNano(),
    onConnect: async (reconnected) => {
      await onConnect(reconnected);
      void exclusive('sample', sample);
    },
    onEvent: (e) => {
      if (changesScan(e)) scans.changed();
      return recorder.onEvent(e);
    },
    onDown: (err) => {
      engineUp = false;
      metrics.setEngineUp(false);
      log(`engine at ${deps.endpoint.url} is down: ${(err as Error).message}`);
    },
    signal: abort.signal,
    sleep: sleepOn(scheduler),
  });

  const view: AgentView = {
    hostName: deps.hostName,
    health: () => ({ engineUp, lastSampleAt, engineEndpoint: deps.endpoint.url, dockwarden: opts.version }),
    engine: () => ({
      engineVersion: info?.ServerVersion ?? null,
      driver: info?.Driver ?? null,
      dataRoot: info?.DockerRootDir ?? null,
      dataRootFs,
      kernel: info?.KernelVersion ?? null,
      operatingSystem: info?.OperatingSystem ?? null,
      liveRestore: info?.LiveRestoreEnabled ?? null,
    }),
    findings: () => store.openFindings(),
    usage: (since, until, maxPoints) => ({ samples: store.samples(since, until, maxPoints), fullInSeconds: fullIn, fullInFs }),
    gcPlan: async (): Promise<PlanView> => {
      if (!canMeasure) throw new AgentUnavailable(noTarget());
      if (!info) throw new AgentUnavailable(`the engine at ${deps.endpoint.url} has not answered yet`);
      return planOf(await scans.read());
    },
    runGc: async () => {
      if (!canMeasure) throw new AgentUnavailable(noTarget());
      // Joins a run already under way (scheduled, or on pressure) rather than starting a
      // second one next to it: its record is the answer.
      const record = await exclusive('gc', () => collect('manual'));
      if (!record) throw new AgentUnavailable(`the engine at ${deps.endpoint.url} is down`);
      return record;
    },
    gcRuns: (limit) => store.gcRuns(limit),
    events: (limit) => store.recentEvents(limit),
    restarts: (limit) => ({ identities: store.identities(limit), forensics: lastForensics }),
  };

  return {
    view,
    async stop() {
      abort.abort();
      for (const cancel of timers) cancel();
      await watching;
      await Promise.allSettled([...busy.values()]);
    },
  };
}
