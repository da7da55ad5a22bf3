import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqlite, SQLITE_BINDING_ENV } from './open-sqlite.js';
import { tempDir } from './testing/temp-store.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('openSqlite', () => {
  it('loads the native build DOCKWARDEN_SQLITE_BINDING names', () => {
    vi.stubEnv(SQLITE_BINDING_ENV, '/nonexistent/better_sqlite3.node');
    expect(() => openSqlite(':memory:')).toThrow(/\/nonexistent\/better_sqlite3\.node/);
  });

  it("passes better-sqlite3's options on", () => {
    const t = tempDir();
    try {
      expect(() => openSqlite(t.file('missing.db'), { fileMustExist: true })).toThrow(/unable to open database file/);
      const db = openSqlite(':memory:');
      expect(db.prepare('SELECT 1 + 1 AS n').get()).toEqual({ n: 2 });
      db.close();
    } finally {
      t.cleanup();
    }
  });
});
