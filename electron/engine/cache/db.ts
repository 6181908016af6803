import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDb = Database.Database;

/** Whose cache a file is: one file per staff account and per core, so switching either never mixes data. */
export interface CacheAccount {
  userId: number;
  coreUrl: string;
}

/** The same core written with or without a trailing slash or in another letter case is the same core. */
function normalizeCoreUrl(coreUrl: string): string {
  try {
    const url = new URL(coreUrl);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return coreUrl.trim();
  }
}

/** `cases-<16 hex of sha256(core url)>-<userId>.sqlite`: stable, filesystem-safe, and reveals no URL. */
export function cacheFileName(account: CacheAccount): string {
  if (!Number.isSafeInteger(account.userId) || account.userId <= 0) {
    throw new TypeError(`cache account userId must be a positive integer, got ${account.userId}`);
  }
  const hash = createHash('sha256').update(normalizeCoreUrl(account.coreUrl)).digest('hex').slice(0, 16);
  return `cases-${hash}-${account.userId}.sqlite`;
}

/** The database file and the WAL side files SQLite keeps beside it. */
export function cacheFiles(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/** Deletes a cache file and its side files; missing files are fine (wiping twice is harmless). */
export function deleteCacheFiles(path: string): void {
  for (const file of cacheFiles(path)) rmSync(file, { force: true });
}

/**
 * Opens (creating if needed) a SQLite file with the pragmas the cache relies on: WAL so reads never wait
 * for the sync writer, foreign keys so removing a case drops its detail and chat, and a busy timeout
 * instead of an immediate SQLITE_BUSY. Commits are `synchronous=NORMAL`: a power cut may lose the last
 * cached cases, which the next sync fetches again. The outbox, which nothing can fetch again, commits
 * under `durably` (FULL: the WAL is synced before `enqueue` returns, with everything committed before it).
 */
export function openDatabase(dir: string, fileName: string): SqliteDb {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, fileName));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/** Runs `fn` (one statement or transaction) so that its commit is on disk when it returns. */
export function durably<T>(db: SqliteDb, fn: () => T): T {
  db.pragma('synchronous = FULL');
  try {
    return fn();
  } finally {
    db.pragma('synchronous = NORMAL');
  }
}

const statements = new WeakMap<SqliteDb, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection and SQL text. */
export function prepared(db: SqliteDb, sql: string): Database.Statement {
  let perDb = statements.get(db);
  if (!perDb) {
    perDb = new Map();
    statements.set(db, perDb);
  }
  let stmt = perDb.get(sql);
  if (!stmt) {
    // Queue filters build their SQL from the filters present; bound the cache in case the shapes pile up.
    if (perDb.size >= 500) perDb.clear();
    stmt = db.prepare(sql);
    perDb.set(sql, stmt);
  }
  return stmt;
}
