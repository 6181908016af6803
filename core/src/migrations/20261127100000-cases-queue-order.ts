import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Keyset indexes for the ops queue's sorts: each matches the sort expression of `listCases` exactly, so
 * a page is an index range scan that stops after `limit` rows instead of sorting every case.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX cases_sla_order_idx ON cases ((coalesce(sla_due_at, '9999-12-31 00:00:00+00'::timestamptz)), id)`,
    `CREATE INDEX cases_created_order_idx ON cases (created_at, id)`,
    `CREATE INDEX cases_priority_order_idx ON cases (priority, id)`,
    `CREATE INDEX cases_amount_order_idx ON cases ((coalesce(amount_fen, -1)), id)`,
  ]);
}
