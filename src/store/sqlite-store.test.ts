import { describe, expect, it } from 'vitest';
import { InternalError } from '../core/errors.js';
import type { Finding, FindingId, Severity } from '../finding.js';
import type { EngineIdentity, GcRunRecord, StoredEvent } from './agent-store.js';
import { openSqlite } from './open-sqlite.js';
import { DAY, MINUTE, NOW, storePerTest } from './testing/temp-store.js';

const ctx = storePerTest();

function finding(id: FindingId, severity: Severity, title = `${id} title`): Finding {
  return { id, severity, title, detail: 'Why it matters.', evidence: ['Storage Driver: overlay2'], fix: { summary: 'Do this.', commands: ['echo fix'] } };
}

function event(timeNano: string, over: Partial<StoredEvent> = {}): StoredEvent {
  return { at: Number(BigInt(timeNano) / 1_000_000n), timeNano, type: 'container', action: 'start', actorId: 'c1', attributes: { image: 'busybox' }, ...over };
}

describe('image uses', () => {
  it('keeps the earliest first sighting and the latest use with its source, whatever the order', () => {
    ctx.store.recordImageUse('sha256:a', NOW, 'container start event', 'use');
    ctx.store.recordImageUse('sha256:a', NOW - 10 * MINUTE, 'container create event', 'use'); // replayed late
    ctx.store.recordImageUse('sha256:a', NOW + 5 * MINUTE, 'container exec_start event', 'use');
    ctx.store.recordImageUse('sha256:a', NOW + 1 * MINUTE, 'container die event', 'use');
    expect(ctx.store.imageUses().get('sha256:a')).toEqual({
      imageId: 'sha256:a',
      firstSeen: NOW - 10 * MINUTE,
      lastUsed: NOW + 5 * MINUTE,
      lastUseSource: 'container exec_start event',
      kind: 'use',
      goneAt: null,
    });
  });

  it('notes present images only when never seen, without touching known ones', () => {
    ctx.store.recordImageUse('sha256:used', NOW - DAY, 'image pull event', 'arrival');
    ctx.store.noteImagesPresent(['sha256:used', 'sha256:new', 'sha256:new'], NOW, 'present when the agent looked');
    ctx.store.noteImagesPresent(['sha256:new'], NOW + DAY, 'present when the agent looked');
    expect(ctx.store.imageUses()).toEqual(
      new Map([
        ['sha256:used', { imageId: 'sha256:used', firstSeen: NOW - DAY, lastUsed: NOW - DAY, lastUseSource: 'image pull event', kind: 'arrival', goneAt: null }],
        ['sha256:new', { imageId: 'sha256:new', firstSeen: NOW, lastUsed: NOW, lastUseSource: 'present when the agent looked', kind: 'seen', goneAt: null }],
      ]),
    );
  });

  it('starts an image deleted and loaded again afresh: its first sighting is the new arrival', () => {
    ctx.store.recordImageUse('sha256:a', NOW - DAY, 'image pull event', 'arrival');
    ctx.store.recordImageUse('sha256:a', NOW - MINUTE, 'container start event', 'use');
    ctx.store.noteImageGone('sha256:a', NOW - 2000);
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ firstSeen: NOW - DAY, goneAt: NOW - 2000 });
    ctx.store.recordImageUse('sha256:a', NOW - 700, 'image load event', 'arrival');
    expect(ctx.store.imageUses().get('sha256:a')).toEqual({ imageId: 'sha256:a', firstSeen: NOW - 700, lastUsed: NOW - 700, lastUseSource: 'image load event', kind: 'arrival', goneAt: NOW - 2000 });
    // Events of the copy that left, replayed after a reconnect, change nothing.
    ctx.store.recordImageUse('sha256:a', NOW - 3000, 'container start event', 'use');
    ctx.store.noteImageGone('sha256:a', NOW - 5000);
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ firstSeen: NOW - 700, lastUsed: NOW - 700, goneAt: NOW - 2000 });
    ctx.store.recordImageUse('sha256:a', NOW, 'container create event', 'use');
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ firstSeen: NOW - 700, lastUsed: NOW, lastUseSource: 'container create event', kind: 'use' });
  });

  it('takes a presence note after a deletion as a new arrival, and one from before it as nothing', () => {
    ctx.store.recordImageUse('sha256:a', NOW - DAY, 'image pull event', 'arrival');
    ctx.store.noteImageGone('sha256:a', NOW - 2000);
    ctx.store.noteImagesPresent(['sha256:a'], NOW - 3000, 'present when the agent looked');
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ firstSeen: NOW - DAY, lastUseSource: 'image pull event', kind: 'arrival' });
    ctx.store.noteImagesPresent(['sha256:a'], NOW, 'present when the agent looked');
    expect(ctx.store.imageUses().get('sha256:a')).toEqual({ imageId: 'sha256:a', firstSeen: NOW, lastUsed: NOW, lastUseSource: 'present when the agent looked', kind: 'seen', goneAt: NOW - 2000 });
  });

  it('records no deletion of an image it never knew', () => {
    ctx.store.noteImageGone('sha256:unknown', NOW);
    expect(ctx.store.imageUses().size).toBe(0);
  });

  it('lets a use at the same moment as a presence note name the use', () => {
    ctx.store.noteImagesPresent(['sha256:a'], NOW, 'present when the agent looked');
    ctx.store.recordImageUse('sha256:a', NOW, 'container start event', 'use');
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ lastUseSource: 'container start event', kind: 'use' });
  });

  it('keeps the kind of the latest entry, not of one replayed late', () => {
    ctx.store.recordImageUse('sha256:a', NOW, 'container start event', 'use');
    ctx.store.recordImageUse('sha256:a', NOW - MINUTE, 'image pull event', 'arrival');
    ctx.store.noteImagesPresent(['sha256:a'], NOW + MINUTE, 'present when the agent looked');
    expect(ctx.store.imageUses().get('sha256:a')).toMatchObject({ lastUsed: NOW, lastUseSource: 'container start event', kind: 'use' });
  });
});

