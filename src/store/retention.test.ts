import { existsSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import type { EngineIdentity, GcRunRecord, StoredEvent } from './agent-store.js';
import { RETENTION } from './retention.js';
import { DAY, GB, HOUR, MINUTE, NOW, sample, SECOND, simulate, storePerTest } from './testing/temp-store.js';

const ctx = storePerTest();

const FIVE_MIN = 5 * MINUTE;
/** NOW sits 20 minutes past the hour: on a 5-minute boundary. */
const bucketOf = (at: number) => Math.floor(at / FIVE_MIN);

function event(at: number, actorId = 'c1'): StoredEvent {
  return { at, timeNano: `${at}000000`, type: 'container', action: 'start', actorId, attributes: {} };
}

const finding = (id: Finding['id']): Finding => ({ id, severity: 'warning', title: id, detail: '', evidence: [], fix: { summary: '', commands: [] } });

const gcRun = (at: number): GcRunRecord => ({ at, trigger: 'schedule', dryRun: true, beforePct: 86, afterPct: 80, deleted: 1, freedBytes: 1, kept: 0, failed: 0, summary: 'ok' });

describe('downsampling', () => {
  it('turns raw samples older than 48 h into one mean per 5-minute bucket, and keeps newer ones raw', () => {
    // 50 hours of 30 s samples: the oldest 2 hours become 24 means of 10 samples each.
    for (let at = NOW - 50 * HOUR; at < NOW; at += 30 * SECOND) ctx.store.addSample(sample(at, { images: (at / (30 * SECOND)) % 10 }));
    ctx.store.applyRetention(NOW);
    const all = ctx.store.samples(0, NOW);
    const old = all.filter((s) => s.at < NOW - 48 * HOUR);
    expect(old).toHaveLength(24);
    expect(new Set(old.map((s) => bucketOf(s.at))).size).toBe(24);
    // The mean of 10 samples 30 s apart sits 135 s into its bucket; images cycle 0..9, mean 4.5.
    expect(old[0]).toEqual(sample(NOW - 50 * HOUR + 135 * SECOND, { images: 4.5 }));
    expect(all.filter((s) => s.at >= NOW - 48 * HOUR)).toHaveLength(48 * 120);
  });

  it('averages each bucket exactly once, however often and whenever retention runs', () => {
    for (let at = NOW - 60 * HOUR; at < NOW; at += 30 * SECOND) ctx.store.addSample(sample(at, { fsAvailBytes: (at / (30 * SECOND)) % 3 === 0 ? null : 10 * GB }));
    const once = () => ctx.store.samples(0, NOW);
    ctx.store.applyRetention(NOW - 7 * MINUTE); // a cutoff in the middle of a bucket
    ctx.store.applyRetention(NOW - 7 * MINUTE);
    ctx.store.applyRetention(NOW);
    const after = once();
    ctx.store.applyRetention(NOW);
    expect(once()).toEqual(after);
    const means = after.filter((s) => s.at < NOW - 48 * HOUR);
    expect(means).toHaveLength(12 * 12);
    expect(new Set(means.map((s) => bucketOf(s.at))).size).toBe(means.length);
    expect(means.every((s) => s.fsAvailBytes === 10 * GB)).toBe(true);
  });

  it('keeps null when a whole bucket was unmeasured, and drops everything older than 90 days', () => {
    for (let i = 0; i < 10; i++) ctx.store.addSample(sample(NOW - 3 * DAY + i * 30 * SECOND, { fsSizeBytes: null, containerdFsSizeBytes: i === 0 ? 5 : null }));
    ctx.store.addSample(sample(NOW - 91 * DAY));
    ctx.store.applyRetention(NOW);
    expect(ctx.store.samples(0, NOW)).toEqual([sample(NOW - 3 * DAY + 135 * SECOND, { fsSizeBytes: null, containerdFsSizeBytes: 5 })]);
    ctx.store.applyRetention(NOW + 88 * DAY);
    expect(ctx.store.samples(0, NOW + 88 * DAY)).toHaveLength(0);
  });
});

describe('the other tables', () => {
  it('drop events older than 7 days, but keep the newest one to resume from', () => {
    ctx.store.addEvents([event(NOW - 9 * DAY), event(NOW - 8 * DAY), event(NOW - 6 * DAY)]);
    ctx.store.applyRetention(NOW);
    expect(ctx.store.recentEvents(10).map((e) => e.at)).toEqual([NOW - 6 * DAY]);
    ctx.store.applyRetention(NOW + 30 * DAY);
    expect(ctx.store.lastEventTimeNano()).toBe(`${NOW - 6 * DAY}000000`);
  });

  it('drop findings resolved over 90 days ago, never open ones', () => {
    ctx.store.saveFinding(finding('logging.none'), NOW - 200 * DAY);
    ctx.store.saveFinding(finding('disk.pressure'), NOW - 100 * DAY);
    ctx.store.resolveFinding('disk.pressure', NOW - 91 * DAY);
    ctx.store.saveFinding(finding('swarm.no-rollback'), NOW - 100 * DAY);
    ctx.store.resolveFinding('swarm.no-rollback', NOW - 89 * DAY);
    ctx.store.applyRetention(NOW);
    expect(ctx.store.findingHistory(10).map((f) => f.finding.id)).toEqual(['swarm.no-rollback', 'logging.none']);
  });

  it('drop gc runs older than 90 days', () => {
    ctx.store.addGcRun(gcRun(NOW - 91 * DAY));
    ctx.store.addGcRun(gcRun(NOW - 89 * DAY));
    ctx.store.applyRetention(NOW);
    expect(ctx.store.gcRuns(10).map((r) => r.at)).toEqual([NOW - 89 * DAY]);
  });

  it('drop image uses of images neither used nor present for 90 days', () => {
    ctx.store.recordImageUse('sha256:gone', NOW - 91 * DAY, 'container start event', 'use');
    ctx.store.recordImageUse('sha256:idle', NOW - 120 * DAY, 'image pull event', 'arrival');
    ctx.store.noteImagesPresent(['sha256:idle'], NOW - DAY, 'present when the agent looked'); // still on disk
    ctx.store.recordImageUse('sha256:recent', NOW - 89 * DAY, 'container start event', 'use');
    ctx.store.applyRetention(NOW);
    expect([...ctx.store.imageUses().keys()].sort()).toEqual(['sha256:idle', 'sha256:recent']);
    // The pull stays the evidence: presence did not rewrite it.
    expect(ctx.store.imageUses().get('sha256:idle')).toMatchObject({ lastUsed: NOW - 120 * DAY, lastUseSource: 'image pull event' });
  });

  it('drop identities older than 90 days beyond the newest the drift guard reads', () => {
    const identity = (at: number): EngineIdentity => ({
      at,
      engineId: 'E',
      serverVersion: '26.1',
      dockerRootDir: '/var/lib/docker',
      driver: 'overlay2',
      imageStore: 'graph',
      images: 1,
      containers: 1,
    });
    for (let i = 0; i < RETENTION.identitiesKept + 5; i++) ctx.store.recordIdentity(identity(NOW - 200 * DAY + i * HOUR));
    ctx.store.recordIdentity(identity(NOW - DAY));
    ctx.store.applyRetention(NOW);
    const kept = ctx.store.identities(1000);
    expect(kept).toHaveLength(RETENTION.identitiesKept);
    expect(kept[0]?.at).toBe(NOW - DAY);
  });
});

describe('the file', () => {
  it('stays bounded under 10 days of 30 s samples and a container event a minute, with retention daily', () => {
    const path = ctx.t.file('dockwarden.db');
    const size = () => statSync(path).size + (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);
    const sizes: number[] = [];
    simulate(ctx.store, { from: NOW - 10 * DAY, until: NOW, afterRetention: () => sizes.push(size()) });
    // The most the file ever holds, just before a daily retention: 72 h of raw samples,
    // 10 days of 5-minute means, 8 days of events. SQLite reuses freed pages, so that
    // peak is the size. Generous row costs (payload + index entries + page slack):
    // 128 B a sample, 512 B an event (~110 B of attributes JSON, a 64-char actor id,
    // timeNano twice), plus 64 KiB of schema pages.
    const bound = (72 * 120 + 10 * 288) * 128 + 8 * 1440 * 512 + 64 * 1024; // 7,438,336 B
    expect(Math.max(...sizes)).toBeLessThan(bound);
    // Once events reach their 7 days (day 8 on), the file grows only by the day's means.
    const day8 = sizes[7]!;
    expect(sizes.at(-1)! - day8).toBeLessThan(2 * 288 * 128);
  }, 60_000);
});
