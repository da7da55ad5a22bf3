import type Database from 'better-sqlite3';
import { UsageError } from '../core/errors.js';

// The store's schema, as the ordered list of steps that built it. The version lives in
// `PRAGMA user_version` rather than a table: it sits in the file header, so it can be
// read before any table exists (and on a file that is not ours), it commits and rolls
// back with the migration that sets it, and there is no second source of truth to
// disagree with the tables. Append new steps; never edit one that has shipped, since
// files in the field were built by it.

/** 'dkwd' as a big-endian integer, in the header's application_id field. */
export const APPLICATION_ID = 0x646b7764;

export interface Migration {
  version: number;
  /** What the step adds, for the report when it is applied. */
  why: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    why: 'base schema',
    sql: `
      -- Marks the file as dockwarden's ('dkwd'), so a --db pointed at another program's
      -- database is refused rather than filled with our tables.
      PRAGMA application_id = ${APPLICATION_ID};

      -- Raw samples and, after retention, 5-minute means (mean = 1) in one table, so a
      -- chart over 30 days is one range scan on the at index.
      CREATE TABLE samples (
        at INTEGER NOT NULL,
        mean INTEGER NOT NULL DEFAULT 0,
        fs_size INTEGER, fs_avail INTEGER, inodes_total INTEGER, inodes_free INTEGER,
        images INTEGER NOT NULL, image_bytes INTEGER,
        containers INTEGER NOT NULL, containers_running INTEGER NOT NULL
      );
      CREATE INDEX samples_at ON samples (at);

      CREATE TABLE image_uses (
        image_id TEXT PRIMARY KEY,
        first_seen INTEGER NOT NULL,
        last_used INTEGER NOT NULL,
        last_use_source TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE identities (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        engine_id TEXT NOT NULL, server_version TEXT NOT NULL, docker_root_dir TEXT NOT NULL,
        driver TEXT NOT NULL, started_at INTEGER, images INTEGER NOT NULL, containers INTEGER NOT NULL
      );
      CREATE INDEX identities_at ON identities (at);

      -- time_nano is the engine's decimal string (nanoseconds overflow a double);
      -- nano_key is it zero-padded to 20 digits so that text order is numeric order.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        time_nano TEXT NOT NULL,
        nano_key TEXT NOT NULL,
        type TEXT NOT NULL, action TEXT NOT NULL, actor_id TEXT NOT NULL,
        attributes TEXT NOT NULL
      );
      CREATE INDEX events_nano_key ON events (nano_key);
      CREATE INDEX events_at ON events (at);

      CREATE TABLE findings (
        id TEXT PRIMARY KEY,
        severity_rank INTEGER NOT NULL,
        finding TEXT NOT NULL,
        first_seen INTEGER NOT NULL,
        last_seen INTEGER NOT NULL,
        resolved_at INTEGER
      );

      CREATE TABLE gc_runs (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        trigger TEXT NOT NULL, dry_run INTEGER NOT NULL,
        before_pct REAL, after_pct REAL,
        deleted INTEGER NOT NULL, freed_bytes INTEGER NOT NULL, kept INTEGER NOT NULL, failed INTEGER NOT NULL,
        summary TEXT NOT NULL
      );
      CREATE INDEX gc_runs_at ON gc_runs (at);
    `,
  },
  {
    version: 2,
    why: 'image_uses.last_seen, so retention keeps images that are still present',
    // Version 1 dropped an image's record 90 days after its last use even when the image
    // was still on disk, and the next presence note then made a long-pulled image look
    // newly arrived. last_seen is the later of its last use and its last presence note.
    sql: `
      ALTER TABLE image_uses ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;
      UPDATE image_uses SET last_seen = last_used;
      CREATE INDEX image_uses_last_seen ON image_uses (last_seen);
    `,
  },
  {
    version: 3,
    why: "containerd's image store: its root's filesystem in samples, and the image store in identities",
    // With containerd's image store, images fill containerd's root, which packaged hosts
    // keep on a filesystem of its own: sampled beside the data root's (NULL when there is
    // no such second filesystem). An engine switching between a graph driver and
    // containerd's store hides every image like a data-root move does; identities say which.
    sql: `
      ALTER TABLE samples ADD COLUMN ctrd_fs_size INTEGER;
      ALTER TABLE samples ADD COLUMN ctrd_fs_avail INTEGER;
      ALTER TABLE samples ADD COLUMN ctrd_inodes_total INTEGER;
      ALTER TABLE samples ADD COLUMN ctrd_inodes_free INTEGER;
      ALTER TABLE identities ADD COLUMN image_store TEXT NOT NULL DEFAULT 'graph';
    `,
  },
  {
    version: 4,
    why: 'each engine event stored once',
    // A restarted agent resumes /events with `since` = its newest stored event, and the
    // engine's `since` is inclusive: the events at that nanosecond came again and were
    // stored again, once per restart. An event is its time, type, action and actor (as
    // the watcher tells them apart); the copies already stored go, the first one stays.
    sql: `
      DELETE FROM events WHERE id NOT IN (SELECT min(id) FROM events GROUP BY nano_key, type, action, actor_id);
      CREATE UNIQUE INDEX events_once ON events (nano_key, type, action, actor_id);
    `,
  },
  {
    version: 5,
    why: 'image_uses.gone_at, so an image that is deleted and comes back has arrived again',
    // First-seen times outlived the image: deleted, then loaded again, an image kept its
    // old first sighting and gc took it at once despite --min-age. gone_at is the last
    // deletion of that id the agent saw; what is recorded before it belongs to a copy
    // that no longer exists.
    sql: `
      ALTER TABLE image_uses ADD COLUMN gone_at INTEGER;
    `,
  },
  {
    version: 6,
    why: "image_uses.kind, so what a record's last entry was is read from a value, not an English sentence",
    // gc told a use from the agent merely finding an image by comparing last_use_source
    // with the sentence the recorder wrote ('present when the agent looked'). kind says
    // it: 'use' (a container event), 'arrival' (an image event: pull, load, import, tag,
    // build, commit), 'seen' (present, no use); the sentence stays, for people. Existing
    // rows are sorted by the sentences this dockwarden's recorder has written.
    sql: `
      ALTER TABLE image_uses ADD COLUMN kind TEXT NOT NULL DEFAULT 'use' CHECK (kind IN ('use', 'arrival', 'seen'));
      UPDATE image_uses SET kind = CASE
        WHEN last_use_source = 'present when the agent looked' THEN 'seen'
        WHEN last_use_source LIKE 'image % event' THEN 'arrival'
        ELSE 'use' END;
    `,
  },
  {
    version: 7,
    why: 'no samples.image_bytes nor identities.started_at: nothing ever filled them',
    // Both columns were written NULL on every row: the images' total bytes would need the
    // inventory (a scan) at every sample, and dockerd's start time is not in the Engine
    // API. A column that is always NULL reads as "not measured this time", which it never was.
    sql: `
      ALTER TABLE samples DROP COLUMN image_bytes;
      ALTER TABLE identities DROP COLUMN started_at;
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses, before anything is written, a file that a newer dockwarden has migrated. */
export function refuseNewer(path: string, version: number): void {
  if (version > LATEST_VERSION) {
    throw new UsageError(
      `The store ${path} has schema version ${version}, newer than the ${LATEST_VERSION} this dockwarden knows: run the newer dockwarden, or point --db at another file (this one was left untouched).`,
    );
  }
}

/**
 * Brings the file up to LATEST_VERSION in one immediate transaction: it takes the write
 * lock first and re-reads the version under it, so an agent and a `dockwarden status`
 * opening the same new file at once cannot both apply a step. `target` is for tests that
 * build an older file.
 */
export function migrate(db: Database.Database, path: string, target = LATEST_VERSION): number[] {
  const applied: number[] = [];
  // Already current (every open but the first): no write lock, so `dockwarden status`
  // never waits behind the agent's writes just to learn there is nothing to do.
  if (schemaVersion(db) >= target) return applied;
  db.transaction(() => {
    const from = schemaVersion(db);
    refuseNewer(path, from);
    for (const m of MIGRATIONS) {
      if (m.version <= from || m.version > target) continue;
      db.exec(m.sql);
      applied.push(m.version);
    }
    if (applied.length > 0) db.pragma(`user_version = ${applied.at(-1)}`);
  }).immediate();
  return applied;
}
