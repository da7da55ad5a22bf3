import type Database from 'better-sqlite3';

// How long the store keeps what (the AgentStore contract). Deletes free pages that SQLite
// reuses for new rows, so under a steady sampling and event rate the file stops growing
// instead of shrinking and regrowing.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const RETENTION = {
  rawSamplesMs: 48 * HOUR,
  meanBucketMs: 5 * MINUTE,
  meansMs: 90 * DAY,
  eventsMs: 7 * DAY,
  resolvedFindingsMs: 90 * DAY,
  gcRunsMs: 90 * DAY,
  imageUsesMs: 90 * DAY,
  identitiesMs: 90 * DAY,
  /** What the drift guard reads back; kept even when older. */
  identitiesKept: 100,
} as const;

export function retention(db: Database.Database): (now: number) => void {
  const dropOldSamples = db.prepare('DELETE FROM samples WHERE at < ?');
  // Parameters bind as doubles, hence the CASTs: the bucket must be an integer division.
  const downsample = db.prepare(
    `INSERT INTO samples (at, mean, fs_size, fs_avail, inodes_total, inodes_free, images, containers, containers_running,
                          ctrd_fs_size, ctrd_fs_avail, ctrd_inodes_total, ctrd_inodes_free)
     SELECT CAST(round(avg(at)) AS INTEGER), 1, avg(fs_size), avg(fs_avail), avg(inodes_total), avg(inodes_free),
            avg(images), avg(containers), avg(containers_running),
            avg(ctrd_fs_size), avg(ctrd_fs_avail), avg(ctrd_inodes_total), avg(ctrd_inodes_free)
       FROM samples WHERE mean = 0 AND at < @cutoff
      GROUP BY CAST(at / @bucket AS INTEGER)`,
  );
  const dropRaw = db.prepare('DELETE FROM samples WHERE mean = 0 AND at < ?');
  // The newest event stays whatever its age: it is where /events resumes after the agent
  // was stopped for longer than a week, so what the engine still buffers is not lost.
  const dropEvents = db.prepare('DELETE FROM events WHERE at < ? AND id <> (SELECT id FROM events ORDER BY nano_key DESC, id DESC LIMIT 1)');
  const dropFindings = db.prepare('DELETE FROM findings WHERE resolved_at IS NOT NULL AND resolved_at < ?');
  const dropGcRuns = db.prepare('DELETE FROM gc_runs WHERE at < ?');
  const dropImageUses = db.prepare('DELETE FROM image_uses WHERE last_seen < ?');
  const dropIdentities = db.prepare('DELETE FROM identities WHERE at < ? AND id NOT IN (SELECT id FROM identities ORDER BY at DESC, id DESC LIMIT ?)');

  const apply = db.transaction((now: number) => {
    dropOldSamples.run(now - RETENTION.meansMs);
    // The cutoff sits on a bucket boundary, so each 5-minute bucket is averaged whole and
    // exactly once; means (mean = 1) are never selected again.
    const bucket = RETENTION.meanBucketMs;
    const cutoff = Math.floor((now - RETENTION.rawSamplesMs) / bucket) * bucket;
    downsample.run({ cutoff, bucket });
    dropRaw.run(cutoff);
    dropEvents.run(now - RETENTION.eventsMs);
    dropFindings.run(now - RETENTION.resolvedFindingsMs);
    dropGcRuns.run(now - RETENTION.gcRunsMs);
    dropImageUses.run(now - RETENTION.imageUsesMs);
    dropIdentities.run(now - RETENTION.identitiesMs, RETENTION.identitiesKept);
  });

  return (now) => {
    apply(now);
    // Hourly is often enough to hand the WAL's pages back to the main file and cut the
    // -wal file to zero; SQLite's own checkpoints keep it bounded in between.
    db.pragma('wal_checkpoint(TRUNCATE)');
  };
}
