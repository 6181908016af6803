import type { SqliteDb } from './db';

/**
 * The trigram search index's upkeep. Each searchable table has an external-content FTS5 table kept in
 * step by three triggers, whatever code path writes the rows. During a snapshot (the first sync, or after
 * a reset) that upkeep is suspended: the triggers are dropped, the rows go in plain, and the index is
 * rebuilt once when the last page lands — about half the snapshot's cache time otherwise (bench:engine).
 * Search does not see the snapshot's rows until then; the status shows the snapshot in progress.
 */
export const SEARCH_TABLES = ['cases', 'users_seen', 'orders_seen'] as const;

/** The triggers of one table (`IF NOT EXISTS`: also what `resumeSearchIndex` runs). */
export function createSearchTriggers(db: SqliteDb, table: (typeof SEARCH_TABLES)[number]): void {
  const fts = `${table}_fts`;
  db.exec(`
    CREATE TRIGGER IF NOT EXISTS ${table}_fts_insert AFTER INSERT ON ${table} BEGIN
      INSERT INTO ${fts} (rowid, search_text) VALUES (new.id, new.search_text);
    END;
    CREATE TRIGGER IF NOT EXISTS ${table}_fts_delete AFTER DELETE ON ${table} BEGIN
      INSERT INTO ${fts} (${fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    END;
    CREATE TRIGGER IF NOT EXISTS ${table}_fts_update AFTER UPDATE ON ${table}
    WHEN old.search_text IS NOT new.search_text BEGIN
      INSERT INTO ${fts} (${fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);
      INSERT INTO ${fts} (rowid, search_text) VALUES (new.id, new.search_text);
    END;
  `);
}

/** Whether the index is being kept in step row by row (false during a snapshot). */
export function searchIndexLive(db: SqliteDb): boolean {
  const row = db
    .prepare(
      `SELECT count(*) AS n FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '%\\_fts\\_%' ESCAPE '\\'`,
    )
    .get() as { n: number };
  return row.n === SEARCH_TABLES.length * 3;
}

/** Stops the row-by-row upkeep (in the caller's transaction). Idempotent. */
export function suspendSearchIndex(db: SqliteDb): void {
  for (const table of SEARCH_TABLES) {
    db.exec(`
      DROP TRIGGER IF EXISTS ${table}_fts_insert;
      DROP TRIGGER IF EXISTS ${table}_fts_delete;
      DROP TRIGGER IF EXISTS ${table}_fts_update;
    `);
  }
}

/** Rebuilds every index from its table and restores the upkeep (in the caller's transaction). */
export function resumeSearchIndex(db: SqliteDb): void {
  for (const table of SEARCH_TABLES) {
    db.exec(`INSERT INTO ${table}_fts (${table}_fts) VALUES ('rebuild')`);
    createSearchTriggers(db, table);
  }
}
