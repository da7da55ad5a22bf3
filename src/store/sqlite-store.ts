import type Database from 'better-sqlite3';
import { InternalError } from '../core/errors.js';
import { SEVERITY_ORDER, type Finding } from '../finding.js';
import type { AgentStore, EngineIdentity, GcRunRecord, ImageUse, StoredEvent, StoredFinding, UsageSample, UseKind } from './agent-store.js';
import { openDatabase, type StoreAccess } from './open-database.js';
import { retention } from './retention.js';
import { insertSample, samplesQuery, type SamplesQuery } from './samples-query.js';
import { parseAttributes, parseFinding } from './stored-json.js';

// The agent's store on SQLite. The agent writes a sample every interval and a row on
// every engine event, so every statement is prepared once here, and writes that belong
// together (a batch of events, the images of one listing) commit as one transaction.

export interface StoreOptions {
  /** Only for naming a damaged file moved aside; every stored time is a parameter. */
  now: () => number;
  /**
   * `writer` (the default) is the agent: it creates, migrates and may move a damaged store
   * aside. `reader` is every other command: the file is opened read-only and never changed.
   */
  access?: StoreAccess;
}

export function openStore(path: string, opts: StoreOptions): AgentStore {
  const { db, recoveredFrom } = openDatabase(path, opts.now, opts.access);
  try {
    return new SqliteStore(db, path, recoveredFrom);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The engine's timeNano is int64 nanoseconds: at most 19 digits; padded to 20 it sorts as text. */
const NANO_DIGITS = 20;

const GC_TRIGGERS = new Set<string>(['schedule', 'pressure', 'manual']);

interface FindingRow {
  id: string;
  finding: string;
  firstSeen: number;
  lastSeen: number;
  resolvedAt: number | null;
}

interface EventRow {
  id: number;
  at: number;
  timeNano: string;
  type: string;
  action: string;
  actorId: string;
  attributes: string;
}

type GcRunRow = Omit<GcRunRecord, 'dryRun' | 'trigger'> & { dryRun: number; trigger: string };

const FINDING_COLUMNS = 'id, finding, first_seen AS firstSeen, last_seen AS lastSeen, resolved_at AS resolvedAt';
const IDENTITY_COLUMNS = `at, engine_id AS engineId, server_version AS serverVersion, docker_root_dir AS dockerRootDir,
  driver, image_store AS imageStore, images, containers`;
const GC_COLUMNS = `at, trigger, dry_run AS dryRun, before_pct AS beforePct, after_pct AS afterPct, deleted,
  freed_bytes AS freedBytes, kept, failed, summary`;

class SqliteStore implements AgentStore {
  private readonly addSampleRow: (s: UsageSample) => void;
  private readonly samplesIn: SamplesQuery;
  private readonly retain: (now: number) => void;
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly recoveredFrom: string | null,
  ) {
    this.addSampleRow = insertSample(db);
    this.samplesIn = samplesQuery(db);
    this.retain = retention(db);
    this.s = {
      // A use moves lastUsed (and its source) only forward and firstSeen only back, so
      // events replayed out of order after a reconnect cannot rewind either. Both within
      // one stay on the engine: a use after the image's deletion (first_seen <= gone_at) is
      // a new arrival and starts the record afresh, and one from before the deletion
      // belongs to the copy that left, so changes nothing.
      use: db.prepare(
        `INSERT INTO image_uses (image_id, first_seen, last_used, last_use_source, kind, last_seen) VALUES (@id, @at, @at, @source, @kind, @at)
         ON CONFLICT (image_id) DO UPDATE SET
           first_seen = CASE WHEN first_seen <= gone_at THEN excluded.first_seen ELSE min(first_seen, excluded.first_seen) END,
           last_use_source = CASE WHEN first_seen <= gone_at OR excluded.last_used >= last_used THEN excluded.last_use_source ELSE last_use_source END,
           kind = CASE WHEN first_seen <= gone_at OR excluded.last_used >= last_used THEN excluded.kind ELSE kind END,
           last_used = CASE WHEN first_seen <= gone_at THEN excluded.last_used ELSE max(last_used, excluded.last_used) END,
           last_seen = max(last_seen, excluded.last_seen)
         WHERE gone_at IS NULL OR excluded.last_used > gone_at`,
      ),
      // Presence is not use: a known image only records that it is still there, unless it
      // is back after a deletion, when it has arrived again.
      present: db.prepare(
        `INSERT INTO image_uses (image_id, first_seen, last_used, last_use_source, kind, last_seen) VALUES (@id, @at, @at, @source, 'seen', @at)
         ON CONFLICT (image_id) DO UPDATE SET
           first_seen = CASE WHEN first_seen <= gone_at THEN excluded.first_seen ELSE first_seen END,
           last_use_source = CASE WHEN first_seen <= gone_at THEN excluded.last_use_source ELSE last_use_source END,
           kind = CASE WHEN first_seen <= gone_at THEN 'seen' ELSE kind END,
           last_used = CASE WHEN first_seen <= gone_at THEN excluded.last_used ELSE last_used END,
           last_seen = max(last_seen, excluded.last_seen)
         WHERE gone_at IS NULL OR excluded.last_seen > gone_at`,
      ),
      gone: db.prepare('UPDATE image_uses SET gone_at = max(coalesce(gone_at, @at), @at) WHERE image_id = @id'),
      uses: db.prepare<[], ImageUse>('SELECT image_id AS imageId, first_seen AS firstSeen, last_used AS lastUsed, last_use_source AS lastUseSource, kind, gone_at AS goneAt FROM image_uses'),
      identity: db.prepare(
        `INSERT INTO identities (at, engine_id, server_version, docker_root_dir, driver, image_store, images, containers)
         VALUES (@at, @engineId, @serverVersion, @dockerRootDir, @driver, @imageStore, @images, @containers)`,
      ),
      identities: db.prepare<[number], EngineIdentity>(`SELECT ${IDENTITY_COLUMNS} FROM identities ORDER BY at DESC, id DESC LIMIT ?`),
      // An event the engine sends again (a resumed /events replays the resume nanosecond) is stored once.
      event: db.prepare(
        `INSERT INTO events (at, time_nano, nano_key, type, action, actor_id, attributes)
         VALUES (@at, @timeNano, @nanoKey, @type, @action, @actorId, @attributes)
         ON CONFLICT (nano_key, type, action, actor_id) DO NOTHING`,
      ),
      lastNano: db.prepare<[], string>('SELECT time_nano FROM events ORDER BY nano_key DESC, id DESC LIMIT 1').pluck(),
      events: db.prepare<[number], EventRow>(
        `SELECT id, at, time_nano AS timeNano, type, action, actor_id AS actorId, attributes
           FROM events ORDER BY nano_key DESC, id DESC LIMIT ?`,
      ),
      // Seen again while open: refresh. Seen again after it was resolved: a new episode,
      // so firstSeen restarts (the alert for it is new too).
      saveFinding: db.prepare(
        `INSERT INTO findings (id, severity_rank, finding, first_seen, last_seen, resolved_at) VALUES (@id, @rank, @finding, @at, @at, NULL)
         ON CONFLICT (id) DO UPDATE SET
           severity_rank = excluded.severity_rank,
           finding = excluded.finding,
           first_seen = CASE WHEN resolved_at IS NULL THEN first_seen ELSE excluded.first_seen END,
           last_seen = excluded.last_seen,
           resolved_at = NULL`,
      ),
      resolveFinding: db.prepare('UPDATE findings SET resolved_at = ? WHERE id = ? AND resolved_at IS NULL'),
      openFindings: db.prepare<[], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings WHERE resolved_at IS NULL ORDER BY severity_rank, id`),
      findingHistory: db.prepare<[number], FindingRow>(`SELECT ${FINDING_COLUMNS} FROM findings ORDER BY last_seen DESC, id LIMIT ?`),
      gcRun: db.prepare(
        `INSERT INTO gc_runs (at, trigger, dry_run, before_pct, after_pct, deleted, freed_bytes, kept, failed, summary)
         VALUES (@at, @trigger, @dryRun, @beforePct, @afterPct, @deleted, @freedBytes, @kept, @failed, @summary)`,
      ),
      gcRuns: db.prepare<[number], GcRunRow>(`SELECT ${GC_COLUMNS} FROM gc_runs ORDER BY at DESC, id DESC LIMIT ?`),
    };
  }

  addSample(sample: UsageSample): void {
    this.addSampleRow(sample);
  }

  samples(since: number, until: number, maxPoints?: number): UsageSample[] {
    return this.samplesIn(since, until, maxPoints);
  }

  recordImageUse(imageId: string, at: number, source: string, kind: Exclude<UseKind, 'seen'>): void {
    this.s.use.run({ id: imageId, at, source, kind });
  }

  noteImagesPresent(imageIds: readonly string[], at: number, source: string): void {
    this.db.transaction(() => {
      for (const id of imageIds) this.s.present.run({ id, at, source });
    })();
  }

  noteImageGone(imageId: string, at: number): void {
    this.s.gone.run({ id: imageId, at });
  }

  imageUses(): Map<string, ImageUse> {
    return new Map(this.s.uses.all().map((u) => [u.imageId, u]));
  }

  recordIdentity(identity: EngineIdentity): void {
    this.s.identity.run(identity);
  }

  identities(limit: number): EngineIdentity[] {
    return this.s.identities.all(limit);
  }

  addEvents(events: readonly StoredEvent[]): void {
    this.db.transaction(() => {
      for (const e of events) {
        if (!/^\d+$/.test(e.timeNano) || e.timeNano.length > NANO_DIGITS) {
          throw new InternalError(`Event timeNano ${JSON.stringify(e.timeNano)} is not a decimal nanosecond count.`);
        }
        this.s.event.run({
          at: e.at,
          timeNano: e.timeNano,
          nanoKey: e.timeNano.padStart(NANO_DIGITS, '0'),
          type: e.type,
          action: e.action,
          actorId: e.actorId,
          attributes: JSON.stringify(e.attributes),
        });
      }
    })();
  }

  lastEventTimeNano(): string | null {
    return this.s.lastNano.get() ?? null;
  }

  recentEvents(limit: number): StoredEvent[] {
    return this.s.events.all(limit).map(({ id, attributes, ...e }) => ({ ...e, attributes: parseAttributes(attributes, id) }));
  }

  saveFinding(finding: Finding, at: number): void {
    this.s.saveFinding.run({ id: finding.id, rank: SEVERITY_ORDER.indexOf(finding.severity), finding: JSON.stringify(finding), at });
  }

  resolveFinding(id: string, at: number): void {
    this.s.resolveFinding.run(at, id);
  }

  openFindings(): StoredFinding[] {
    return this.s.openFindings.all().map(storedFinding);
  }

  findingHistory(limit: number): StoredFinding[] {
    return this.s.findingHistory.all(limit).map(storedFinding);
  }

  addGcRun(run: GcRunRecord): void {
    this.s.gcRun.run({ ...run, dryRun: run.dryRun ? 1 : 0 });
  }

  gcRuns(limit: number): GcRunRecord[] {
    return this.s.gcRuns.all(limit).map((r) => {
      if (!GC_TRIGGERS.has(r.trigger)) throw new InternalError(`The store's gc run at ${r.at} has an unknown trigger ${JSON.stringify(r.trigger)}.`);
      return { ...r, trigger: r.trigger as GcRunRecord['trigger'], dryRun: r.dryRun !== 0 };
    });
  }

  applyRetention(now: number): void {
    this.retain(now);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function storedFinding(r: FindingRow): StoredFinding {
  return { finding: parseFinding(r.finding, r.id), firstSeen: r.firstSeen, lastSeen: r.lastSeen, resolvedAt: r.resolvedAt };
}
