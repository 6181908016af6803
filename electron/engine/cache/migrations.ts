import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { SqliteDb } from './db';
import { caseSearchText, orderFromCase, usersFromCase } from './derive';
import { createSearchTriggers, SEARCH_TABLES, searchIndexLive } from './search-index';

/**
 * The cache schema, as numbered forward-only steps. `PRAGMA user_version` holds the last step applied;
 * each step runs in its own transaction together with the version bump, so a crash leaves the file at a
 * whole version. A migration, once released, is never edited: change the schema with a new one.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: SqliteDb): void;
}

/** The file was written by a newer console. Refused rather than guessed at: the console wipes and re-syncs. */
export class CacheSchemaTooNewError extends Error {
  constructor(
    readonly fileVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      `the offline cache file has schema version ${fileVersion}, newer than this console knows (${knownVersion}); ` +
        'wipe it and sync again',
    );
    this.name = 'CacheSchemaTooNewError';
  }
}

/**
 * Calls `fn` with every cached case, in pages (a connection cannot write while a read is still stepping,
 * and a 100k-case file should not be loaded at once).
 */
function forEachCachedCase(db: SqliteDb, fn: (c: CaseSummary) => void): void {
  const page = db.prepare('SELECT id, summary_json FROM cases WHERE id > ? ORDER BY id LIMIT 1000');
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(after) as { id: number; summary_json: string }[];
    for (const row of rows) fn(JSON.parse(row.summary_json) as CaseSummary);
    const last = rows.at(-1);
    if (!last) return;
    after = last.id;
  }
}

const v1CasesAndSync: Migration = {
  version: 1,
  name: 'cases-and-sync',
  up(db) {
    // Times are epoch milliseconds: range filters and sorts compare numbers, whatever offset a string had.
    db.exec(`
      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        priority INTEGER NOT NULL,
        assignee_id INTEGER,
        sla_due_at INTEGER,
        sla_breached INTEGER NOT NULL DEFAULT 0,
        amount_fen INTEGER,
        user_id INTEGER,
        order_id INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        version INTEGER NOT NULL,
        summary_json TEXT NOT NULL
      );
      -- One index per queue sort, on exactly the expression listCases orders by, ending with the id tie-break.
      CREATE INDEX cases_sla_idx ON cases (coalesce(sla_due_at, 253402300799999), id);
      CREATE INDEX cases_priority_idx ON cases (priority, id);
      CREATE INDEX cases_created_idx ON cases (created_at, id);
      CREATE INDEX cases_amount_idx ON cases (coalesce(amount_fen, -1), id);
      CREATE INDEX cases_status_kind_idx ON cases (status, kind);
      CREATE INDEX cases_assignee_idx ON cases (assignee_id);

      CREATE TABLE case_details (
        case_id INTEGER PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
        detail_json TEXT NOT NULL,
        cached_at TEXT NOT NULL
      );

      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        last_seq INTEGER NOT NULL DEFAULT 0,
        head_seq INTEGER NOT NULL DEFAULT 0,
        snapshot_done INTEGER NOT NULL DEFAULT 0,
        last_synced_at TEXT
      );
      INSERT INTO sync_state (id) VALUES (1);
    `);
  },
};

