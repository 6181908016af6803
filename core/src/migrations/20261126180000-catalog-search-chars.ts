import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * A per-character GIN index for one- and two-character searches. Trigrams cannot narrow `LIKE '%设计%'`
 * (a two-character pattern has no trigram), so such searches scanned every listing; "contains both
 * 设 and 计" is answered by this index and LIKE rechecks the adjacency. Published listings only: nothing
 * else is ever searched.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX services_search_chars ON services USING gin (string_to_array(search_text, NULL))
      WHERE status = 'published'`,
  ]);
}
