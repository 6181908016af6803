/**
 * Where the cache's time goes (a hand-run companion of bench:engine, like bench/ops/profile-list.ts):
 *
 *   node --import tsx bench/engine/profile.ts [write|worker|search] …   (default: write worker)
 *
 * - `write`: 100k synthetic cases written as snapshot pages (`applyChanges`, 1,000 per page) and 20k new
 *   cases as live batches of 100 (`applyStream`, on top of them), with parts of the schema removed one at
 *   a time, and with a larger SQLite page cache — against a plain table with the same rows.
 * - `worker`: the cost of crossing to the cache's worker thread — `applyChanges` of the same pages, and
 *   100k `getCase` (what the engine asked per changed case after each page before commit e3ee9f2) —
 *   in-process and through `openRemoteCache`.
 * - `search`: PROFILE_SEARCH_ROWS (1,000,000) cases, then per query the parts of `search` (cases, users,
 *   orders) and of `listCases` (the page and the count), with the same SQL the cache runs.
 *
 * Temp files are removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseSummary, OpsSyncChange } from '@jiangxin/shared/ops/cases';
import { Rng } from '../../core/src/seed/random';
import { openCaseCache } from '../../electron/engine/cache/cache';
import { openDatabase, prepared, type SqliteDb } from '../../electron/engine/cache/db';
import { caseSearchText, toMs } from '../../electron/engine/cache/derive';
import { caseQuerySql } from '../../electron/engine/cache/queue';
import { textFilter } from '../../electron/engine/cache/search';
import { openRemoteCache } from '../../electron/engine/cache-worker/remote';
import { Samples } from '../core/load';
import { ALL_KINDS, makeSummary } from './data';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'jx-bench-engine-profile-'));
  dirs.push(d);
  return d;
};
const account = { userId: 1, coreUrl: 'http://127.0.0.1:1' };
const ms = (t0: number) => performance.now() - t0;
const row = (label: string, t: number, n: number) =>
  console.log(
    `${label.padEnd(64)} ${(t / 1000).toFixed(2).padStart(7)} s  ${Math.round((n / t) * 1000)
      .toLocaleString('en')
      .padStart(9)} /s`,
  );

function pages(from: number, count: number, size: number): OpsSyncChange[][] {
  const out: OpsSyncChange[][] = [];
  for (let start = from; start < from + count; start += size)
    out.push(
      Array.from({ length: size }, (_, i) => ({
        op: 'upsert' as const,
        seq: start + i,
        case: makeSummary(start + i, { kinds: ALL_KINDS }),
      })),
    );
  return out;
}

/** A variant of the cache: the real schema with some of it dropped before writing. */
function variant(opts: { noFts?: boolean; noIndexes?: boolean; cacheMiB?: number }) {
  const dir = tempDir();
  const cache = openCaseCache({ dir, account });
  const db = (cache as unknown as { db: SqliteDb }).db;
  if (opts.noFts) for (const t of ['insert', 'delete', 'update']) db.exec(`DROP TRIGGER cases_fts_${t}`);
  if (opts.noIndexes)
    for (const i of ['sla', 'priority', 'created', 'amount', 'status_kind', 'assignee'])
      db.exec(`DROP INDEX cases_${i}_idx`);
  if (opts.cacheMiB) db.pragma(`cache_size = -${opts.cacheMiB * 1024}`);
  return { cache, db };
}

function plain(withIndexes: boolean, withFts: boolean) {
  const db = openDatabase(tempDir(), 'plain.sqlite');
  db.exec(`CREATE TABLE cases (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL,
    priority INTEGER NOT NULL, assignee_id INTEGER, sla_due_at INTEGER, sla_breached INTEGER NOT NULL,
    amount_fen INTEGER, user_id INTEGER, order_id INTEGER, created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL, version INTEGER NOT NULL, summary_json TEXT NOT NULL, search_text TEXT NOT NULL)`);
  if (withIndexes)
    db.exec(`CREATE INDEX a ON cases (coalesce(sla_due_at, 253402300799999), id);
      CREATE INDEX b ON cases (priority, id); CREATE INDEX c ON cases (created_at, id);
      CREATE INDEX d ON cases (coalesce(amount_fen, -1), id); CREATE INDEX e ON cases (status, kind);
      CREATE INDEX f ON cases (assignee_id)`);
  if (withFts)
    db.exec(`CREATE VIRTUAL TABLE cases_fts USING fts5 (search_text, content = 'cases', content_rowid = 'id', tokenize = 'trigram');
      CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
        INSERT INTO cases_fts (rowid, search_text) VALUES (new.id, new.search_text); END`);
  const insert = db.prepare('INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const write = db.transaction((cases: CaseSummary[]) => {
    for (const c of cases)
      insert.run(
        c.id,
        c.kind,
        c.status,
        c.priority,
        c.assigneeId,
        toMs(c.slaDueAt),
        c.slaBreached ? 1 : 0,
        c.amountFen,
        c.userId,
        c.orderId,
        toMs(c.createdAt),
        toMs(c.updatedAt),
        c.version,
        JSON.stringify(c),
        caseSearchText(c),
      );
  });
  return { db, write };
}