const v2SeenAndChat: Migration = {
  version: 2,
  name: 'users-orders-seen-and-chat',
  up(db) {
    db.exec(`
      CREATE TABLE users_seen (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL DEFAULT '',
        nickname TEXT NOT NULL DEFAULT '',
        seen_at TEXT NOT NULL
      );
      CREATE TABLE orders_seen (
        id INTEGER PRIMARY KEY,
        order_number TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT '',
        amount_fen INTEGER,
        seen_at TEXT NOT NULL
      );
      CREATE TABLE chat_messages (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        message_json TEXT NOT NULL
      );
      CREATE INDEX chat_messages_case_idx ON chat_messages (case_id, id);
    `);
    // Cases already cached name users and orders too.
    const seenAt = new Date().toISOString();
    const addUser = db.prepare(
      `INSERT INTO users_seen (id, username, nickname, seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET
         username = coalesce(nullif(excluded.username, ''), users_seen.username),
         nickname = coalesce(nullif(excluded.nickname, ''), users_seen.nickname)`,
    );
    const addOrder = db.prepare(
      `INSERT INTO orders_seen (id, order_number, status, amount_fen, seen_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    );
    forEachCachedCase(db, (c) => {
      for (const u of usersFromCase(c)) addUser.run(u.id, u.username, u.nickname, seenAt);
      const o = orderFromCase(c);
      if (o) addOrder.run(o.id, o.orderNumber, o.status, o.amountFen, seenAt);
    });
  },
};

const v3Search: Migration = {
  version: 3,
  name: 'trigram-search',
  up(db) {
    // External-content FTS5 tables over a `search_text` column, kept in step by triggers whatever code
    // path writes the rows (upserts, removals, cascades, this backfill). Trigram indexes substrings of 3+
    // characters, which is what Chinese search needs (no word segmentation).
    db.exec(`
      ALTER TABLE cases ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
      ALTER TABLE users_seen ADD COLUMN search_text TEXT
        GENERATED ALWAYS AS (username || ' ' || nickname) VIRTUAL;
      ALTER TABLE orders_seen ADD COLUMN search_text TEXT GENERATED ALWAYS AS (order_number) VIRTUAL;
    `);
    const setText = db.prepare('UPDATE cases SET search_text = ? WHERE id = ?');
    forEachCachedCase(db, (c) => setText.run(caseSearchText(c), c.id));

    for (const table of SEARCH_TABLES) {
      const fts = `${table}_fts`;
      db.exec(`
        CREATE VIRTUAL TABLE ${fts} USING fts5 (
          search_text, content = '${table}', content_rowid = 'id', tokenize = 'trigram'
        );
      `);
      createSearchTriggers(db, table);
      db.exec(`INSERT INTO ${fts} (${fts}) VALUES ('rebuild')`);
    }
  },
};

const v4Outbox: Migration = {
  version: 4,
  name: 'outbox',
  up(db) {
    // AUTOINCREMENT: an id is never reused, so a late answer for a removed item cannot hit a newer one.
    db.exec(`
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        method TEXT NOT NULL,
        args_json TEXT NOT NULL,
        case_id INTEGER,
        label_zh TEXT NOT NULL,
        label_en TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        problem_json TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX outbox_state_idx ON outbox (state, id);
    `);
  },
};

const v5QueueSortIndexes: Migration = {
  version: 5,
  name: 'queue-sort-indexes-with-status-and-kind',
  up(db) {
    // The sort indexes also carry status and kind (every queue filters on both), so a read that walks
    // one (queue.ts, `walkSql`) filters from the index and reads the table only for the rows it returns:
    // a window deep in a 100k queue costs ~12 ms instead of ~50 ms. Same names, same leading key and id
    // tie-break, so the order they give is unchanged.
    db.exec(`
      DROP INDEX cases_sla_idx;
      DROP INDEX cases_priority_idx;
      DROP INDEX cases_created_idx;
      DROP INDEX cases_amount_idx;
      CREATE INDEX cases_sla_idx ON cases (coalesce(sla_due_at, 253402300799999), id, status, kind);
      CREATE INDEX cases_priority_idx ON cases (priority, id, status, kind);
      CREATE INDEX cases_created_idx ON cases (created_at, id, status, kind);
      CREATE INDEX cases_amount_idx ON cases (coalesce(amount_fen, -1), id, status, kind);
    `);
  },
};

const v6RemovedCases: Migration = {
  version: 6,
  name: 'removed-cases',
  up(db) {
    // The cases the stream or the sync route removed (with the removal's seq). A case read before its
    // removal — an action's answer, a case screen — may arrive after it: it must not bring the case
    // back. Only a later upsert in the stream can, which forgets the removal (cases.ts).
    db.exec('CREATE TABLE removed_cases (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL)');
  },
};

const v7UserPhones: Migration = {
  version: 7,
  name: 'users-seen-phone',
  up(db) {
    // The phone number as staff see it (`138****8000`, from the sync route's directory) joins the text a
    // user is found by. `search_text` is a generated column: dropped and added again with the phone, its
    // triggers with it; the index is rebuilt once, and the triggers come back unless a snapshot had them
    // suspended (its last page rebuilds and restores them).
    const live = searchIndexLive(db);
    db.exec(`
      DROP TRIGGER IF EXISTS users_seen_fts_insert;
      DROP TRIGGER IF EXISTS users_seen_fts_delete;
      DROP TRIGGER IF EXISTS users_seen_fts_update;
      ALTER TABLE users_seen DROP COLUMN search_text;
      ALTER TABLE users_seen ADD COLUMN phone_masked TEXT;
      ALTER TABLE users_seen ADD COLUMN search_text TEXT
        GENERATED ALWAYS AS (username || ' ' || nickname || ' ' || coalesce(phone_masked, '')) VIRTUAL;
      INSERT INTO users_seen_fts (users_seen_fts) VALUES ('rebuild');
    `);
    if (live) createSearchTriggers(db, 'users_seen');
  },
};

const v8DirectoryResync: Migration = {
  version: 8,
  name: 'resync-for-the-directory',
  up(db) {
    // The users and orders cached so far came from case summaries alone (no username, no phone, no order
    // status), and the sync route only describes them with the cases it pages: page the snapshot again
    // from the start, over the rows already here (upserts of the same version change nothing, the queue
    // stays readable meanwhile), so every user and order the cached cases name gets described.
    db.exec(`UPDATE sync_state SET last_seq = 0, snapshot_done = 0 WHERE id = 1 AND last_seq > 0`);
  },
};

/** Every migration, in order. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  v1CasesAndSync,
  v2SeenAndChat,
  v3Search,
  v4Outbox,
  v5QueueSortIndexes,
  v6RemovedCases,
  v7UserPhones,
  v8DirectoryResync,
];

/** The schema version this console writes. */
export const LATEST_VERSION = MIGRATIONS.at(-1)!.version;

export function schemaVersion(db: SqliteDb): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the file up to `to` (default: the latest), one transaction per migration. Refuses a file from a
 * newer console with `CacheSchemaTooNewError`. Returns the versions before and after.
 */
export function migrate(
  db: SqliteDb,
  opts: { to?: number; migrations?: readonly Migration[] } = {},
): { from: number; to: number } {
  const migrations = opts.migrations ?? MIGRATIONS;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${i + 1}`);
  });
  const known = migrations.at(-1)?.version ?? 0;
  const target = opts.to ?? known;
  const from = schemaVersion(db);
  if (from > known) throw new CacheSchemaTooNewError(from, known);
  for (const m of migrations) {
    if (m.version <= from || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return { from, to: schemaVersion(db) };
}
