import type { BridgeResult } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { prepared, type SqliteDb } from './db';

export type SearchResult = BridgeResult<'search.query'>;

/** The FTS5 trigram tokenizer indexes 3-character windows: shorter terms cannot use the index. */
const TRIGRAM = 3;

/**
 * A search box string as SQL: whitespace-separated terms that must all occur as substrings. Terms of 3+
 * characters go to FTS5 as quoted phrases (so `"`, `*`, `OR`, `-`, `NEAR(` are plain text, never syntax);
 * shorter ones use LIKE with `%`, `_` and `\` escaped. `null` when the string has no terms.
 */
export interface TextFilter {
  /** An FTS5 query for `<table>_fts MATCH ?`, or null when every term is short. */
  match: string | null;
  /** Patterns for `search_text LIKE ? ESCAPE '\'`, one per short term. */
  likes: string[];
}

export function textFilter(q: string): TextFilter | null {
  // Control characters separate terms: FTS5 would read a NUL as the end of the query string.
  const terms = q
    .replace(/\p{Cc}/gu, ' ')
    .split(/\s+/u)
    .filter(Boolean);
  if (!terms.length) return null;
  const phrases: string[] = [];
  const likes: string[] = [];
  for (const term of terms) {
    if ([...term].length >= TRIGRAM) phrases.push(`"${term.replaceAll('"', '""')}"`);
    else likes.push(`%${term.replace(/[\\%_]/g, '\\$&')}%`);
  }
  return { match: phrases.length ? phrases.join(' AND ') : null, likes };
}

/**
 * SQL conditions (with their parameters) restricting rows of `table` aliased `alias` to those matching
 * the filter; used by search and by the queue's `q`.
 */
export function textConditions(
  table: 'cases' | 'users_seen' | 'orders_seen',
  alias: string,
  filter: TextFilter,
): { sql: string[]; params: unknown[] } {
  const sql: string[] = [];
  const params: unknown[] = [];
  if (filter.match) {
    sql.push(`${alias}.id IN (SELECT rowid FROM ${table}_fts WHERE ${table}_fts MATCH ?)`);
    params.push(filter.match);
  }
  for (const like of filter.likes) {
    sql.push(`${alias}.search_text LIKE ? ESCAPE '\\'`);
    params.push(like);
  }
  return { sql, params };
}

/**
 * Rows of one searchable table, newest first. Not by FTS rank: every row contains the substring, so bm25
 * adds little for a palette, and ranking ~10k matches of a common term cost more than the rest of the
 * query (bench:engine). Without long terms the recency index lets LIKE stop at the limit.
 */
function searchTable<T>(
  db: SqliteDb,
  table: 'cases' | 'users_seen' | 'orders_seen',
  columns: string,
  recency: string,
  filter: TextFilter,
  limit: number,
): T[] {
  const likeSql = filter.likes.map(() => ` AND t.search_text LIKE ? ESCAPE '\\'`).join('');
  if (filter.match) {
    return prepared(
      db,
      `SELECT ${columns} FROM ${table}_fts f JOIN ${table} t ON t.id = f.rowid
       WHERE ${table}_fts MATCH ?${likeSql} ORDER BY ${recency} LIMIT ?`,
    ).all(filter.match, ...filter.likes, limit) as T[];
  }
  return prepared(db, `SELECT ${columns} FROM ${table} t WHERE 1${likeSql} ORDER BY ${recency} LIMIT ?`).all(
    ...filter.likes,
    limit,
  ) as T[];
}

/**
 * The command palette's offline search: cases (title and summary text, which carry the names and order
 * numbers), and the marketplace users and orders the cached cases name. Substring semantics throughout;
 * never throws on odd input.
 */
export function search(db: SqliteDb, q: string, limit: number): SearchResult {
  const filter = textFilter(q);
  if (!filter) return { cases: [], users: [], orders: [] };
  const cases = searchTable<{ summary_json: string }>(
    db,
    'cases',
    't.summary_json',
    't.updated_at DESC, t.id DESC',
    filter,
    limit,
  ).map((r) => JSON.parse(r.summary_json) as CaseSummary);
  const users = searchTable<{ id: number; username: string; nickname: string }>(
    db,
    'users_seen',
    't.id, t.username, t.nickname',
    't.seen_at DESC, t.id DESC',
    filter,
    limit,
  );
  const orders = searchTable<{ id: number; order_number: string; status: string; amount_fen: number | null }>(
    db,
    'orders_seen',
    't.id, t.order_number, t.status, t.amount_fen',
    't.seen_at DESC, t.id DESC',
    filter,
    limit,
  ).map((o) => ({ id: o.id, orderNumber: o.order_number, status: o.status, amountFen: o.amount_fen ?? 0 }));
  return { cases, users, orders };
}
