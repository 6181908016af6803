/**
 * The search mix: `GET /api/v1/services` as the public catalog page calls it. Classes are taken in
 * rotation so each gets the same share; within a class the PRNG picks the words, filters and sorts.
 */

import type { Query as ApiQuery } from '@jiangxin/client';
import { SEARCH_SORTS } from '@jiangxin/shared/api/catalog';
import pg from 'pg';
import { Rng } from '../../core/src/seed/random';
import { call } from './api';
import type { Catalog } from './data';
import { type HttpClient, type LatencySummary, Samples } from './load';
import type { Sql } from './sql';

const ZH1 = ['网', '设', '译', '视', '码', '店', '图', '书', '版', '音'];
const ZH2 = ['设计', '官网', '翻译', '剪辑', '海报', '文案', '开发', '配音', '抖音', '运营', '加急', '包装'];
const ZH34 = ['小程序', '详情页', '宣传片', '企业官网', '包装设计', '短视频', '数据可视化', '公众号'];
const EN = [
  'website',
  'logo',
  'translation',
  'video',
  'shopify',
  'react',
  'python',
  'design',
  'seo',
  'flutter',
];
const MISS = ['量子计算', '区块链', 'blockchain', '无人机航拍'];

/** The document's search parameters (its numbers travel as decimal strings; the classes make numbers). */
type DocQuery = ApiQuery<'/api/v1/services', 'get'>;
type Query = { [K in keyof DocQuery]?: DocQuery[K] | number };
const asDocQuery = (q: Query): DocQuery =>
  Object.fromEntries(Object.entries(q).map(([k, v]) => [k, String(v)])) as DocQuery;

interface QueryClass {
  name: string;
  /** Whether a result page is expected to be non-empty (for the hit-rate check). */
  expectHits: boolean;
  make(rng: Rng, catalog: Catalog): Query;
  /** Fetch page 1 untimed and time page 2 through its cursor. */
  secondPage?: boolean;
}

const anySort = (rng: Rng) => rng.pick(SEARCH_SORTS);

export const SEARCH_CLASSES: QueryClass[] = [
  { name: 'zh 1 char', expectHits: true, make: (r) => ({ q: r.pick(ZH1), sort: anySort(r) }) },
  { name: 'zh 2 chars', expectHits: true, make: (r) => ({ q: r.pick(ZH2), sort: anySort(r) }) },
  { name: 'zh 3-5 chars', expectHits: true, make: (r) => ({ q: r.pick(ZH34), sort: anySort(r) }) },
  { name: 'en word', expectHits: true, make: (r) => ({ q: r.pick(EN), sort: anySort(r) }) },
  { name: 'no match', expectHits: false, make: (r) => ({ q: r.pick(MISS), sort: anySort(r) }) },
  {
    name: 'category',
    expectHits: true,
    make: (r, c) => ({
      categoryId: r.chance(0.5) ? r.pick(c.topIds) : r.pick(c.leafIds),
      sort: anySort(r),
    }),
  },
  {
    name: 'price range',
    expectHits: true,
    make: (r) => {
      const min = r.pick([5_000, 10_000, 30_000, 100_000]);
      return { minPriceFen: min, maxPriceFen: min * r.pick([2, 3, 5]), sort: anySort(r) };
    },
  },
  {
    name: 'zh 2 + category + price',
    expectHits: false,
    make: (r, c) => ({
      q: r.pick(ZH2),
      categoryId: r.pick(c.topIds),
      minPriceFen: 10_000,
      maxPriceFen: 500_000,
      sort: anySort(r),
    }),
  },
  ...SEARCH_SORTS.map(
    (sort): QueryClass => ({ name: `browse sort=${sort}`, expectHits: true, make: () => ({ sort }) }),
  ),
  {
    name: 'page 2 (cursor)',
    expectHits: true,
    secondPage: true,
    make: (r): Query =>
      r.chance(0.5) ? { q: r.pick([...ZH2, ...EN]), sort: anySort(r) } : { sort: anySort(r) },
  },
];

const qs = (q: Query) =>
  Object.entries(q)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');

export interface SearchClassResult {
  name: string;
  latency: LatencySummary;
  /** Share of queries that returned at least one listing. */
  hitRate: number;
}

export interface SearchResult {
  queries: number;
  seconds: number;
  perSecond: number;
  overall: LatencySummary;
  classes: SearchClassResult[];
  problems: string[];
  /** Sampled answers found equal to a brute-force scan (set by the caller after `verifySearch`). */
  verified?: number;
}

