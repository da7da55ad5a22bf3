import Database from 'better-sqlite3';

// better-sqlite3's native addon is compiled for one Node ABI: the one of the Node that ran
// `npm ci`. DOCKWARDEN_SQLITE_BINDING names another build of the same better-sqlite3 (its
// better_sqlite3.node), for running under another Node major: the test suite's second run
// on the current Node LTS sets it (scripts/fetch-node-lts.sh builds that copy), and so may
// an operator whose `node` is not the one npm built with. Unset, better-sqlite3 finds its
// own build, as it always did.
//
// The one place below cli/ that reads process.env: this picks which compiled file
// implements SQLite, not what dockwarden does, and every connection (the agent's, each
// command's, a test's own) needs the same answer, however the process was started.
export const SQLITE_BINDING_ENV = 'DOCKWARDEN_SQLITE_BINDING';

/** `new Database(file, options)`, loading the native build DOCKWARDEN_SQLITE_BINDING names when it is set. */
export function openSqlite(file: string | Buffer, options: Database.Options = {}): Database.Database {
  const nativeBinding = process.env[SQLITE_BINDING_ENV];
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