function profileWrite() {
  const snapshot = pages(1, 100_000, 1000);
  const live = pages(10_000_001, 20_000, 100).map((p) =>
    p.map((c) => ({
      seq: c.seq - 10_000_000 + 100_000,
      type: 'case.upserted',
      payload: (c as { case: CaseSummary }).case,
    })),
  );
  console.log(
    '— snapshot: 100,000 cases as 100 pages of 1,000; then 20,000 new cases as live batches of 100',
  );
  for (const [label, p] of [
    ['plain table, same columns (values derived per row, as the cache does)', plain(false, false)],
    ['plain table + the 6 queue indexes', plain(true, false)],
    ['plain table + FTS5 trigram (trigger)', plain(false, true)],
    ['plain table + indexes + FTS5 trigram', plain(true, true)],
  ] as const) {
    let t0 = performance.now();
    for (const page of snapshot) p.write(page.map((c) => (c as { case: CaseSummary }).case));
    row(`${label}: snapshot`, ms(t0), 100_000);
    t0 = performance.now();
    for (const b of live) p.write(b.map((e) => e.payload));
    row(`${label}: live`, ms(t0), 20_000);
    p.db.close();
  }
  for (const [label, opts] of [
    ['the cache as it is', {}],
    ['the cache, page cache 64 MiB (default 2 MiB)', { cacheMiB: 64 }],
    ['the cache without the FTS triggers', { noFts: true }],
    ['the cache without the 6 queue indexes', { noIndexes: true }],
    ['the cache without FTS triggers nor queue indexes', { noFts: true, noIndexes: true }],
  ] as const) {
    const v = variant(opts);
    let t0 = performance.now();
    for (const [i, page] of snapshot.entries())
      v.cache.applyChanges(page, (i + 1) * 1000, { hasMore: i < 99 });
    row(`${label}: snapshot`, ms(t0), 100_000);
    if (opts.noFts) {
      t0 = performance.now();
      v.db.exec(`INSERT INTO cases_fts (cases_fts) VALUES ('rebuild')`);
      row(`  + FTS 'rebuild' afterwards`, ms(t0), 100_000);
    }
    t0 = performance.now();
    for (const b of live) v.cache.applyStream({ prevSeq: b[0]!.seq - 1, events: b });
    row(`${label}: live`, ms(t0), 20_000);
    v.cache.close();
  }
}

async function profileWorker() {
  console.log('— crossing to the worker thread: 100 pages of 1,000, then 100,000 getCase one at a time');
  const snapshot = pages(1, 100_000, 1000);
  const local = openCaseCache({ dir: tempDir(), account });
  let t0 = performance.now();
  for (const [i, page] of snapshot.entries()) local.applyChanges(page, (i + 1) * 1000, { hasMore: i < 99 });
  row('applyChanges in-process', ms(t0), 100_000);
  t0 = performance.now();
  for (let id = 1; id <= 100_000; id++) local.getCase(id);
  row('getCase in-process', ms(t0), 100_000);
  local.close();
  const remote = await openRemoteCache({ dir: tempDir(), account });
  t0 = performance.now();
  for (const [i, page] of snapshot.entries())
    await remote.applyChanges(page, (i + 1) * 1000, { hasMore: i < 99 });
  row('applyChanges via the worker', ms(t0), 100_000);
  t0 = performance.now();
  for (let id = 1; id <= 100_000; id++) await remote.getCase(id);
  row('getCase via the worker, awaited one by one', ms(t0), 100_000);
  await remote.close();
}

