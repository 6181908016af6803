import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Search within a category or a band of the sort order without visiting the other listings (issue 15).
 *
 * - The two text indexes also key the category and the three sort keys (starting price, rating,
 *   publication time; `btree_gin`), so "设计 in 视频剪辑" or "设计 among the 4,000 dearest / best rated /
 *   newest listings" is one GIN scan that intersects the word's listings with the category's or the
 *   band's: before, every listing with 设 and 计 was read from the table and filtered (~20,000 rows,
 *   80–140 ms at 100k listings, even when none was in the category). A query without them uses the
 *   indexes as before.
 * - Expression statistics on the per-character array, so the planner knows how common a character is.
 *   A partial index's own statistics are not used for estimates; without these it took every 1–2
 *   character search for a handful of rows and never combined it with the category.
 * - One index per sort order within a category: a category's cheapest, best-rated or newest listings are
 *   a walk of its own index (a top category merges its leaves' walks) instead of a sort of all its
 *   listings or a walk of the global order past other categories.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE EXTENSION IF NOT EXISTS btree_gin`,
    `DROP INDEX services_search_chars`,
    `CREATE INDEX services_search_chars ON services
      USING gin (category_id, string_to_array(search_text, NULL), starting_price_fen, rating, published_at)
      WHERE status = 'published'`,
    `DROP INDEX services_search_trgm`,
    `CREATE INDEX services_search_trgm ON services
      USING gin (category_id, search_text gin_trgm_ops, starting_price_fen, rating, published_at)`,
    `CREATE STATISTICS services_search_chars_stats ON (string_to_array(search_text, NULL)) FROM services`,
    `CREATE INDEX services_category_price ON services (category_id, starting_price_fen, id) WHERE status = 'published'`,
    `CREATE INDEX services_category_rating ON services (category_id, rating, id) WHERE status = 'published'`,
    `CREATE INDEX services_category_newest ON services (category_id, published_at, id) WHERE status = 'published'`,
    // (category_id, published_at DESC) without the id: the index above serves everything it did.
    `DROP INDEX services_published_idx`,
    `ANALYZE services`,
  ]);
}
