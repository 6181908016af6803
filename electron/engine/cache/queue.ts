import { type BridgeArgs, type BridgeResult, localCaseQuerySchema } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { prepared, type SqliteDb } from './db';
import { NO_SLA_MS, toMs } from './derive';
import { textConditions, textFilter } from './search';

export type LocalCaseQueryInput = BridgeArgs<'cases.list'>;
export type LocalCaseQuery = ReturnType<typeof localCaseQuerySchema.parse>;
export type CasePage = BridgeResult<'cases.list'>;

/**
 * Each sort's key, written exactly as the matching index in migration 1 so SQLite walks the index instead
 * of sorting. Same order as the core's queue: cases without an SLA count as due at the end of time (last on
 * `sla`, first on `-sla`), cases without an amount as -1, and `priority` means highest first.
 */
const SORTS: Record<LocalCaseQuery['sort'], { key: string; desc: boolean }> = {
  sla: { key: `coalesce(c.sla_due_at, ${NO_SLA_MS})`, desc: false },
  '-sla': { key: `coalesce(c.sla_due_at, ${NO_SLA_MS})`, desc: true },
  priority: { key: 'c.priority', desc: true },
  '-priority': { key: 'c.priority', desc: false },
  created: { key: 'c.created_at', desc: false },
  '-created': { key: 'c.created_at', desc: true },
  amount: { key: 'coalesce(c.amount_fen, -1)', desc: false },
  '-amount': { key: 'coalesce(c.amount_fen, -1)', desc: true },
};

/** The SQL of one queue query: the page (`params` then limit, offset) and the total count (`params`). */
export interface CaseQuerySql {
  pageSql: string;
  countSql: string;
  params: unknown[];
  limit: number;
  offset: number;
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
  return {
    pageSql: `SELECT c.summary_json FROM cases c ${whereSql} ORDER BY ${sort.key} ${dir}, c.id ${dir} LIMIT ? OFFSET ?`,
    countSql: `SELECT count(*) AS total FROM cases c ${whereSql}`,
    params,
    limit: q.limit,
    offset: q.offset,
  };
}

/**
 * The queue from the offline cache (`cases.list`): the filters of `localCaseQuerySchema`, one of the
 * queue sorts with the case id as tie-break (same direction, so pages are stable), and the total matching
 * count for the virtualized table. `me` is the signed-in staff member.
 */
export function listCases(db: SqliteDb, input: LocalCaseQueryInput, me: number): CasePage {
  const { pageSql, countSql, params, limit, offset } = caseQuerySql(input, me);
  const rows = prepared(db, pageSql).all(...params, limit, offset) as { summary_json: string }[];
  const { total } = prepared(db, countSql).get(...params) as { total: number };
  return { items: rows.map((r) => JSON.parse(r.summary_json) as CaseSummary), total };
}
