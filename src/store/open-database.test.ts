import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate } from './migrations.js';
import { openSqlite } from './open-sqlite.js';
import { openStore } from './sqlite-store.js';
import { NOW, sample, storeFactory, tempDir, type TempDir } from './testing/temp-store.js';

let t: TempDir;
let stores: ReturnType<typeof storeFactory>;
beforeEach(() => {
  t = tempDir();
  stores = storeFactory(t);
});
afterEach(() => {
  stores.closeAll();
  t.cleanup();
});

/** Reads header facts through a separate connection, as another process would. */
function header(path: string): { version: number; appId: number; journal: string } {
  const db = openSqlite(path, { readonly: true });
  try {
    return {
      version: db.pragma('user_version', { simple: true }) as number,
      appId: db.pragma('application_id', { simple: true }) as number,
      journal: db.pragma('journal_mode', { simple: true }) as string,
    };
  } finally {
    db.close();
  }
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('opening and migrating', () => {
  it('creates the parent directory and a WAL store at the latest schema version', () => {
    const path = t.file('var/lib/dockwarden/dockwarden.db');
    const store = openStore(path, { now: () => NOW });
    expect(store.path).toBe(path);
    expect(store.recoveredFrom).toBeNull();
    store.close();
    store.close(); // idempotent
    expect(header(path)).toEqual({ version: LATEST_VERSION, appId: APPLICATION_ID, journal: 'wal' });
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('keeps what an earlier run stored', () => {
    const first = stores.open();
    first.addSample(sample(NOW));
    first.close();
    expect(stores.open().samples(0, NOW)).toEqual([sample(NOW)]);
  });

  it('treats an empty file as a new store, not a damaged one', () => {
    writeFileSync(t.file('dockwarden.db'), '');
    const store = stores.open();
    expect(store.recoveredFrom).toBeNull();
    expect(header(t.file('dockwarden.db')).version).toBe(LATEST_VERSION);
  });

  it('migrates a version 1 file, keeping its rows and backfilling last_seen', () => {
    const path = t.file('dockwarden.db');
    const v1 = openSqlite(path);
    expect(migrate(v1, path, 1)).toEqual([1]);
    v1.prepare("INSERT INTO image_uses VALUES ('sha256:aa', ?, ?, 'container start event')").run(NOW - 5000, NOW - 1000);
    v1.close();
    expect(header(path).version).toBe(1);

    const store = stores.open();
    expect(store.imageUses().get('sha256:aa')).toEqual({ imageId: 'sha256:aa', firstSeen: NOW - 5000, lastUsed: NOW - 1000, lastUseSource: 'container start event', kind: 'use', goneAt: null });
    store.close();
    const db = openSqlite(path, { readonly: true });
    expect(db.prepare('SELECT last_seen FROM image_uses').pluck().get()).toBe(NOW - 1000);
    expect(db.prepare("SELECT name FROM sqlite_schema WHERE name = 'image_uses_last_seen'").pluck().get()).toBe('image_uses_last_seen');
    db.close();
    expect(header(path).version).toBe(LATEST_VERSION);
  });

  it('migrates a version 5 file, telling uses, arrivals and presence notes apart by the sentences it holds', () => {
    const path = t.file('dockwarden.db');
    const v5 = openSqlite(path);
    migrate(v5, path, 5);
    const insert = v5.prepare('INSERT INTO image_uses (image_id, first_seen, last_used, last_use_source, last_seen) VALUES (?, 1, 2, ?, 2)');
    for (const [id, source] of [
      ['sha256:used', 'container exec_start event'],
      ['sha256:pulled', 'image pull event'],
      ['sha256:found', 'present when the agent looked'],
    ])
      insert.run(id, source);
    v5.close();

    const store = stores.open();
    const kinds = [...store.imageUses().values()].map((u) => [u.imageId, u.kind, u.lastUseSource]);
    expect(kinds.sort()).toEqual([
      ['sha256:found', 'seen', 'present when the agent looked'],
      ['sha256:pulled', 'arrival', 'image pull event'],
      ['sha256:used', 'use', 'container exec_start event'],
    ]);
    store.close();
  });

  it('migrates a version 6 file, dropping the columns nothing filled and keeping the rows', () => {
    const path = t.file('dockwarden.db');
    const v6 = openSqlite(path);
    migrate(v6, path, 6);
    v6.prepare('INSERT INTO samples (at, mean, fs_size, fs_avail, images, image_bytes, containers, containers_running) VALUES (?, 0, 100, 40, 3, NULL, 2, 1)').run(NOW);
    v6.prepare(
      "INSERT INTO identities (at, engine_id, server_version, docker_root_dir, driver, image_store, started_at, images, containers) VALUES (?, 'E', '26.1', '/var/lib/docker', 'overlay2', 'graph', NULL, 3, 2)",
    ).run(NOW);
    v6.close();

    const store = stores.open();
    expect(store.samples(0, NOW)).toEqual([expect.objectContaining({ at: NOW, fsSizeBytes: 100, images: 3 })]);
    expect(store.samples(0, NOW)[0]).not.toHaveProperty('imageBytes');
    expect(store.identities(10)).toEqual([{ at: NOW, engineId: 'E', serverVersion: '26.1', dockerRootDir: '/var/lib/docker', driver: 'overlay2', imageStore: 'graph', images: 3, containers: 2 }]);
    store.close();
  });

  it('migrates a version 3 file whose events were stored twice by restarts, keeping each event once', () => {
    const path = t.file('dockwarden.db');
    const v3 = openSqlite(path);
    migrate(v3, path, 3);
    const insert = v3.prepare("INSERT INTO events (at, time_nano, nano_key, type, action, actor_id, attributes) VALUES (1, ?, ?, 'container', ?, 'c1', '{}')");
    for (const [nano, action] of [
      ['5', 'start'],
      ['5', 'start'],
      ['5', 'die'],
      ['6', 'start'],
      ['6', 'start'],
      ['6', 'start'],
    ] as const)
      insert.run(nano, nano.padStart(20, '0'), action);
    v3.close();

    const store = stores.open();
    expect(store.recentEvents(10).map((e) => `${e.action}@${e.timeNano}`)).toEqual(['start@6', 'die@5', 'start@5']);
    store.addEvents([{ at: 1, timeNano: '6', type: 'container', action: 'start', actorId: 'c1', attributes: {} }]);
    expect(store.recentEvents(10)).toHaveLength(3);
    expect(header(path).version).toBe(LATEST_VERSION);
  });

  it('refuses a file from a newer dockwarden and leaves it byte for byte as it was', () => {
    const path = t.file('dockwarden.db');
    const db = openSqlite(path);
    migrate(db, path);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = readFileSync(path);

    const err = errorOf(() => openStore(path, { now: () => NOW }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain(path);
    expect(err.message).toContain(`schema version ${LATEST_VERSION + 1}`);
    expect(err.message).toContain(`the ${LATEST_VERSION} this dockwarden knows`);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("refuses another program's SQLite database without touching it", () => {
    const path = t.file('other.db');
    const db = openSqlite(path);
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    db.close();
    const before = readFileSync(path);
    const err = errorOf(() => openStore(path, { now: () => NOW }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/another program, not a dockwarden store/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});

/** The header kept (SQLite magic, our application_id), every page after the first overwritten. */
function scrambled(file: Buffer): Buffer {
  const out = Buffer.from(file);
  for (let i = 4096; i < out.length; i++) out[i] = (i * 7919 + 13) % 256;
  return out;
}

describe('a damaged file', () => {
  const movedName = (path: string) => `${path}.corrupt-2024-05-01T06-20-00.000Z`;

  it('is moved aside when it is our store with its pages scrambled, and a fresh store works', () => {
    const path = t.file('dockwarden.db');
    const store0 = stores.open();
    store0.addSample(sample(NOW));
    store0.close();
    const damaged = scrambled(readFileSync(path));
    writeFileSync(path, damaged);
    const store = stores.open();
    expect(store.recoveredFrom).toBe(movedName(path));
    expect(readFileSync(movedName(path)).equals(damaged)).toBe(true);
    store.addSample(sample(NOW));
    expect(store.samples(NOW - 1, NOW + 1)).toHaveLength(1);
    expect(header(path).version).toBe(LATEST_VERSION);
  });

  it('is moved aside with its -wal (its last commits) when torn, and the fresh store starts empty', () => {
    // A power cut: the file and its log as they were on disk while the agent was writing.
    const live = stores.open('live.db');
    for (let i = 0; i < 2000; i++) live.addSample(sample(NOW - i * 30_000));
    live.applyRetention(NOW); // checkpoint: the log restarts empty
    for (let i = 1; i <= 10; i++) live.addSample(sample(NOW + i * 30_000));
    const path = t.file('dockwarden.db');
    copyFileSync(t.file('live.db'), path);
    copyFileSync(t.file('live.db-wal'), `${path}-wal`);
    live.close();
    const log = readFileSync(`${path}-wal`);
    expect(log.length).toBeGreaterThan(0);
    truncateSync(path, 16_384);

    const store = stores.open();
    expect(store.recoveredFrom).toBe(movedName(path));
    expect(readFileSync(`${movedName(path)}-wal`).equals(log)).toBe(true);
    expect(store.samples(0, NOW)).toEqual([]);
    store.addSample(sample(NOW));
    expect(store.samples(0, NOW)).toHaveLength(1);
  });

  it('gets a name of its own when one was already moved aside at the same time', () => {
    const path = t.file('dockwarden.db');
    writeFileSync(movedName(path), 'earlier');
    const first = stores.open();
    first.close();
    writeFileSync(path, scrambled(readFileSync(path)));
    const store = stores.open();
    expect(store.recoveredFrom).toBe(`${movedName(path)}-2`);
    expect(readFileSync(movedName(path), 'utf8')).toBe('earlier');
  });
});

describe('a file that is not ours', () => {
  const daemonJson = '{\n  "data-root": "/srv/docker",\n  "storage-driver": "overlay2"\n}\n';

  it('is refused by the writer, byte for byte as it was, when it is not SQLite at all (a daemon.json given to --db)', () => {
    const path = t.file('daemon.json');
    writeFileSync(path, daemonJson);
    const err = errorOf(() => openStore(path, { now: () => NOW }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`The file ${path} is not a SQLite database, so not a dockwarden store: point --db at the file \`dockwarden agent --db\` writes (this one was left untouched).`);
    expect(readFileSync(path, 'utf8')).toBe(daemonJson);
    expect(readdirSync(t.dir)).toEqual(['daemon.json']);
  });

  it('is refused by the writer when its header names another program, even when it is damaged', () => {
    const path = t.file('other.db');
    const db = openSqlite(path);
    db.pragma('application_id = 1234');
    db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY)');
    db.close();
    const damaged = scrambled(Buffer.concat([readFileSync(path), Buffer.alloc(8192)]));
    writeFileSync(path, damaged);
    const err = errorOf(() => openStore(path, { now: () => NOW }));
    expect(err.message).toMatch(/another program, not a dockwarden store/);
    expect(readFileSync(path).equals(damaged)).toBe(true);
    expect(readdirSync(t.dir)).toEqual(['other.db']);
  });
});

describe('a reader (status, gc --db)', () => {
  const read = (path: string) => openStore(path, { now: () => NOW, access: 'reader' });

  /** Every file in the directory, with its bytes: what must not change. */
  function snapshot(): Map<string, Buffer> {
    return new Map(readdirSync(t.dir).map((name) => [name, readFileSync(t.file(name))]));
  }

  it('reads a store the agent wrote, and changes no file', () => {
    const writer = stores.open();
    writer.addSample(sample(NOW));
    writer.close();
    const before = snapshot();
    const store = read(t.file('dockwarden.db'));
    expect(store.samples(0, NOW)).toEqual([sample(NOW)]);
    store.close();
    expect(snapshot()).toEqual(before);
  });

  it('reads a store while the agent has it open', () => {
    const writer = stores.open();
    writer.addSample(sample(NOW));
    const store = read(t.file('dockwarden.db'));
    expect(store.samples(0, NOW)).toEqual([sample(NOW)]);
    writer.addSample(sample(NOW + 1));
    expect(store.samples(0, NOW + 1)).toHaveLength(2);
    store.close();
  });

  it('reads an older store migrated in memory, leaving the file at its version', () => {
    const path = t.file('dockwarden.db');
    const v1 = openSqlite(path);
    migrate(v1, path, 1);
    v1.prepare("INSERT INTO image_uses VALUES ('sha256:aa', ?, ?, 'container start event')").run(NOW - 5000, NOW - 1000);
    v1.close();
    const before = snapshot();
    const store = read(path);
    expect(store.imageUses().get('sha256:aa')).toMatchObject({ firstSeen: NOW - 5000, lastUsed: NOW - 1000 });
    store.close();
    expect(snapshot()).toEqual(before);
    expect(header(path).version).toBe(1);
  });

  it.each([
    ['a daemon.json', () => '{"data-root": "/srv/docker"}\n', /is not a SQLite database, so not a dockwarden store/],
    ['an empty file', () => '', /is empty, not a dockwarden store/],
    ['random bytes', () => Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256)), /is not a SQLite database/],
  ])('refuses %s in one sentence and leaves it as it was', (_what, content, message) => {
    const path = t.file('F');
    writeFileSync(path, content());
    const before = snapshot();
    const err = errorOf(() => read(path));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain(path);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a damaged store of ours, saying the agent sets it aside, and does not move it', () => {
    const path = t.file('dockwarden.db');
    stores.open().close();
    writeFileSync(path, scrambled(Buffer.concat([readFileSync(path), Buffer.alloc(16384)])));
    const before = snapshot();
    const err = errorOf(() => read(path));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/is damaged .*moves it aside and starts a fresh one when it starts/);
    expect(snapshot()).toEqual(before);
  });

  it('refuses a file that does not exist instead of creating it', () => {
    const err = errorOf(() => read(t.file('sub/none.db')));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/does not exist/);
    expect(readdirSync(t.dir)).toEqual([]);
  });
});

describe('an unusable path', () => {
  type Outcome = { name: string; message: string };

  /** Opens each path as an unprivileged user: in one child running as nobody when the tests run as root. */
  function openUnprivileged(paths: string[]): Outcome[] {
    if (process.getuid?.() !== 0) {
      return paths.map((path) => {
        try {
          openStore(path, { now: () => NOW }).close();
          return { name: 'none', message: '' };
        } catch (err) {
          return { name: (err as Error).name, message: (err as Error).message };
        }
      });
    }
    const module = new URL('./sqlite-store.ts', import.meta.url).href;
    const script = `const { openStore } = await import(${JSON.stringify(module)});
      console.log(JSON.stringify(${JSON.stringify(paths)}.map((path) => {
        try { openStore(path, { now: () => 0 }).close(); return { name: 'none', message: '' }; }
        catch (e) { return { name: e.name, message: e.message }; }
      })));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '[]') as Outcome[];
  }

  it('says in one sentence that a directory or file the user may not write is unusable', () => {
    const paths = [t.file('dockwarden.db'), t.file('sub/dockwarden.db')];
    const existing = t.file('existing.db');
    openStore(existing, { now: () => NOW }).close();
    chmodSync(existing, 0o444);
    chmodSync(t.dir, 0o555);
    try {
      const [outcome, ...outcomes] = openUnprivileged([existing, ...paths]);
      expect(outcome).toEqual({
        name: 'UsageError',
        message: `The store ${existing} cannot be written (read-only file or filesystem); run as a user who may write ${t.dir}, or point --db at another file.`,
      });
      expect(outcomes).toEqual(
        paths.map((path) => ({
          name: 'UsageError',
          message: `The store ${path} cannot be opened: permission denied; run as a user who may write ${dirname(path)}, or point --db at another file.`,
        })),
      );
    } finally {
      chmodSync(t.dir, 0o700);
    }
  }, 20_000);

  it('says so when the path is a directory', () => {
    mkdirSync(t.file('dockwarden.db'));
    const err = errorOf(() => openStore(t.file('dockwarden.db'), { now: () => NOW }));
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe(`The store ${t.file('dockwarden.db')} is a directory, not a file: point --db at a file.`);
  });
});
