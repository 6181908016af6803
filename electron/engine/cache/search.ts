import type { BridgeResult } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { maskPhone } from '@jiangxin/shared/ops/support';
import { getCase } from './cases';
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

/** `#123` or `123`: a case number, looked up directly. */
const CASE_ID = /^#?([1-9]\d{0,14})$/u;
/** A phone number typed whole (separators allowed): matched against the masked numbers the cache holds. */
const PHONE = /^\+?[\d\s-]{7,20}$/u;

/**
 * A whole phone number as the cache holds it for staff (`13812345678` → `138****5678`): someone who
 * types a customer's full number finds them by the digits they may see, and the cache never holds more.
 */
function maskedPhoneQuery(q: string): string | null {
  if (!PHONE.test(q)) return null;
  const digits = q.replace(/\D/gu, '');
  return digits.length >= 8 && digits.length <= 15 ? maskPhone(digits) : null;
}

interface UserRow {
  id: number;
  username: string;
  nickname: string;
  phone_masked: string | null;
}
const USER_COLUMNS = 't.id, t.username, t.nickname, t.phone_masked';

/**
 * The command palette's offline search: cases by number (`#123`, `123`) and by title and summary text
 * (which carry the names and order numbers); the marketplace users the cached cases name, by username,
 * nickname or phone (masked as staff see it: `5678` or the whole number both find `138****5678`); their
 * orders by number. Substring semantics throughout; never throws on odd input.
 */
export function search(db: SqliteDb, q: string, limit: number): SearchResult {
  const typed = q.replace(/\p{Cc}/gu, ' ').trim();
  const filter = textFilter(typed);
  if (!filter) return { cases: [], users: [], orders: [] };

  const byId = CASE_ID.exec(typed);
  const exact = byId ? getCase(db, Number(byId[1])) : null;
  const cases = searchTable<{ summary_json: string }>(db, 'cases', 't.summary_json', filter, limit)
    .map((r) => JSON.parse(r.summary_json) as CaseSummary)
    .filter((c) => c.id !== exact?.id);
  if (exact) cases.unshift(exact);

  const masked = maskedPhoneQuery(typed);
  const byPhone = masked
    ? (prepared(
        db,
        `SELECT ${USER_COLUMNS} FROM users_seen t WHERE t.phone_masked = ? ORDER BY t.id DESC LIMIT ?`,
      ).all(masked, limit) as UserRow[])
    : [];
  const byText = searchTable<UserRow>(db, 'users_seen', USER_COLUMNS, filter, limit);
  const users = [...byPhone, ...byText.filter((u) => !byPhone.some((p) => p.id === u.id))]
    .slice(0, limit)
    .map((u) => ({ id: u.id, username: u.username, nickname: u.nickname, phone: u.phone_masked }));

  const orders = searchTable<{ id: number; order_number: string; status: string; amount_fen: number | null }>(
    db,
    'orders_seen',
    't.id, t.order_number, t.status, t.amount_fen',
    filter,
    limit,
  ).map((o) => ({ id: o.id, orderNumber: o.order_number, status: o.status, amountFen: o.amount_fen ?? 0 }));
  return { cases: cases.slice(0, limit), users, orders };
}