describe('engine identities', () => {
  const identity = (at: number, dockerRootDir: string): EngineIdentity => ({
    at,
    engineId: 'ABCD:EFGH',
    serverVersion: '24.0.7',
    dockerRootDir,
    driver: 'overlay2',
    imageStore: 'graph',
    images: 12,
    containers: 3,
  });

  it('come back newest first, limited', () => {
    ctx.store.recordIdentity(identity(NOW - 2 * DAY, '/var/lib/docker'));
    ctx.store.recordIdentity(identity(NOW, '/data/docker'));
    ctx.store.recordIdentity(identity(NOW - DAY, '/var/lib/docker'));
    expect(ctx.store.identities(10)).toEqual([identity(NOW, '/data/docker'), identity(NOW - DAY, '/var/lib/docker'), identity(NOW - 2 * DAY, '/var/lib/docker')]);
    expect(ctx.store.identities(1).map((i) => i.at)).toEqual([NOW]);
  });
});

describe('events', () => {
  it('resume from the numerically newest timeNano, whatever its length or the insertion order', () => {
    expect(ctx.store.lastEventTimeNano()).toBeNull();
    ctx.store.addEvents([event('1000000000'), event('999999999')]);
    expect(ctx.store.lastEventTimeNano()).toBe('1000000000');
    // Nanoseconds past 2^53 differ in digits a double would lose.
    ctx.store.addEvents([event('1714544400123456790'), event('1714544400123456789'), event('999999999999999999')]);
    expect(ctx.store.lastEventTimeNano()).toBe('1714544400123456790');
  });

  it('come back newest first with their attributes, limited', () => {
    const a = event('1714544400000000001', { action: 'create', attributes: { image: 'app:2', name: 'web' } });
    const b = event('1714544400000000002', { action: 'start' });
    const c = event('1714544460000000000', { type: 'image', action: 'pull', actorId: 'nginx:1.25', attributes: {} });
    ctx.store.addEvents([b, c]);
    ctx.store.addEvents([a]);
    expect(ctx.store.recentEvents(10)).toEqual([c, b, a]);
    expect(ctx.store.recentEvents(2)).toEqual([c, b]);
  });

  it('are stored once when the engine sends them again (a resumed /events replays its since), apart from others at the same nanosecond', () => {
    const start = event('1714544400000000001', { action: 'start' });
    const attach = event('1714544400000000001', { action: 'attach' });
    const other = event('1714544400000000001', { action: 'start', actorId: 'c2' });
    ctx.store.addEvents([event('1714544399000000000'), start, attach]);
    // The agent restarted: it resumes at 1714544400000000001 and the engine sends those again.
    ctx.store.addEvents([start, attach, other]);
    ctx.store.addEvents([start]);
    expect(ctx.store.recentEvents(10)).toHaveLength(4);
    expect(ctx.store.lastEventTimeNano()).toBe('1714544400000000001');
  });

  it('refuse a batch with a timeNano that is not a decimal count, storing none of it', () => {
    expect(() => ctx.store.addEvents([event('1714544400000000001'), { ...event('1'), timeNano: '1.5e18' }])).toThrow(InternalError);
    expect(ctx.store.recentEvents(10)).toEqual([]);
  });
});

