import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { seedCatalog } from '../../test/factories/catalog';
import { startTestApp, type TestApp } from '../../test/harness';

/**
 * A text search finds its page in steps (search/queries.ts `fetch`): a short probe of the order's head, a
 * capped collection, then price bands or a deeper probe, then everything. The catalog here is built so each
 * step is the one that answers: 600 listings without the word hold the head of every order (cheapest,
 * best rated, newest), 4,000 listings with the word come after them (more than the first price band), and
 * a rarer word has 30 listings in the middle. Each answer, followed page by page, must be exactly what a plain scan of the table says.
 */
const WORD = '篆刻';
const RARE = '拓印';
const HEAD = 600;
const WITH_WORD = 4_000;
const RARE_COUNT = 30;

let t: TestApp;
let api: ApiClient;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  const cat = await seedCatalog(t);
  const { userId } = await signUp(api, { userType: 'freelancer', nickname: '篆刻工作室' });
  // Written in bulk: 4,600 listings through the API would take minutes.
  await sql`
    INSERT INTO services (freelancer_id, title, title_zh, description, category_id, status, rating,
      rating_count, starting_price_fen, min_delivery_days, submitted_at, published_at)
    SELECT ${userId}, 'Listing ' || i,
      CASE WHEN i <= ${HEAD} THEN '书法题字 ' || i
           WHEN i <= ${HEAD + RARE_COUNT} THEN '${sql.raw(RARE)}与${sql.raw(WORD)} ' || i
           ELSE '${sql.raw(WORD)}定制 ' || i END,
      '手工制作，顺丰包邮，支持定制。',
      CASE WHEN i % 2 = 0 THEN ${cat.logo.id}::bigint ELSE ${cat.web.id}::bigint END,
      'published',
      CASE WHEN i <= ${HEAD} THEN 5.00 ELSE round((3 + (i % 197) / 100.0)::numeric, 2) END,
      3,
      CASE WHEN i <= ${HEAD} THEN 100 * i ELSE 100 * ${HEAD} + 1000 * ((i * 7919) % ${WITH_WORD}) + i END,
      3,
      now(),
      now() - make_interval(secs => i)
    FROM generate_series(1, ${HEAD + WITH_WORD}) AS i`.execute(t.db.write);
  await sql`ANALYZE services`.execute(t.db.write);
});
afterAll(() => t?.close());

/** Every listing containing `word`, in `sort`'s order, the plain way (no index, no steps). */
async function scan(word: string, sort: string): Promise<number[]> {
  const order =
    sort === 'price_asc'
      ? 'starting_price_fen ASC, id ASC'
      : sort === 'price_desc'
        ? 'starting_price_fen DESC, id DESC'
        : sort === 'newest'
          ? 'published_at DESC, id DESC'
          : sort === 'relevance'
            ? `(position(${"'"}${word}${"'"} in lower(title_zh)) > 0 OR position(${"'"}${word}${"'"} in lower(title)) > 0) DESC, rating DESC, id DESC`
            : 'rating DESC, id DESC';
  const { rows } = await sql<{ id: number }>`
    SELECT id FROM services WHERE status = 'published' AND position(${word} in search_text) > 0
    ORDER BY ${sql.raw(order)}`.execute(t.db.write);
  return rows.map((r) => Number(r.id));
}

type SearchPage = { items: { id: number }[]; nextCursor: string | null };

async function pages(word: string, sort: string, limit: number, max: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let n = 0; n < max; n += 1) {
    const params: Record<string, string> = { q: word, sort, limit: String(limit) };
    if (cursor) params['cursor'] = cursor;
    const res: { status: number; body: SearchPage } = await api.get(
      `/services?${new URLSearchParams(params)}`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.items.map((s: { id: number }) => s.id));
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

describe('search steps on a catalog where the word is missing from the head of every order', () => {
  it('has the shape the steps are about', async () => {
    expect((await scan(WORD, 'price_asc')).length).toBe(WITH_WORD);
    expect((await scan(RARE, 'price_asc')).length).toBe(RARE_COUNT);
  });

  // By price: the 500 cheapest have no match, more than 2,000 listings match, so the answer comes from
  // the price bands; by rating and date from the deeper probe; the rare word from the capped collection.
  for (const sort of ['price_asc', 'price_desc', 'rating', 'newest', 'relevance'] as const) {
    it(`a common word by ${sort}: the first pages are the scan's`, async () => {
      const expected = (await scan(WORD, sort)).slice(0, 60);
      expect(await pages(WORD, sort, 20, 3)).toEqual(expected);
    });
    it(`a rare word by ${sort}: every match, in the scan's order`, async () => {
      expect(await pages(RARE, sort, 7, 10)).toEqual(await scan(RARE, sort));
    });
  }

  it('a word nobody wrote finds nothing, by every sort', async () => {
    for (const sort of ['price_asc', 'rating', 'newest'])
      expect(await pages('无此词语', sort, 20, 1), sort).toEqual([]);
  });
});
