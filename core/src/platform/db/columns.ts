import { type AliasedRawBuilder, sql } from 'kysely';
import type { Database } from './schema';

/**
 * Two tables' rows from one statement: the second table's columns are selected under a prefix
 * (`p.id AS p_id`) and split apart again, so a statement that writes or locks an order and its payment
 * together can hand both back as rows of their own tables.
 */
export const PAYMENT_COLUMNS = [
  'id',
  'order_id',
  'provider',
  'out_trade_no',
  'amount_fen',
  'status',
  'provider_trade_no',
  'failure_reason',
  'pay_url',
  'paid_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Database['payments'])[];

/** `alias.col AS prefixcol, …` as Kysely selections: `.select(…)`, or `sql.join(…)` in a raw select list. */
export function prefixedSelections(
  alias: string,
  columns: readonly string[],
  prefix: string,
): AliasedRawBuilder<unknown, string>[] {
  return columns.map((c) => sql.ref(`${alias}.${c}`).as(`${prefix}${c}`));
}

/** Splits a row into its unprefixed and its prefixed columns (the prefix removed). */
export function splitPrefixed(
  row: Record<string, unknown>,
  prefix: string,
): [Record<string, unknown>, Record<string, unknown>] {
  const rest: Record<string, unknown> = {};
  const prefixed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith(prefix)) prefixed[k.slice(prefix.length)] = v;
    else rest[k] = v;
  }
  return [rest, prefixed];
}