describe('findings', () => {
  it('are inserted, refreshed while open, resolved, and re-opened as a new episode', () => {
    ctx.store.saveFinding(finding('disk.pressure', 'warning'), NOW);
    ctx.store.saveFinding(finding('disk.pressure', 'critical', 'Disk at 97%'), NOW + MINUTE);
    expect(ctx.store.openFindings()).toEqual([{ finding: finding('disk.pressure', 'critical', 'Disk at 97%'), firstSeen: NOW, lastSeen: NOW + MINUTE, resolvedAt: null }]);

    ctx.store.resolveFinding('disk.pressure', NOW + 2 * MINUTE);
    ctx.store.resolveFinding('disk.pressure', NOW + 3 * MINUTE); // already resolved: keeps the first time
    expect(ctx.store.openFindings()).toEqual([]);
    expect(ctx.store.findingHistory(10)).toEqual([{ finding: finding('disk.pressure', 'critical', 'Disk at 97%'), firstSeen: NOW, lastSeen: NOW + MINUTE, resolvedAt: NOW + 2 * MINUTE }]);

    ctx.store.saveFinding(finding('disk.pressure', 'warning'), NOW + 10 * MINUTE);
    expect(ctx.store.openFindings()).toEqual([{ finding: finding('disk.pressure', 'warning'), firstSeen: NOW + 10 * MINUTE, lastSeen: NOW + 10 * MINUTE, resolvedAt: null }]);
  });

  it('come back most severe first, then by id; history newest lastSeen first', () => {
    ctx.store.saveFinding(finding('logging.unbounded', 'warning'), NOW);
    ctx.store.saveFinding(finding('data-root.on-root-fs', 'info'), NOW + 1);
    ctx.store.saveFinding(finding('storage.no-dtype', 'critical'), NOW + 2);
    ctx.store.saveFinding(finding('logging.none', 'warning'), NOW + 3);
    ctx.store.saveFinding(finding('disk.pressure', 'critical'), NOW + 4);
    ctx.store.resolveFinding('logging.none', NOW + 5);
    expect(ctx.store.openFindings().map((f) => f.finding.id)).toEqual(['disk.pressure', 'storage.no-dtype', 'logging.unbounded', 'data-root.on-root-fs']);
    expect(ctx.store.findingHistory(3).map((f) => f.finding.id)).toEqual(['disk.pressure', 'logging.none', 'storage.no-dtype']);
  });

  it('that were edited into another shape are reported, not passed on', () => {
    ctx.store.saveFinding(finding('disk.pressure', 'warning'), NOW);
    const db = openSqlite(ctx.t.file('dockwarden.db'));
    db.prepare('UPDATE findings SET finding = ?').run(JSON.stringify({ id: 'disk.pressure', severity: 'bad' }));
    db.close();
    expect(() => ctx.store.openFindings()).toThrow(InternalError);
    expect(() => ctx.store.openFindings()).toThrow(/finding disk\.pressure does not have the expected shape: severity: /);
  });

  it('resolving an unknown id is a no-op', () => {
    ctx.store.resolveFinding('swarm.no-rollback', NOW);
    expect(ctx.store.findingHistory(10)).toEqual([]);
  });
});

describe('gc runs', () => {
  const run = (at: number, over: Partial<GcRunRecord> = {}): GcRunRecord => ({
    at,
    trigger: 'pressure',
    dryRun: false,
    beforePct: 91.5,
    afterPct: 79.25,
    deleted: 7,
    freedBytes: 3_500_000_000,
    kept: 9,
    failed: 0,
    summary: 'Deleted 7 images, 3.3 GiB freed.',
    ...over,
  });

  it('come back newest first, as they were recorded', () => {
    ctx.store.addGcRun(run(NOW - DAY));
    ctx.store.addGcRun(run(NOW, { trigger: 'manual', dryRun: true, beforePct: null, afterPct: null, deleted: 0, freedBytes: 0 }));
    ctx.store.addGcRun(run(NOW - 2 * DAY, { trigger: 'schedule', failed: 1 }));
    expect(ctx.store.gcRuns(10)).toEqual([
      run(NOW, { trigger: 'manual', dryRun: true, beforePct: null, afterPct: null, deleted: 0, freedBytes: 0 }),
      run(NOW - DAY),
      run(NOW - 2 * DAY, { trigger: 'schedule', failed: 1 }),
    ]);
    expect(ctx.store.gcRuns(1)).toHaveLength(1);
  });
});

describe('close', () => {
  it('is idempotent, and a closed ctx.store refuses work', () => {
    ctx.store.close();
    ctx.store.close();
    expect(() => ctx.store.addGcRun({} as GcRunRecord)).toThrow(/not open/);
  });
});
