import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Payout case titles written before the one money formatter said `提现 ¥6000.00 · 昵称`; they now read
 * `提现 ¥6,000.00 · 昵称` like the amount column (shared `formatFen`). Rewrites the amount in the titles
 * of existing payout cases, open and resolved, from the title's own digits; titles under ¥1,000 and titles
 * already grouped are left as they are, so running it again changes nothing. The cases keep their
 * version (no console's claim turns stale); a console's cache shows the new title when the case next
 * changes or the cache is rebuilt from a snapshot.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `UPDATE cases
        SET title = '提现 ¥'
          || to_char(substring(title from '^提现 ¥([0-9]+)\\.[0-9]{2}')::numeric, 'FM999,999,999,999,990')
          || substring(title from '^提现 ¥[0-9]+(\\.[0-9]{2}.*)$')
      WHERE kind = 'payout' AND title ~ '^提现 ¥[0-9]{4,}\\.[0-9]{2}'`,
  ]);
}
