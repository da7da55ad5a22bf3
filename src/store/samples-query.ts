import type Database from 'better-sqlite3';
import type { UsageSample } from './agent-store.js';

// Reading usage samples for a chart. Both queries walk the samples_at index over
// [since, until]; past maxPoints the rows are averaged into equal time buckets by SQL,
// so 30 days come back as 1000 points without 14,000 rows crossing into JavaScript.
// avg() skips NULLs and gives NULL when all are NULL: an unmeasured filesystem stays
// unmeasured instead of becoming 0.

const AS_SAMPLE = `fs_size AS fsSizeBytes, fs_avail AS fsAvailBytes, inodes_total AS inodesTotal,
  inodes_free AS inodesFree, images, containers, containers_running AS containersRunning,
  ctrd_fs_size AS containerdFsSizeBytes, ctrd_fs_avail AS containerdFsAvailBytes,
  ctrd_inodes_total AS containerdInodesTotal, ctrd_inodes_free AS containerdInodesFree`;

const MEANS = `avg(fs_size) AS fsSizeBytes, avg(fs_avail) AS fsAvailBytes, avg(inodes_total) AS inodesTotal,
  avg(inodes_free) AS inodesFree, avg(images) AS images,
  avg(containers) AS containers, avg(containers_running) AS containersRunning,
  avg(ctrd_fs_size) AS containerdFsSizeBytes, avg(ctrd_fs_avail) AS containerdFsAvailBytes,
  avg(ctrd_inodes_total) AS containerdInodesTotal, avg(ctrd_inodes_free) AS containerdInodesFree`;

export type SamplesQuery = (since: number, until: number, maxPoints?: number) => UsageSample[];

export function samplesQuery(db: Database.Database): SamplesQuery {
  const count = db.prepare<[number, number], number>('SELECT count(*) FROM samples WHERE at BETWEEN ? AND ?').pluck();
  const raw = db.prepare<[number, number], UsageSample>(`SELECT at, ${AS_SAMPLE} FROM samples WHERE at BETWEEN ? AND ? ORDER BY at, rowid`);
  // Parameters arrive as doubles, hence the CAST for the bucket number (floor, as it is >= 0).
  // span is until - since + 1 so that a sample at exactly `until` lands in the last bucket.
  const bucketed = db.prepare<{ since: number; until: number; points: number; span: number }, UsageSample>(
    `SELECT CAST(round(avg(at)) AS INTEGER) AS at, ${MEANS}
       FROM samples WHERE at BETWEEN @since AND @until
      GROUP BY CAST((at - @since) * @points / @span AS INTEGER)
      ORDER BY 1`,
  );
  return (since, until, maxPoints) => {
    if (!(until >= since)) return [];
    if (maxPoints === undefined || count.get(since, until)! <= Math.max(1, Math.floor(maxPoints))) return raw.all(since, until);
    const points = Math.max(1, Math.floor(maxPoints));
    return bucketed.all({ since, until, points, span: until - since + 1 });
  };
}

/** The row an addSample writes. */
export function insertSample(db: Database.Database): (s: UsageSample) => void {
  const insert = db.prepare(
    `INSERT INTO samples (at, mean, fs_size, fs_avail, inodes_total, inodes_free, images, containers, containers_running,
                          ctrd_fs_size, ctrd_fs_avail, ctrd_inodes_total, ctrd_inodes_free)
     VALUES (@at, 0, @fsSizeBytes, @fsAvailBytes, @inodesTotal, @inodesFree, @images, @containers, @containersRunning,
             @containerdFsSizeBytes, @containerdFsAvailBytes, @containerdInodesTotal, @containerdInodesFree)`,
  );
  return (s) => {
    insert.run({
      at: s.at,
      fsSizeBytes: s.fsSizeBytes,
      fsAvailBytes: s.fsAvailBytes,
      inodesTotal: s.inodesTotal,
      inodesFree: s.inodesFree,
      images: s.images,
      containers: s.containers,
      containersRunning: s.containersRunning,
      containerdFsSizeBytes: s.containerdFsSizeBytes,
      containerdFsAvailBytes: s.containerdFsAvailBytes,
      containerdInodesTotal: s.containerdInodesTotal,
      containerdInodesFree: s.containerdInodesFree,
    });
  };
}
