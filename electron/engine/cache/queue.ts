import { type BridgeArgs, type BridgeResult, localCaseQuerySchema } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { prepared, type SqliteDb } from './db';
import { NO_SLA_MS, toMs } from './derive';
import { textConditions, textFilter } from './search';

export type LocalCaseQueryInput = BridgeArgs<'cases.list'>;
export type LocalCaseQuery = ReturnType<typeof localCaseQuerySchema.parse>;
export type CasePage = BridgeResult<'cases.list'>;

/**
 * Each sort's key, written exactly as the matching index (migration 1, widened by migration 5) so SQLite
 * walks the index instead of sorting. Same order as the core's queue: cases without an SLA count as due at
 * the end of time (last on `sla`, first on `-sla`), cases without an amount as -1, and `priority` means
 * highest first.
 */
const SORTS: Record<LocalCaseQuery['sort'], { key: string; desc: boolean; index: string }> = {
  sla: { key: `coalesce(c.sla_due_at, ${NO_SLA_MS})`, desc: false, index: 'cases_sla_idx' },
  '-sla': { key: `coalesce(c.sla_due_at, ${NO_SLA_MS})`, desc: true, index: 'cases_sla_idx' },
  priority: { key: 'c.priority', desc: true, index: 'cases_priority_idx' },
  '-priority': { key: 'c.priority', desc: false, index: 'cases_priority_idx' },
  created: { key: 'c.created_at', desc: false, index: 'cases_created_idx' },
  '-created': { key: 'c.created_at', desc: true, index: 'cases_created_idx' },
  amount: { key: 'coalesce(c.amount_fen, -1)', desc: false, index: 'cases_amount_idx' },
  '-amount': { key: 'coalesce(c.amount_fen, -1)', desc: true, index: 'cases_amount_idx' },
};

/**
 * The SQL of one queue query: the page (`params` then limit, offset) in two plans that return the same
 * rows, and the total count (`params`). `pageSql` leaves the plan to SQLite, which filters first (by the
 * status/kind index) and then sorts every matching case — cheap when few cases match, ~0.5 µs per match
 * and more the deeper the offset when many do. `walkSql` names the sort's index (`INDEXED BY`), so SQLite
 * walks the queue in order and stops after offset + limit matches — cheap when most cases match, whatever
 * the offset, since the sort indexes carry status and kind and the rows skipped by the offset are never
 * read. `listCases` picks one per read (`walkIsCheaper`).
 */
export interface CaseQuerySql {
  pageSql: string;
  walkSql: string;
  countSql: string;
  params: unknown[];
  limit: number;
  offset: number;
  /** Every filter is on status or kind, which the sort indexes carry: the walk reads no table row to filter. */
  covered: boolean;
}

/** Builds the queue query; separate from running it so tests can check the plan SQLite picks. */
export function caseQuerySql(input: LocalCaseQueryInput, me: number): CaseQuerySql {
  const q = localCaseQuerySchema.parse(input);
  const where: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[]) => {
    where.push(`${column} IN (${values.map(() => '?').join(', ')})`);
    params.push(...values);
  };
  // An empty list selects nothing (SQLite accepts `IN ()`), as an empty selection reads.
  if (q.kinds) inList('c.kind', q.kinds);
  if (q.statuses) inList('c.status', q.statuses);
  if (q.assignee === 'none') where.push('c.assignee_id IS NULL');
  else if (q.assignee !== undefined) {
    where.push('c.assignee_id = ?');
    params.push(q.assignee === 'me' ? me : q.assignee);
  }
  if (q.priorityAtLeast !== undefined) {
    where.push('c.priority >= ?');
    params.push(q.priorityAtLeast);
  }
  if (q.slaBreached !== undefined) {
    where.push('c.sla_breached = ?');
    params.push(q.slaBreached ? 1 : 0);
  }
  if (q.minAmountFen !== undefined) {
    where.push('c.amount_fen >= ?');
    params.push(q.minAmountFen);
  }
  if (q.maxAmountFen !== undefined) {
    where.push('c.amount_fen <= ?');
    params.push(q.maxAmountFen);
  }
  // From inclusive, to exclusive, as the core's queue filter.
  if (q.createdFrom !== undefined) {
    where.push('c.created_at >= ?');
    params.push(toMs(q.createdFrom));
  }
  if (q.createdTo !== undefined) {
    where.push('c.created_at < ?');
    params.push(toMs(q.createdTo));
  }
  const text = q.q ? textFilter(q.q) : null;
  if (text) {
    const cond = textConditions('cases', 'c', text);
    where.push(...cond.sql);
    params.push(...cond.params);
  }

  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const sort = SORTS[q.sort];
  const dir = sort.desc ? 'DESC' : 'ASC';
  const page = (from: string) =>
    `SELECT c.summary_json FROM ${from} ${whereSql} ORDER BY ${sort.key} ${dir}, c.id ${dir} LIMIT ? OFFSET ?`;
  return {
    pageSql: page('cases c'),
    walkSql: page(`cases c INDEXED BY ${sort.index}`),
    countSql: `SELECT count(*) AS total FROM cases c ${whereSql}`,
    params,
    limit: q.limit,
    offset: q.offset,
    covered: where.length === (q.kinds ? 1 : 0) + (q.statuses ? 1 : 0),
  };
}

