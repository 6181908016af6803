import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wipeCaseCache } from './cache';
import { cacheFileName, openDatabase, type SqliteDb } from './db';
import {
  CacheSchemaTooNewError,
  LATEST_VERSION,
  MIGRATIONS,
  type Migration,
  migrate,
  schemaVersion,
} from './migrations';
import { resumeSearchIndex, searchIndexLive, suspendSearchIndex } from './search-index';
import { ACCOUNT, type makeCase, makeDispute, useTempDir } from './testing';

const tmp = useTempDir();

/** A raw cache file brought to exactly `version`, as an older console would have left it. */
function fileAt(version: number): SqliteDb {
  const db = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
  migrate(db, { to: version });
  expect(schemaVersion(db)).toBe(version);
  return db;
}

const tables = (db: SqliteDb) =>
  (
    db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[]
  ).map((r) => r.name);
const columns = (db: SqliteDb, table: string) =>
  (db.prepare(`SELECT name FROM pragma_table_xinfo(?)`).all(table) as { name: string }[]).map((r) => r.name);

/** A case row written with the v1 columns only (what a v1 console stored). */
function insertV1Case(db: SqliteDb, c: ReturnType<typeof makeCase>) {
  db.prepare(
    `INSERT INTO cases (id, kind, status, priority, assignee_id, sla_due_at, sla_breached, amount_fen, user_id,
       order_id, created_at, updated_at, version, summary_json)
     VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    c.id,
    c.kind,
    c.status,
    c.priority,
    c.assigneeId,
    c.slaDueAt ? Date.parse(c.slaDueAt) : null,
    c.amountFen,
    c.userId,
    c.orderId,
    Date.parse(c.createdAt),
    Date.parse(c.updatedAt),
    c.version,
    JSON.stringify(c),
  );
}

describe('cache migrations', () => {
  it('numbers the migrations 1, 2, 3 … with the last one the version a new file gets', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    const cache = tmp.open();
    cache.close();
    const db = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });

  it('1 cases-and-sync: creates the cases table with its sort indexes, details and a zeroed sync row', () => {
    const db = fileAt(0);
    migrate(db, { to: 1 });
    expect(tables(db)).toEqual(expect.arrayContaining(['cases', 'case_details', 'sync_state']));
    expect(columns(db, 'cases')).toEqual(
      expect.arrayContaining(['id', 'kind', 'status', 'priority', 'assignee_id', 'sla_due_at', 'amount_fen']),
    );
    const indexes = (
      db.prepare(`SELECT name FROM pragma_index_list('cases')`).all() as { name: string }[]
    ).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'cases_sla_idx',
        'cases_priority_idx',
        'cases_created_idx',
        'cases_amount_idx',
      ]),
    );
    expect(db.prepare('SELECT last_seq, head_seq, snapshot_done FROM sync_state').all()).toEqual([
      { last_seq: 0, head_seq: 0, snapshot_done: 0 },
    ]);
    db.close();
  });

  it('2 users-orders-seen-and-chat: backfills the users and the order that cached cases name', () => {
    const db = fileAt(1);
    insertV1Case(db, makeDispute(1));
    migrate(db, { to: 2 });
    expect(db.prepare('SELECT id, username, nickname FROM users_seen ORDER BY id').all()).toEqual([
      { id: 301, username: '', nickname: '王小明' },
      { id: 302, username: '', nickname: '李设计师' },
    ]);
    expect(db.prepare('SELECT id, order_number, amount_fen FROM orders_seen').all()).toEqual([
      { id: 9001, order_number: 'JX20261101001', amount_fen: 880_00 },
    ]);
    // Chat messages belong to their case: removing the case removes them.
    db.prepare('INSERT INTO chat_messages (id, case_id, message_json) VALUES (1, 1, ?)').run('{}');
    db.prepare('DELETE FROM cases WHERE id = 1').run();
    expect(db.prepare('SELECT count(*) AS n FROM chat_messages').get()).toEqual({ n: 0 });
    db.close();
  });

  it('3 trigram-search: indexes cases and names already cached, and keeps the index in step afterwards', () => {
    const db = fileAt(2);
    insertV1Case(db, makeDispute(1));
    db.prepare(
      `INSERT INTO users_seen (id, username, nickname, seen_at) VALUES (301, 'wxm', '王小明同学', ?)`,
    ).run(new Date().toISOString());
    migrate(db, { to: 3 });
    const match = (table: string, q: string) =>
      (
        db.prepare(`SELECT rowid AS id FROM ${table}_fts WHERE ${table}_fts MATCH ?`).all(q) as {
          id: number;
        }[]
      ).map((r) => r.id);
    expect(match('cases', '"品牌设计"')).toEqual([1]);
    expect(match('cases', '"李设计师"')).toEqual([1]);
    expect(match('users_seen', '"小明同"')).toEqual([301]);
    // Triggers: later writes reach the index.
    db.prepare(`UPDATE cases SET search_text = '新的标题文字' WHERE id = 1`).run();
    expect(match('cases', '"品牌设计"')).toEqual([]);
    expect(match('cases', '"标题文"')).toEqual([1]);
    db.prepare('DELETE FROM cases WHERE id = 1').run();
    expect(match('cases', '"标题文"')).toEqual([]);
    db.exec(`INSERT INTO cases_fts (cases_fts) VALUES ('integrity-check')`);
    db.close();
  });

  it('4 outbox: adds the outbox with a unique idempotency key, leaving cached cases alone', () => {
    const db = fileAt(3);
    db.prepare('UPDATE sync_state SET last_seq = 42').run();
    migrate(db, { to: 4 });
    expect(columns(db, 'outbox')).toEqual(
      expect.arrayContaining([
        'id',
        'method',
        'args_json',
        'idempotency_key',
        'state',
        'attempts',
        'problem_json',
      ]),
    );
    const add = db.prepare(
      `INSERT INTO outbox (method, args_json, label_zh, label_en, idempotency_key, created_at)
       VALUES ('cases.claim', '{}', '认领', 'Claim', 'key-1', '2026-11-01T00:00:00.000Z')`,
    );
    add.run();
    expect(() => add.run()).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT last_seq FROM sync_state').get()).toEqual({ last_seq: 42 });
    db.close();
  });

  it('5 queue-sort-indexes: the sort indexes carry status and kind, same order, cases kept', () => {
    const db = fileAt(4);
    insertV1Case(db, makeDispute(5));
    migrate(db, { to: 5 });
    const columnsOf = (index: string) =>
      (
        db.prepare(`SELECT name FROM pragma_index_xinfo(?) WHERE key`).all(index) as { name: string | null }[]
      ).map((r) => r.name);
    // An expression column has no name (null).
    expect(columnsOf('cases_sla_idx')).toEqual([null, 'id', 'status', 'kind']);
    expect(columnsOf('cases_priority_idx')).toEqual(['priority', 'id', 'status', 'kind']);
    expect(columnsOf('cases_created_idx')).toEqual(['created_at', 'id', 'status', 'kind']);
    expect(columnsOf('cases_amount_idx')).toEqual([null, 'id', 'status', 'kind']);
    expect(db.prepare('SELECT id FROM cases').all()).toEqual([{ id: 5 }]);
    db.close();
  });

  it('6 removed-cases: adds the table of removals, leaving cached cases alone', () => {
    const db = fileAt(5);
    insertV1Case(db, makeDispute(5));
    migrate(db, { to: 6 });
    expect(columns(db, 'removed_cases')).toEqual(['id', 'seq']);
    expect(db.prepare('SELECT count(*) AS n FROM removed_cases').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT id FROM cases').all()).toEqual([{ id: 5 }]);
    db.close();
  });

  it('7 users-seen-phone: a user is found by the masked phone too, the names cached before still found', () => {
    const db = fileAt(6);
    db.prepare(
      `INSERT INTO users_seen (id, username, nickname, seen_at) VALUES (301, 'client001', '青柠', ?)`,
    ).run(new Date().toISOString());
    migrate(db, { to: 7 });
    expect(columns(db, 'users_seen')).toEqual(expect.arrayContaining(['phone_masked', 'search_text']));
    const match = (q: string) =>
      (
        db.prepare(`SELECT rowid AS id FROM users_seen_fts WHERE users_seen_fts MATCH ?`).all(q) as {
          id: number;
        }[]
      ).map((r) => r.id);
    expect(match('"client001"')).toEqual([301]);
    // The triggers came back with the new column: a phone written later is indexed.
    db.prepare(`UPDATE users_seen SET phone_masked = '138****5678' WHERE id = 301`).run();
    expect(match('"5678"')).toEqual([301]);
    expect(match('"client001"')).toEqual([301]);
    db.exec(`INSERT INTO users_seen_fts (users_seen_fts) VALUES ('integrity-check')`);
    db.close();
  });

  it('7 users-seen-phone: mid-snapshot the index upkeep stays suspended for the last page to restore', () => {
    const db = fileAt(6);
    suspendSearchIndex(db);
    migrate(db, { to: 7 });
    expect(searchIndexLive(db)).toBe(false);
    resumeSearchIndex(db);
    expect(searchIndexLive(db)).toBe(true);
    db.close();
  });

  it('8 resync-for-the-directory: an older file pages the snapshot again, keeping its cases meanwhile', () => {
    const db = fileAt(7);
    insertV1Case(db, makeDispute(5));
    db.prepare('UPDATE sync_state SET last_seq = 42, head_seq = 42, snapshot_done = 1').run();
    migrate(db, { to: 8 });
    expect(db.prepare('SELECT last_seq, snapshot_done FROM sync_state').get()).toEqual({
      last_seq: 0,
      snapshot_done: 0,
    });
    expect(db.prepare('SELECT id FROM cases').all()).toEqual([{ id: 5 }]);
    db.close();
  });

  it('8 resync-for-the-directory: the paged snapshot describes the users the cached cases name', () => {
    const db = fileAt(7);
    insertV1Case(db, makeDispute(5));
    db.prepare('UPDATE sync_state SET last_seq = 42, head_seq = 42, snapshot_done = 1').run();
    db.close();
    const cache = tmp.open();
    expect(cache.syncState()).toMatchObject({ lastSeq: 0, snapshotDone: false });
    expect(cache.listCases({}).total).toBe(1);
    // What the sync loop does next: the snapshot again, with the directory of its page.
    cache.applyChanges([{ op: 'upsert', seq: 42, case: makeDispute(5) }], 42, {
      hasMore: false,
      headSeq: 42,
    });
    cache.putDirectory({
      users: [{ id: 301, username: 'client001', nickname: '王小明', phoneMasked: '138****5678' }],
      orders: [],
    });
    expect(cache.search('client001').users.map((u) => u.id)).toEqual([301]);
    expect(cache.search('企业品牌').cases.map((c) => c.id)).toEqual([5]);
    expect(cache.syncState()).toMatchObject({ lastSeq: 42, snapshotDone: true });
    cache.close();
  });

  it('opening an older file upgrades it to the latest version and keeps its cases', () => {
    const db = fileAt(1);
    insertV1Case(db, makeDispute(5));
    db.close();
    const cache = tmp.open();
    expect(cache.getCase(5)?.title).toContain('品牌设计');
    expect(cache.search('企业品牌').cases.map((c) => c.id)).toEqual([5]);
    cache.close();
    const reopened = openDatabase(tmp.dir, cacheFileName(ACCOUNT));
    expect(schemaVersion(reopened)).toBe(LATEST_VERSION);
    reopened.close();
  });

  it('refuses a file from a newer console with a clear error, and the file can then be wiped', () => {
    const db = fileAt(LATEST_VERSION);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const path = join(tmp.dir, cacheFileName(ACCOUNT));
    const before = readFileSync(path);
    let error: unknown;
    try {
      tmp.open();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheSchemaTooNewError);
    expect((error as Error).message).toMatch(`schema version ${LATEST_VERSION + 1}, newer than this console`);
    expect(readFileSync(path).equals(before)).toBe(true);

    wipeCaseCache({ dir: tmp.dir, account: ACCOUNT });
    expect(existsSync(path)).toBe(false);
    const fresh = tmp.open();
    expect(fresh.syncState().lastSeq).toBe(0);
  });

  it('rolls back a migration that fails halfway: the version and the schema stay as they were', () => {
    const db = fileAt(0);
    const broken: Migration[] = [
      MIGRATIONS[0]!,
      {
        version: 2,
        name: 'broken',
        up(d) {
          d.exec('CREATE TABLE half_done (id INTEGER)');
          throw new Error('disk on fire');
        },
      },
    ];
    expect(() => migrate(db, { migrations: broken })).toThrow('disk on fire');
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half_done');
    db.close();
  });
});