/** Runs `total` measured queries (after `warmup` unmeasured ones) at `concurrency`. */
export async function runSearch(
  http: HttpClient,
  catalog: Catalog,
  opts: { total: number; warmup: number; concurrency: number; seed: number },
): Promise<SearchResult> {
  const rng = Rng.stream(opts.seed, 'bench-search');
  const per = new Map(SEARCH_CLASSES.map((c) => [c.name, { samples: new Samples(), hits: 0 }]));
  const overall = new Samples();
  const problems: string[] = [];
  let next = 0;
  const all = opts.warmup + opts.total;
  let t0 = 0;

  const get = async (q: Query) => {
    const res = await call(http, 'get', '/api/v1/services', { query: asDocQuery(q) });
    if (res.status !== 200)
      throw new Error(`GET /services?${qs(q)}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
    return res.json();
  };

  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= all) return;
      if (i === opts.warmup) t0 = performance.now();
      const cls = SEARCH_CLASSES[i % SEARCH_CLASSES.length]!;
      const q = cls.make(rng, catalog);
      let query = q;
      if (cls.secondPage) {
        const first = await get(q);
        if (!first.nextCursor) {
          problems.push(`page 2: no cursor for ${qs(q)}`);
          continue;
        }
        query = { ...q, cursor: first.nextCursor };
      }
      const s = performance.now();
      const page = await get(query);
      const ms = performance.now() - s;
      if (i < opts.warmup) continue;
      overall.add(ms);
      const entry = per.get(cls.name)!;
      entry.samples.add(ms);
      if (page.items.length > 0) entry.hits += 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const classes = SEARCH_CLASSES.map((c) => {
    const e = per.get(c.name)!;
    const hitRate = e.samples.count ? e.hits / e.samples.count : 0;
    if (c.expectHits && hitRate < 0.99)
      problems.push(`${c.name}: only ${(hitRate * 100).toFixed(0)} % found listings`);
    if (c.name === 'no match' && e.hits > 0) problems.push('no match: found listings');
    return { name: c.name, latency: e.samples.summary(), hitRate };
  });
  return {
    queries: overall.count,
    seconds,
    perSecond: overall.count / seconds,
    overall: overall.summary(),
    classes,
    problems,
  };
}

/**
 * The same listings, found the slow and obvious way: every published listing read in full (index scans
 * turned off), the text found with `position`, the category tree walked, the sort spelled out. The
 * core's page must be exactly these ids in this order.
 */
async function bruteForcePage(c: Sql, q: Query, page: number, limit: number): Promise<number[]> {
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = [`s.status = 'published'`];
  const text = typeof q.q === 'string' && q.q.trim() ? q.q.trim() : null;
  let titleFirst = '';
  if (text) {
    const t = param(text);
    where.push(`position(lower(${t}) in s.search_text) > 0`);
    titleFirst = `(position(lower(${t}) in lower(s.title_zh)) > 0 OR position(lower(${t}) in lower(s.title)) > 0) DESC, `;
  }
  if (q.categoryId !== undefined)
    where.push(`s.category_id IN (WITH RECURSIVE tree(id) AS (SELECT id FROM categories WHERE id = ${param(Number(q.categoryId))}
      UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id) SELECT id FROM tree)`);
  if (q.minPriceFen !== undefined) where.push(`s.starting_price_fen >= ${param(Number(q.minPriceFen))}`);
  if (q.maxPriceFen !== undefined) where.push(`s.starting_price_fen <= ${param(Number(q.maxPriceFen))}`);
  const sort = q.sort ?? 'relevance';
  const order =
    sort === 'price_asc'
      ? 's.starting_price_fen ASC, s.id ASC'
      : sort === 'price_desc'
        ? 's.starting_price_fen DESC, s.id DESC'
        : sort === 'newest'
          ? 's.published_at DESC, s.id DESC'
          : `${sort === 'relevance' ? titleFirst : ''}s.rating DESC, s.id DESC`;
  const { rows } = await c.query<{ id: string }>(
    `SELECT s.id FROM services s WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${limit} OFFSET ${page * limit}`,
    params,
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Compares `samples` answers of the search mix (the same classes, a PRNG stream of its own) with a
 * brute-force scan of the database: page 1, and page 2 through the cursor for the cursor class. Returns
 * one line per answer that differs (none when search is right).
 */
export async function verifySearch(
  http: HttpClient,
  catalog: Catalog,
  scan: Sql,
  opts: { samples: number; seed: number },
): Promise<{ compared: number; problems: string[] }> {
  const rng = Rng.stream(opts.seed, 'bench-search-verify');
  const problems: string[] = [];
  const limit = 20;
  for (let i = 0; i < opts.samples; i += 1) {
    const cls = SEARCH_CLASSES[i % SEARCH_CLASSES.length]!;
    const q = cls.make(rng, catalog);
    const get = async (extra: Query) => {
      const res = await call(http, 'get', '/api/v1/services', {
        query: asDocQuery({ ...q, limit, ...extra }),
      });
      if (res.status !== 200) throw new Error(`GET /services?${qs(q)}: HTTP ${res.status}`);
      return res.json();
    };
    const first = await get({});
    let page = first;
    if (cls.secondPage) {
      if (!first.nextCursor) {
        problems.push(`${cls.name} ${qs(q)}: no cursor`);
        continue;
      }
      page = await get({ cursor: first.nextCursor });
    }
    const got = page.items.map((item: { id: number }) => item.id);
    const want = await bruteForcePage(scan, q, cls.secondPage ? 1 : 0, limit);
    if (got.join() !== want.join())
      problems.push(`${cls.name} ${qs(q)}: core [${got.join(',')}] ≠ scan [${want.join(',')}]`);
  }
  return { compared: opts.samples, problems };
}

/** The settings that make a connection a brute-force scanner: no index of any kind is used. */
export const NO_INDEX_SCANS =
  'SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off';

/** `verifySearch` against a PostgreSQL database: one connection of its own with index scans off. */
export async function verifySearchOnPg(
  http: HttpClient,
  catalog: Catalog,
  databaseUrl: string,
  opts: { samples: number; seed: number },
): Promise<{ compared: number; problems: string[] }> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(NO_INDEX_SCANS);
    return await verifySearch(http, catalog, c, opts);
  } finally {
    await c.end();
  }
}
