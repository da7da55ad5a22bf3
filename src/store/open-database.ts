import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { UsageError } from '../core/errors.js';
import { APPLICATION_ID, LATEST_VERSION, migrate, refuseNewer, schemaVersion } from './migrations.js';
import { openSqlite } from './open-sqlite.js';

// Opening the store's file. Two kinds of opener: the agent, the store's one writer, which
// makes the directory, builds or migrates the file and moves a damaged store aside (it
// must keep running after a power cut tore the file; the damaged copy is kept for whoever
// wants to look); and every other command, which only reads: the file opened read-only,
// never created, migrated or moved, and anything wrong with it said in one sentence. Both
// refuse, untouched, a file that is not SQLite at all (a daemon.json given to --db), one
// from a newer dockwarden and another program's database: only a file recognisably ours
// (or a SQLite file too damaged to say whose it is) is ever moved aside.

export type StoreAccess = 'writer' | 'reader';

export interface OpenedDatabase {
  db: Database.Database;
  /** Where an unreadable file was moved to, or null (always null for a reader). */
  recoveredFrom: string | null;
}

/** A file SQLite opened but that fails its own integrity check. */
class DamagedFile extends Error {}

export function openDatabase(path: string, now: () => number, access: StoreAccess = 'writer'): OpenedDatabase {
  if (access === 'reader') return { db: openReader(path), recoveredFrom: null };
  makeDirectory(path);
  refuseForeign(path, fileKind(path));
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
  const db = openSqlite(path, { timeout: 5000 });
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

/**
 * Read-only: no file made, no header rewritten, no migration written. A store from an
 * older dockwarden (the agent not yet restarted after an upgrade) is migrated in memory,
 * so the queries find the columns they name.
 */
function openReader(path: string): Database.Database {
  const kind = fileKind(path);
  if (kind === 'missing') throw new UsageError(`The store ${path} does not exist: give the file \`dockwarden agent --db\` writes.`);
  if (kind === 'empty') throw new UsageError(`The file ${path} is empty, not a dockwarden store: point --db at the file \`dockwarden agent --db\` writes (this one was left untouched).`);
  refuseForeign(path, kind);
  let db: Database.Database | null = null;
  try {
    db = readerConnection(path);
    inspect(db, path);
    if (schemaVersion(db) >= LATEST_VERSION) return db;
    if (!db.memory) {
      const copy = inMemory(db.serialize());
      db.close();
      db = copy;
    }
    migrate(db, path);
    return db;
  } catch (err) {
    if (db?.open) db.close();
    if (isDamage(err)) {
      throw new UsageError(
        `The store ${path} is damaged (${oneLine((err as Error).message)}): \`dockwarden agent --db ${path}\` moves it aside and starts a fresh one when it starts; or point --db at another file (this one was left untouched).`,
      );
    }
    throw explain(err, path);
  }
}

/** Bytes 18 and 19 of the header: the file's journal format, 2 for WAL. */
const WRITE_VERSION_OFFSET = 18;

/**
 * While the agent runs (its -wal is there), a read-only connection shares its log. With no
 * -wal, the file holds every commit, and SQLite would still create -wal and -shm beside it
 * to read a WAL-mode file: the file is read into memory instead, marked as a rollback-journal
 * file there, since SQLite cannot read a WAL database from memory.
 */
function readerConnection(path: string): Database.Database {
  if (existsSync(`${path}-wal`)) return openSqlite(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  return inMemory(readFileSync(path));
}

function inMemory(bytes: Buffer): Database.Database {
  if (bytes.length > WRITE_VERSION_OFFSET + 1 && bytes[WRITE_VERSION_OFFSET] === 2) {
    bytes[WRITE_VERSION_OFFSET] = 1;
    bytes[WRITE_VERSION_OFFSET + 1] = 1;
  }
  return openSqlite(bytes);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

type FileKind = 'missing' | 'empty' | 'directory' | 'not-sqlite' | 'sqlite' | 'other-program';

/** SQLite's file header: the magic string, and the application_id at byte 68 (big-endian). */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const APPLICATION_ID_OFFSET = 68;

/**
 * What the file is, from its first 100 bytes alone: decided before SQLite opens it, since
 * a file SQLite cannot read is either damage (ours to move aside) or not ours at all.
 */
function fileKind(path: string): FileKind {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) return 'directory';
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw explain(err, path);
  }
  const head = Buffer.alloc(100);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } catch (err) {
    throw explain(err, path);
  } finally {
    closeSync(fd);
  }
  if (n === 0) return 'empty';
  if (n < SQLITE_MAGIC.length || !head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return 'not-sqlite';
  if (n < APPLICATION_ID_OFFSET + 4) return 'sqlite'; // a torn header: damage
  const appId = head.readUInt32BE(APPLICATION_ID_OFFSET);
  return appId !== 0 && appId !== APPLICATION_ID ? 'other-program' : 'sqlite';
}

function refuseForeign(path: string, kind: FileKind): void {
  if (kind === 'directory') throw new UsageError(`The store ${path} is a directory, not a file: point --db at a file.`);
  if (kind === 'not-sqlite') {
    throw new UsageError(`The file ${path} is not a SQLite database, so not a dockwarden store: point --db at the file \`dockwarden agent --db\` writes (this one was left untouched).`);
  }
  if (kind === 'other-program') throw otherProgram(path);
}

function otherProgram(path: string): UsageError {
  return new UsageError(`The file ${path} is a SQLite database of another program, not a dockwarden store: point --db at another file (this one was left untouched).`);
}

/** Reads without writing: is this an undamaged dockwarden store this code can use? */
function inspect(db: Database.Database, path: string): void {
  const version = schemaVersion(db); // a non-SQLite or truncated file fails here
  const appId = db.pragma('application_id', { simple: true }) as number;
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
  if ((appId !== 0 && appId !== APPLICATION_ID) || (version === 0 && tables.n > 0)) {
    throw otherProgram(path);
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