function profileSearch() {
  const rows = Number(process.env['PROFILE_SEARCH_ROWS'] ?? 1_000_000);
  const v = variant({});
  let t0 = performance.now();
  for (let start = 1; start <= rows; start += 5000) {
    const page = pages(start, Math.min(5000, rows - start + 1), Math.min(5000, rows - start + 1))[0]!;
    v.cache.applyChanges(page, start + page.length - 1, { hasMore: start + 5000 <= rows });
  }
  row(`filled ${rows.toLocaleString('en')} rows`, ms(t0), rows);
  const rng = new Rng(7);
  const HAN = /\p{Script=Han}+/gu;
  const draw = (min: number, max: number) => {
    for (;;) {
      const runs = [...caseSearchText(makeSummary(rng.int(1, rows), { kinds: ALL_KINDS })).matchAll(HAN)]
        .map((m) => [...m[0]])
        .filter((r) => r.length >= min);
      if (!runs.length) continue;
      const run = rng.pick(runs);
      const len = rng.int(min, Math.min(max, run.length));
      const at = rng.int(0, run.length - len);
      return run.slice(at, at + len).join('');
    }
  };
  const measure = (label: string, min: number, max: number, indexed: boolean) => {
    const parts = new Map<string, Samples>();
    const time = (k: string, fn: () => unknown) => {
      const t = performance.now();
      fn();
      if (!parts.has(k)) parts.set(k, new Samples());
      parts.get(k)!.add(ms(t));
    };
    for (let i = 0; i < 60; i++) {
      const q = draw(min, max);
      const f = textFilter(q)!;
      const likes = f.likes.map(() => ` AND t.search_text LIKE ? ESCAPE '\\'`).join('');
      const args = [...(f.match ? [f.match] : []), ...f.likes];
      for (const [table, cols, recency] of [
        ['cases', 't.summary_json', 't.updated_at DESC, t.id DESC'],
        ['users_seen', 't.id, t.username, t.nickname', 't.seen_at DESC, t.id DESC'],
        ['orders_seen', 't.id, t.order_number', 't.seen_at DESC, t.id DESC'],
      ] as const) {
        if (indexed && table !== 'cases') continue;
        const sql = f.match
          ? `SELECT ${cols} FROM ${table}_fts f JOIN ${table} t ON t.id = f.rowid WHERE ${table}_fts MATCH ?${likes} ORDER BY f.rank, ${recency} LIMIT 20`
          : `SELECT ${cols} FROM ${table} t WHERE 1${likes} ORDER BY ${recency} LIMIT 20`;
        time(`search: ${table}`, () => prepared(v.db, sql).all(...args));
        if (f.match && table === 'cases' && !indexed)
          time('  alternative: newest first, no bm25 rank', () =>
            prepared(
              v.db,
              `SELECT t.summary_json FROM cases t WHERE t.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?) ORDER BY t.id DESC LIMIT 20`,
            ).all(f.match),
          );
      }
      const qs = caseQuerySql({ q, limit: 200 }, 1);
      if (!indexed)
        time('listCases: page of 200', () =>
          prepared(v.db, qs.pageSql).all(...qs.params, qs.limit, qs.offset),
        );
      time('listCases: count(*) of every match', () => prepared(v.db, qs.countSql).get(...qs.params));
      time('  alternative: count capped at 10,001', () =>
        prepared(
          v.db,
          `SELECT count(*) AS n FROM (${qs.countSql.replace('count(*) AS total', '1')} LIMIT 10001)`,
        ).get(...qs.params),
      );
    }
    console.log(`— ${label}: 60 queries, ms (p50 / p95 / max)`);
    for (const [k, x] of parts) {
      const y = x.summary();
      console.log(
        `  ${k.padEnd(44)} ${y.p50.toFixed(1).padStart(7)} ${y.p95.toFixed(1).padStart(7)} ${y.max.toFixed(1).padStart(7)}`,
      );
    }
  };
  measure('3–5 chars', 3, 5, false);
  measure('1–2 chars', 1, 2, false);
  t0 = performance.now();
  v.db.exec('CREATE INDEX cases_updated_idx ON cases (updated_at, id)');
  row('CREATE INDEX cases (updated_at, id)', ms(t0), rows);
  measure('1–2 chars, with an index on updated_at', 1, 2, true);
  v.cache.close();
}

async function main() {
  const which = process.argv.slice(2);
  const parts = which.length ? which : ['write', 'worker'];
  try {
    if (parts.includes('write')) profileWrite();
    if (parts.includes('worker')) await profileWorker();
    if (parts.includes('search')) profileSearch();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
