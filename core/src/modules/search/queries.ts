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

/** How many listings of the sort order a text search probes before asking the text index. */
const PROBE = 500;

type Page = { items: ServiceCard[]; nextCursor: string | null };

/**
 * Search over published listings with keyset pagination. Every sort ends with the id, so the order is
 * total: following `nextCursor` visits every matching listing exactly once, even across ties, and a deep
 * page costs what the first one does. Sorts walk the partial indexes on published listings (price,
 * rating, newest). Text matching is a substring match, not `similarity()` (which misses short Chinese
 * words): the trigram GIN index narrows queries of three or more characters, the per-character GIN
 * index (migration …-catalog-search-chars) those of one or two, and LIKE decides.
 */
export async function searchServices(db: ReadDb, q: SearchQuery): Promise<Page> {
  const text = q.q?.trim() ? q.q.trim() : undefined;
  const sortKind = q.sort === 'relevance' && text ? 'relevance_q' : q.sort;
  const kind = `search:${sortKind}`;
  // Decode before touching the database, so a bad cursor is a 400 whatever else the query says.
  const after = q.cursor ? decodeCursor(q.cursor, kind, CURSORS[sortKind]) : null;

  const categoryIds = q.categoryId === undefined ? null : await categoryWithDescendants(db, q.categoryId);
  const byPrice = sortKind === 'price_asc' || sortKind === 'price_desc';
  if (categoryIds?.length === 0) return { items: [], nextCursor: null };

  // search_text is lower(title_zh || title || description), so LIKE against lower(q) is a
  // case-insensitive match without case-folding every candidate row the way ILIKE would.
  const pattern = text ? sql<string>`'%' || lower(${escapeLike(text)}) || '%'` : null;
  const titleMatch: Expression<SqlBool> = pattern
    ? sql<SqlBool>`(lower(s.title_zh) LIKE ${pattern} OR lower(s.title) LIKE ${pattern})`
    : sql<SqlBool>`false`;

  // Services alone: the page is chosen before any join, so a misestimated text filter can cost a sort
  // of its candidates but never a join loop over all of them. Freelancers are fetched for the page.
  const base = () => {
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
    if (categoryIds && !byPrice) query = query.where('s.category_id', 'in', categoryIds);
    if (q.minPriceFen !== undefined) query = query.where('s.starting_price_fen', '>=', q.minPriceFen);
    if (q.maxPriceFen !== undefined) query = query.where('s.starting_price_fen', '<=', q.maxPriceFen);
    if (q.minRating !== undefined) query = query.where('s.rating', '>=', q.minRating);
    if (q.maxDeliveryDays !== undefined) query = query.where('s.min_delivery_days', '<=', q.maxDeliveryDays);
    return query;
  };
  type Row = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];

  const textMatch: Expression<SqlBool> | null = !pattern
    ? null
    : [...(text ?? '')].length < 3
      ? sql<SqlBool>`(s.search_text LIKE ${pattern} AND string_to_array(s.search_text, NULL) @> string_to_array(lower(${text}), NULL))`
      : sql<SqlBool>`s.search_text LIKE ${pattern}`;
  // By price, the category is matched like the text (probe, then its own index) rather than walked in
  // price order: categories have price ranges, and a cheap-first walk through an expensive category
  // passes tens of thousands of other listings before it fills a page (~200 ms at 100k listings).
  const categoryMatch: Expression<SqlBool> | null =
    categoryIds && byPrice ? sql<SqlBool>`s.category_id IN (${sql.join(categoryIds)})` : null;
  const filterMatch: Expression<SqlBool> | null =
    textMatch && categoryMatch
      ? sql<SqlBool>`(${textMatch} AND ${categoryMatch})`
      : (textMatch ?? categoryMatch);

  /**
   * The next `n` listings in `order` after the cursor (`after`), among those matching `match`. With a
   * text filter, first probe the head of the sort index (the PROBE best listings by this sort): a common
   * word fills a page there at once, whatever the planner guesses about its frequency. Only when the
   * probe comes up short do the matches get collected through the text indexes and sorted: the word is
   * rare at the head of this order, and left to itself the planner (which cannot estimate a substring's
   * frequency) walks the sort index past tens of thousands of listings (~200 ms at 100k listings for
   * `企业官网` by price). MATERIALIZED keeps the sort and the limit outside the match scan.
   */
  const fetch = async (
    order: readonly (readonly [Expression<unknown>, 'asc' | 'desc'])[],
    after: Expression<SqlBool> | null,
    match: Expression<SqlBool> | null,
    n: number,
  ): Promise<Row[]> => {
    const ordered = () => {
      let query = base();
      if (after) query = query.where(after);
      for (const [expr, dir] of order) query = query.orderBy(expr, dir);
      return query;
    };
    if (!match) return ordered().limit(n).execute();
    let probe = db.selectFrom(ordered().limit(PROBE).as('s')).selectAll().where(match);
    for (const [expr, dir] of order) probe = probe.orderBy(expr, dir);
    const head = await probe.limit(n).execute();
    if (head.length >= n) return head;
    let matching = base();
    if (after) matching = matching.where(after);
    let all = db
      .with(
        (cte) => cte('m').materialized(),
        () => matching.where(match),
      )
      .selectFrom('m as s')
      .selectAll();
    for (const [expr, dir] of order) all = all.orderBy(expr, dir);
    return all.limit(n).execute();
  };

  const want = q.limit + 1;
  const desc = (col: string) => [sql.ref(col), 'desc'] as const;
  const asc = (col: string) => [sql.ref(col), 'asc'] as const;
  let rows: Row[];
  // relevance_q: how many rows of `rows` are title matches (they come first).
  let titled = 0;

  switch (sortKind) {
    case 'relevance_q': {
      // Title matches first, then description-only matches, each by rating then id: two ordered
      // fetches, each able to walk the rating index, rather than one sort on a computed match flag.
      const [stage, r, id] = (after as z.infer<typeof CURSORS.relevance_q> | null) ?? [true, null, null];
      const order = [desc('s.rating'), desc('s.id')];
      const keyset = (titles: boolean) =>
        after && stage === titles ? sql<SqlBool>`(s.rating, s.id) < (${r}, ${id})` : null;
      const both = (extra: Expression<SqlBool>) => sql<SqlBool>`(${filterMatch} AND ${extra})`;
      rows = stage ? await fetch(order, keyset(true), both(titleMatch), want) : [];
      titled = rows.length;
      if (rows.length < want)
        rows = rows.concat(await fetch(order, keyset(false), both(sql`NOT ${titleMatch}`), want - titled));
      break;
    }
    case 'relevance':
    case 'rating': {
      const [r, id] = (after as z.infer<typeof CURSORS.rating> | null) ?? [];
      rows = await fetch(
        [desc('s.rating'), desc('s.id')],
        after ? sql<SqlBool>`(s.rating, s.id) < (${r}, ${id})` : null,
        filterMatch,
        want,
      );
      break;
    }
    case 'price_asc':
    case 'price_desc': {
      const [p, id] = (after as z.infer<typeof CURSORS.price_asc> | null) ?? [];
      const up = sortKind === 'price_asc';
      rows = await fetch(
        up ? [asc('s.starting_price_fen'), asc('s.id')] : [desc('s.starting_price_fen'), desc('s.id')],
        !after
          ? null
          : up
            ? sql<SqlBool>`(s.starting_price_fen, s.id) > (${p}, ${id})`
            : sql<SqlBool>`(s.starting_price_fen, s.id) < (${p}, ${id})`,
        filterMatch,
        want,
      );
      break;
    }
    case 'newest': {
      // Published listings always have published_at (setServiceStatus stamps it on first publication).
      const [at, id] = (after as z.infer<typeof CURSORS.newest> | null) ?? [];
      rows = await fetch(
        [desc('s.published_at'), desc('s.id')],
        after ? sql<SqlBool>`(s.published_at, s.id) < (${at}::timestamptz, ${id})` : null,
        filterMatch,
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
