import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../core/errors.js';
import { APPLICATION_ID, migrate, refuseNewer, schemaVersion } from './migrations.js';

// Opening the store's file: the directory made if missing, a damaged file moved aside
// (the agent must keep running after a power cut tore the file; the damaged copy is kept
// for whoever wants to look), a file from a newer dockwarden or another program refused
// untouched, and permission problems said in one sentence.

export interface OpenedDatabase {
  db: Database.Database;
  /** Where an unreadable file was moved to, or null. */
  recoveredFrom: string | null;
}

/** A file SQLite opened but that fails its own integrity check. */
class DamagedFile extends Error {}

export function openDatabase(path: string, now: () => number): OpenedDatabase {
  makeDirectory(path);
  try {
    return { db: attempt(path), recoveredFrom: null };
  } catch (err) {
    if (!isDamage(err)) throw explain(err, path);
  }
  const movedTo = moveAside(path, now());
  try {
    return { db: attempt(path), recoveredFrom: movedTo };
  } catch (err) {
    throw explain(err, path);
  }
}

function attempt(path: string): Database.Database {
  // timeout is SQLite's busy_timeout: the agent and `dockwarden status` or `gc` share the file.
  const db = new Database(path, { timeout: 5000 });
  try {
    inspect(db, path);
    // Set only after inspect: switching to WAL rewrites header bytes, and a file we refuse
    // must stay byte-for-byte as it was.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a power cut may lose the last commits, never the file.
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Reads without writing: is this an undamaged dockwarden store this code can use? */
function inspect(db: Database.Database, path: string): void {
  const version = schemaVersion(db); // a non-SQLite or truncated file fails here
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  if ((appId !== 0 && appId !== APPLICATION_ID) || (version === 0 && tables.n > 0)) {
    throw new UsageError(`The file ${path} is a SQLite database of another program, not a dockwarden store: point --db at another file (this one was left untouched).`);
  }
  refuseNewer(path, version);
  // The store is kept to a few MB by retention, so the full page walk costs milliseconds.
  const check = db.pragma('quick_check(1)', { simple: true });
  if (check !== 'ok') throw new DamagedFile(String(check));
}

function isDamage(err: unknown): boolean {
  if (err instanceof DamagedFile) return true;
  const code = sqliteCode(err);
  return code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT');
}

/** Moves the side files along: the last commits live in the -wal, and whoever salvages the copy needs them. */
function moveAside(path: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/:/g, '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 2; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  try {
    renameSync(path, target);
    for (const side of ['-wal', '-shm', '-journal']) {
      if (existsSync(path + side)) renameSync(path + side, target + side);
    }
  } catch (err) {
    throw explain(err, path);
  }
  return target;
}

function makeDirectory(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    throw explain(err, path);
  }
}

function sqliteCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/** Turns the ways a path can be unusable into one sentence; anything else is rethrown as is. */
function explain(err: unknown, path: string): unknown {
  if (err instanceof UsageError) return err;
  const code = sqliteCode(err);
  const dir = dirname(path);
  const denied = `The store ${path} cannot be opened: permission denied; run as a user who may write ${dir}, or point --db at another file.`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_AUTH')) return new UsageError(denied);
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) {
    return new UsageError(`The store ${path} cannot be written (read-only file or filesystem); run as a user who may write ${dir}, or point --db at another file.`);
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return new UsageError(`The store ${path} cannot be created: ${dir} is not a directory; point --db at another file.`);
  if (code.startsWith('SQLITE_CANTOPEN')) {
    if (isDirectory(path)) return new UsageError(`The store ${path} is a directory, not a file: point --db at a file.`);
    return new UsageError(lacksAccess(path) ? denied : `The store ${path} cannot be opened (${(err as Error).message}); check the path, or point --db at another file.`);
  }
  return err;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** SQLite says only "unable to open database file"; the filesystem says whether it was permissions. */
function lacksAccess(path: string): boolean {
  try {
    accessSync(dirname(path), constants.W_OK | constants.X_OK);
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
    return false;
  } catch {
    return true;
  }
}