/**
 * Rough costs per row of the two plans (µs, measured on a 100k-case file; only their ratios matter): an
 * index entry passed by the walk when status and kind are the only filters, and when a row must be read to
 * filter it; a matching case filtered and sorted; and each row the sort must keep before the offset.
 */
const WALK_COVERED_US = 0.12;
const WALK_UNCOVERED_US = 0.5;
const SORT_PER_MATCH_US = 0.5;
const SORT_PER_KEPT_US = 1.5;

/**
 * Whether walking the sort index beats filtering then sorting, for `matching` of `rows` cases. The walk
 * passes about (offset + limit) × rows / matching index entries; filter-then-sort handles every matching
 * case and keeps offset + limit of them in order. Either plan returns the same rows: this only picks the
 * faster one (a 100k queue: the first window of either plan is ~1 ms vs ~50 ms, the last ~12 vs ~200 ms).
 */
export function walkIsCheaper(
  sql: Pick<CaseQuerySql, 'offset' | 'limit' | 'covered'>,
  matching: number,
  rows: number,
): boolean {
  if (matching === 0) return false;
  const reach = sql.offset + sql.limit;
  const walk = ((reach * rows) / matching) * (sql.covered ? WALK_COVERED_US : WALK_UNCOVERED_US);
  const sort = matching * SORT_PER_MATCH_US + reach * SORT_PER_KEPT_US;
  return walk < sort;
}

/**
 * Counts kept per connection while the data stays the same: keyed by the count's SQL and parameters,
 * valid for one `changeMark`. Scrolling a 100k queue reads a window every few frames; the total only
 * changes when cases do.
 */
interface CountMemo {
  mark: string;
  totals: Map<string, number>;
}
const countMemos = new WeakMap<SqliteDb, CountMemo>();
const COUNT_MEMO_SIZE = 64;

/**
 * What changes whenever any row of the file may have: `total_changes()` counts every row this connection
 * has inserted, updated or deleted (triggers and cascades included, never decreasing), and `data_version`
 * moves when another connection commits. Coarser than "the cases changed" (an outbox write also moves it),
 * which only costs a recount.
 */
function changeMark(db: SqliteDb): string {
  const own = prepared(db, 'SELECT total_changes() AS n').get() as { n: number };
  const others = prepared(db, 'PRAGMA data_version').get() as { data_version: number };
  return `${own.n}:${others.data_version}`;
}

/**
 * `count(*)` of queries, remembered until the file changes: the returned function counts one query, and
 * all its calls share one check of the file (one per read). Inside a transaction, which may roll back,
 * nothing is remembered.
 */
function counter(db: SqliteDb): (sql: string, params: readonly unknown[]) => number {
  const run = (sql: string, params: readonly unknown[]) =>
    (prepared(db, sql).get(...params) as { total: number }).total;
  if (db.inTransaction) return run;
  const mark = changeMark(db);
  let memo = countMemos.get(db);
  if (!memo || memo.mark !== mark) {
    memo = { mark, totals: new Map() };
    countMemos.set(db, memo);
  }
  const { totals } = memo;
  return (sql, params) => {
    const key = `${sql}\u0000${JSON.stringify(params)}`;
    let total = totals.get(key);
    if (total === undefined) {
      total = run(sql, params);
      if (totals.size >= COUNT_MEMO_SIZE) totals.clear();
      totals.set(key, total);
    }
    return total;
  };
}

/**
 * The queue from the offline cache (`cases.list`): the filters of `localCaseQuerySchema`, one of the
 * queue sorts with the case id as tie-break (same direction, so pages are stable), and the total matching
 * count for the virtualized table. `me` is the signed-in staff member. The counts are remembered until
 * the file changes, and the page's plan is chosen from them (`walkIsCheaper`).
 */
export function listCases(db: SqliteDb, input: LocalCaseQueryInput, me: number): CasePage {
  const sql = caseQuerySql(input, me);
  const { params, limit, offset } = sql;
  const countOf = counter(db);
  const total = countOf(sql.countSql, params);
  if (offset >= total) return { items: [], total };
  const walk = walkIsCheaper(sql, total, countOf('SELECT count(*) AS total FROM cases', []));
  const rows = prepared(db, walk ? sql.walkSql : sql.pageSql).all(...params, limit, offset) as {
    summary_json: string;
  }[];
  return { items: rows.map((r) => JSON.parse(r.summary_json) as CaseSummary), total };
}
