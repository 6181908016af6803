import type { SearchQuery, ServiceCard } from '@jiangxin/shared/api/catalog';
import { type Expression, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { ReadDb } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { toServiceCard } from '../catalog/presenters';
import { categoryWithDescendants } from '../catalog/queries';

/** Escapes LIKE metacharacters so a user's `%`, `_` or `\` match themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const rating = z.number().min(0).max(5);
const price = z.number().int().min(0);
// published_at travels as UTC ISO text with microseconds: a JS Date would drop the microseconds and
// make the next page skip or repeat listings published within the same millisecond.
const timestampText = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);

const CURSORS = {
  relevance_q: z.tuple([z.boolean(), rating, cursorId]),
  relevance: z.tuple([rating, cursorId]),
  rating: z.tuple([rating, cursorId]),
  price_asc: z.tuple([price, cursorId]),
  price_desc: z.tuple([price, cursorId]),
  newest: z.tuple([timestampText, cursorId]),
} as const;

/**
 * How a text search finds its page (see `fetch` in `searchServices`). A probe walks the head of the sort
 * order and stops at the page's last match, so a common word costs a short walk whatever the bound; the
 * bound is what a word that matches nothing costs. A collection reads every match through the text
 * indexes (within a category, the category's matches only) and sorts them: cheap for a rare word, the
 * slow path for a common one.
 */
const PROBE_SHORT = 500;
/** A word with fewer matches than this is collected and sorted rather than looked for band by band. */
const COLLECT_CAP = 2_000;
/** The widening bands of the order a common word's matches are collected in (listings). */
const BANDS = [4_000, 16_000, 64_000, 256_000] as const;

type Page = { items: ServiceCard[]; nextCursor: string | null };

/** A sort order: its key column, then the id, both in `dir`. */
type SortKey = { column: 'starting_price_fen' | 'rating' | 'published_at'; dir: 'asc' | 'desc' };

/**
 * Search over published listings with keyset pagination. Every sort ends with the id, so the order is
 * total: following `nextCursor` visits every matching listing exactly once, even across ties, and a deep
 * page costs what the first one does. Sorts walk the partial indexes on published listings (price,
 * rating, newest; within a category, that category's). Text matching is a substring match, not
 * `similarity()` (which misses short Chinese words): the trigram GIN index narrows queries of three or
 * more characters, the per-character GIN index (migration …-catalog-search-chars) those of one or two,
 * and LIKE decides. Both GIN indexes also key the category and the three sort keys (migration
 * …-search-by-category), so a word within a category or a band of the order is found inside the index.
 */
export async function searchServices(db: ReadDb, q: SearchQuery): Promise<Page> {
  const text = q.q?.trim() ? q.q.trim() : undefined;
  const sortKind = q.sort === 'relevance' && text ? 'relevance_q' : q.sort;
  const kind = `search:${sortKind}`;
  // Decode before touching the database, so a bad cursor is a 400 whatever else the query says.
  const after = q.cursor ? decodeCursor(q.cursor, kind, CURSORS[sortKind]) : null;

  const categoryIds = q.categoryId === undefined ? null : await categoryWithDescendants(db, q.categoryId);
  if (categoryIds?.length === 0) return { items: [], nextCursor: null };

  // search_text is lower(title_zh || title || description), so LIKE against lower(q) is a
  // case-insensitive match without case-folding every candidate row the way ILIKE would.
  const pattern = text ? sql<string>`'%' || lower(${escapeLike(text)}) || '%'` : null;
  const titleMatch: Expression<SqlBool> = pattern
    ? sql<SqlBool>`(lower(s.title_zh) LIKE ${pattern} OR lower(s.title) LIKE ${pattern})`
    : sql<SqlBool>`false`;

  // Services alone: the page is chosen before any join, so a misestimated text filter can cost a sort
  // of its candidates but never a join loop over all of them. Freelancers are fetched for the page.
  // The category is not here: a walk takes it one category at a time, a collection through the indexes.
  const base = (indexed = true) => {
    let query = db
      .selectFrom('services as s')
      .select([
        's.id',
        's.title',
        's.title_zh',
        's.search_text',
        's.category_id',
        's.freelancer_id',
        's.starting_price_fen',
        's.min_delivery_days',
        's.rating',
        's.rating_count',
        's.orders_completed',
        's.published_at',
        sql<string>`to_char(s.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
          'published_key',
        ),
      ])
      .where('s.status', '=', 'published');
    // `indexed = false` keeps the caller's price and rating ranges out of the text indexes' scan (`+ 0` is
    // not the indexed column): there a wide range reads every value's entry (~90 ms for ¥100–¥5,000);
    // checking the few matches' values costs nothing.
    const price = indexed ? sql.ref('s.starting_price_fen') : sql`(s.starting_price_fen + 0)`;
    const rating = indexed ? sql.ref('s.rating') : sql`(s.rating + 0)`;
    if (q.minPriceFen !== undefined) query = query.where(price, '>=', q.minPriceFen);
    if (q.maxPriceFen !== undefined) query = query.where(price, '<=', q.maxPriceFen);
    if (q.minRating !== undefined) query = query.where(rating, '>=', q.minRating);
    if (q.maxDeliveryDays !== undefined) query = query.where('s.min_delivery_days', '<=', q.maxDeliveryDays);
    return query;
  };
  type Row = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

  const textMatch: Expression<SqlBool> | null = !pattern
    ? null
    : [...(text ?? '')].length < 3
      ? sql<SqlBool>`(s.search_text LIKE ${pattern} AND string_to_array(s.search_text, NULL) @> string_to_array(lower(${text}), NULL))`
      : sql<SqlBool>`s.search_text LIKE ${pattern}`;
  // Both text indexes lead with the category (migration …-search-by-category): with this in the same
  // statement, one index scan intersects the word's listings with the category's.
  const inCategory: Expression<SqlBool> | null = categoryIds
    ? sql<SqlBool>`s.category_id = ANY(${categoryIds}::bigint[])`
    : null;

  /**
   * The first `limit` listings in the order `key` after the cursor (`after`): a walk of that order's index,
   * or with a category one walk per category (its own index, `services_category_*`), merged in order.
   * Walking the global order instead would pass every other category's listings first; sorting the
   * category's listings would read all of them.
   */
  const orderOf = ({ column, dir }: SortKey) =>
    [
      [sql.ref(`s.${column}`), dir],
      [sql.ref('s.id'), dir],
    ] as const;
  const head = (key: SortKey, after: Expression<SqlBool> | null, limit: number) => {
    const order = orderOf(key);
    const walk = (categoryId: number | null) => {
      let query = base();
      if (categoryId !== null) query = query.where('s.category_id', '=', categoryId);
      if (after) query = query.where(after);
      for (const [expr, dir] of order) query = query.orderBy(expr, dir);
      return query.limit(limit);
    };
    if (!categoryIds) return walk(null);
    // Each walk is a parenthesised SELECT with its own ORDER BY and LIMIT; PostgreSQL merges them in order.
    const walks = sql<Row>`(${sql.join(
      categoryIds.map((c) => walk(c)),
      sql` UNION ALL `,
    )})`;
    let merged = db.selectFrom(walks.as('s')).selectAll();
    for (const [expr, dir] of order) merged = merged.orderBy(expr, dir);
    return merged.limit(limit);
  };

  /**
   * The band of the next k listings in the order `key` (after the cursor, in the category): every listing
   * at or beyond the k-th one's value. Whatever matches inside it comes before whatever matches outside,
   * so a page found inside is the page. The k-th value is an index-only walk of k entries; the text
   * indexes key the column, so the band is intersected with the word inside the GIN scan. Fewer than k
   * listings: all of them.
   */
  const band = ({ column, dir }: SortKey, after: Expression<SqlBool> | null, k: number) => {
    const col = sql.ref(`s.${column}`);
    const all =
      column === 'published_at'
        ? sql`${dir === 'asc' ? sql`'infinity'` : sql`'-infinity'`}::timestamptz`
        : dir === 'asc'
          ? sql`${Number.MAX_SAFE_INTEGER}`
          : sql`0`;
    const way = dir === 'asc' ? sql`ASC` : sql`DESC`;
    return sql<SqlBool>`${col} ${dir === 'asc' ? sql`<=` : sql`>=`} COALESCE((
      SELECT ${col} FROM services s
       WHERE s.status = 'published'${inCategory ? sql` AND ${inCategory}` : sql``}${after ? sql` AND ${after}` : sql``}
       ORDER BY ${col} ${way}, s.id ${way} OFFSET ${k} LIMIT 1), ${all})`;
  };

  /**
   * The next `n` listings in the order `key` after the cursor (`after`), among those matching `match`,
   * each step taken only when the one before comes up short:
   *  1. probe the head of the order (PROBE_SHORT listings): a common word fills its page here;
   *  2. collect at most COLLECT_CAP matches through the text indexes: when there are fewer, these are all
   *     of them, sorted, and the answer (a rare word, or no match at all, costs one index scan);
   *  3. a common word that is rare at the head of this order (设计 among the dearest listings): collect
   *     its matches within ever wider bands of the order (`band`, BANDS);
   *  4. collect every match and sort them.
   * The planner cannot estimate how often a substring occurs (it guessed 5,051 rows for `公众号`; 21 were
   * found after 40,407), so the steps find out instead of asking it.
   */
  const fetch = async (
    key: SortKey,
    after: Expression<SqlBool> | null,
    match: Expression<SqlBool> | null,
    n: number,
  ): Promise<Row[]> => {
    if (!match) return head(key, after, n).execute();
    const order = orderOf(key);
    const probe = async (size: number) => {
      let query = db
        .selectFrom(head(key, after, size).as('s'))
        .selectAll()
        .where(match);
      for (const [expr, dir] of order) query = query.orderBy(expr, dir);
      return query.limit(n).execute();
    };
    /** The first `n` matches (within `within`), and whether all matches were seen (fewer than `cap`). */
    const collect = async (cap: number | null, within?: Expression<SqlBool>) => {
      let matching = base(false).where(match);
      if (inCategory) matching = matching.where(inCategory);
      if (after) matching = matching.where(after);
      if (within) matching = matching.where(within);
      // MATERIALIZED keeps the sort and the limit outside the match scan. The cap is a LIMIT on a second
      // CTE, not inside the first: there the planner would pick a plan for the first rows (a sequential
      // scan computing every listing's character array: ~400 ms) instead of the index scan, which stops
      // as early when read through the cap.
      let all = db
        .with(
          (cte) => cte('m').materialized(),
          () => matching,
        )
        .with(
          (cte) => cte('capped').materialized(),
          (w) => (cap === null ? w.selectFrom('m').selectAll() : w.selectFrom('m').selectAll().limit(cap)),
        )
        .selectFrom('capped as s')
        .selectAll()
        .select(sql<number>`(SELECT count(*) FROM capped)::int`.as('matched'));
      for (const [expr, dir] of order) all = all.orderBy(expr, dir);
      const rows = await all.limit(n).execute();
      return {
        rows: rows.map(({ matched: _, ...row }) => row),
        complete: cap === null || (rows[0]?.matched ?? 0) < cap,
      };
    };
    const short = await probe(PROBE_SHORT);
    if (short.length >= n) return short;
    const few = await collect(COLLECT_CAP);
    if (few.complete) return few.rows;
    for (const k of BANDS) {
      const within = await collect(null, band(key, after, k));
      if (within.rows.length >= n) return within.rows;
    }
    return (await collect(null)).rows;
  };

  const want = q.limit + 1;
  let rows: Row[];
  // relevance_q: how many rows of `rows` are title matches (they come first).
  let titled = 0;

  switch (sortKind) {
    case 'relevance_q': {
      // Title matches first, then description-only matches, each by rating then id: two ordered
      // fetches, each able to walk the rating index, rather than one sort on a computed match flag.
      const [stage, r, id] = (after as z.infer<typeof CURSORS.relevance_q> | null) ?? [true, null, null];
      const byRating: SortKey = { column: 'rating', dir: 'desc' };
      const keyset = (titles: boolean) =>
        after && stage === titles ? sql<SqlBool>`(s.rating, s.id) < (${r}, ${id})` : null;
      const both = (extra: Expression<SqlBool>) =>
        textMatch ? sql<SqlBool>`(${textMatch} AND ${extra})` : extra;
      const stageFetch = (titles: boolean, match: Expression<SqlBool>, n: number) =>
        fetch(byRating, keyset(titles), match, n);
      rows = stage ? await stageFetch(true, both(titleMatch), want) : [];
      titled = rows.length;
      if (rows.length < want)
        rows = rows.concat(await stageFetch(false, both(sql`NOT ${titleMatch}`), want - titled));
      break;
    }
    case 'relevance':
    case 'rating': {
      const [r, id] = (after as z.infer<typeof CURSORS.rating> | null) ?? [];
      rows = await fetch(
        { column: 'rating', dir: 'desc' },
        after ? sql<SqlBool>`(s.rating, s.id) < (${r}, ${id})` : null,
        textMatch,
        want,
      );
      break;
    }
    case 'price_asc':
    case 'price_desc': {
      const [p, id] = (after as z.infer<typeof CURSORS.price_asc> | null) ?? [];
      const up = sortKind === 'price_asc';
      rows = await fetch(
        { column: 'starting_price_fen', dir: up ? 'asc' : 'desc' },
        !after
          ? null
          : up
            ? sql<SqlBool>`(s.starting_price_fen, s.id) > (${p}, ${id})`
            : sql<SqlBool>`(s.starting_price_fen, s.id) < (${p}, ${id})`,
        textMatch,
        want,
      );
      break;
    }
    case 'newest': {
      // Published listings always have published_at (setServiceStatus stamps it on first publication).
      const [at, id] = (after as z.infer<typeof CURSORS.newest> | null) ?? [];
      rows = await fetch(
        { column: 'published_at', dir: 'desc' },
        after ? sql<SqlBool>`(s.published_at, s.id) < (${at}::timestamptz, ${id})` : null,
        textMatch,
        want,
      );
      break;
    }
  }

  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  let nextCursor: string | null = null;
  if (rows.length > q.limit && last) {
    const r = Number(last.rating);
    const key: (string | number | boolean)[] =
      sortKind === 'relevance_q'
        ? [q.limit - 1 < titled, r, last.id]
        : sortKind === 'relevance' || sortKind === 'rating'
          ? [r, last.id]
          : sortKind === 'newest'
            ? [last.published_key, last.id]
            : [last.starting_price_fen, last.id];
    nextCursor = encodeCursor(kind, key);
  }
  const freelancerIds = [...new Set(page.map((r) => r.freelancer_id))];
  const freelancers = freelancerIds.length
    ? await db
        .selectFrom('users as u')
        .leftJoin('freelancer_profiles as fp', 'fp.user_id', 'u.id')
        .select(['u.id', 'u.nickname', 'fp.rating', 'fp.rating_count'])
        .where('u.id', 'in', freelancerIds)
        .execute()
    : [];
  const byId = new Map(freelancers.map((f) => [f.id, f]));
  const items = page.map((r) => {
    const f = byId.get(r.freelancer_id);
    return toServiceCard({
      ...r,
      freelancer_nickname: f?.nickname ?? '',
      freelancer_rating: f?.rating ?? null,
      freelancer_rating_count: f?.rating_count ?? null,
    });
  });
  return { items, nextCursor };
}
