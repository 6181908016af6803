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
 * Rows of one searchable table, newest first (highest id: the case opened last, the user or order first
 * seen last). Not by FTS rank: every row contains the substring, so bm25 adds little for a palette, and
 * ranking ~10k matches of a common term cost more than the rest of the query (bench:engine). In id order
 * SQLite walks the primary key from the end, checks each row against the FTS matches (or the LIKE), and
 * stops at the limit — no sort of the matches.
 */
function searchTable<T>(
  db: SqliteDb,
  table: 'cases' | 'users_seen' | 'orders_seen',
  columns: string,
  filter: TextFilter,
  limit: number,
): T[] {
  const { sql, params } = textConditions(table, 't', filter);
  return prepared(
    db,
    `SELECT ${columns} FROM ${table} t WHERE ${sql.join(' AND ')} ORDER BY t.id DESC LIMIT ?`,
  ).all(...params, limit) as T[];
}

/**
 * The command palette's offline search: cases (title and summary text, which carry the names and order
 * numbers), and the marketplace users and orders the cached cases name. Substring semantics throughout;
 * never throws on odd input.
 */
export function search(db: SqliteDb, q: string, limit: number): SearchResult {
  const filter = textFilter(q);
  if (!filter) return { cases: [], users: [], orders: [] };
  const cases = searchTable<{ summary_json: string }>(db, 'cases', 't.summary_json', filter, limit).map(
    (r) => JSON.parse(r.summary_json) as CaseSummary,
  );
  const users = searchTable<{ id: number; username: string; nickname: string }>(
    db,
    'users_seen',
    't.id, t.username, t.nickname',
    filter,
    limit,
  );
  const orders = searchTable<{ id: number; order_number: string; status: string; amount_fen: number | null }>(
    db,
    'orders_seen',
    't.id, t.order_number, t.status, t.amount_fen',
    filter,
    limit,
  ).map((o) => ({ id: o.id, orderNumber: o.order_number, status: o.status, amountFen: o.amount_fen ?? 0 }));
  return { cases, users, orders };
}
