import { SEARCH_SORTS } from '@jiangxin/shared/api/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../platform/http/cursor';
import { ApiClient, signUp } from '../../test/client';
import { publishService, seedCatalog, serviceBody } from '../../test/factories/catalog';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let api: ApiClient;
let cat: Awaited<ReturnType<typeof seedCatalog>>;

interface Listing {
  key: string;
  id: number;
  titleZh: string;
  title: string;
  description: string;
  categoryId: number;
  priceFen: number;
  days: number;
  rating: number;
}
const listings = new Map<string, Listing>();
let unpublishedId = 0;
let freelancerNickname = '';

/**
 * Eight published listings with deliberate ties (equal prices, equal ratings) so that the id tie-break
 * and the cursor are exercised, plus one that is never published.
 */
const SPECS = [
  {
    key: 'logo',
    titleZh: 'LOGO设计',
    title: 'Logo design',
    desc: '专业团队，三天交付，满意为止。',
    cat: 'logo',
    price: 50_000,
    days: 3,
    rating: 4.8,
  },
  {
    key: 'web',
    titleZh: '企业网站设计',
    title: 'Company website',
    desc: '响应式页面，适配手机与电脑。',
    cat: 'web',
    price: 300_000,
    days: 10,
    rating: 4.5,
  },
  {
    key: 'mini',
    titleZh: '小程序开发',
    title: 'Mini program',
    desc: '微信小程序开发，含界面设计与后台。',
    cat: 'programming',
    price: 200_000,
    days: 14,
    rating: 4.8,
  },
  {
    key: 'api',
    titleZh: '后端接口开发',
    title: 'Backend API',
    desc: '使用 TypeScript 编写稳定的接口服务。',
    cat: 'programming',
    price: 200_000,
    days: 7,
    rating: 3.9,
  },
  {
    key: 'poster',
    titleZh: '海报制作',
    title: 'Poster',
    desc: '活动海报、电商主图，风格多样。',
    cat: 'design',
    price: 8_000,
    days: 2,
    rating: 5,
  },
  {
    key: 'percent',
    titleZh: '100%原创插画',
    title: 'Original illustration',
    desc: '手绘插画，商用授权，风格可定制。',
    cat: 'design',
    price: 50_000,
    days: 5,
    rating: 0,
  },
  {
    key: 'brand',
    titleZh: '品牌视觉',
    title: 'Brand identity',
    desc: '包含标志设计、名片与信封的完整视觉。',
    cat: 'logo',
    price: 120_000,
    days: 6,
    rating: 4.5,
  },
  {
    key: 'snake',
    titleZh: '数据分析',
    title: 'data_analysis report',
    desc: '用 Python 做数据清洗与可视化报告。',
    cat: 'programming',
    price: 90_000,
    days: 4,
    rating: 4.2,
  },
] as const;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  cat = await seedCatalog(t);
  const { api: fl } = await signUp(api, { userType: 'freelancer', nickname: '老王工作室' });
  freelancerNickname = '老王工作室';
  const catIds = {
    logo: cat.logo.id,
    web: cat.web.id,
    design: cat.design.id,
    programming: cat.programming.id,
  };
  for (const s of SPECS) {
    const base = serviceBody(catIds[s.cat]);
    const packages = base.packages.map((p, i) => ({
      ...p,
      priceFen: s.price * (i + 1),
      deliveryDays: s.days + i,
    }));
    const res = await fl.post('/services', {
      ...base,
      title: s.title,
      titleZh: s.titleZh,
      description: s.desc.padEnd(20, '。'),
      packages,
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    t.clock.advance(1_000);
    await publishService(t, res.body.id);
    await t.db.transact((tx) =>
      tx
        .updateTable('services')
        .set({ rating: s.rating, rating_count: s.rating ? 3 : 0 })
        .where('id', '=', res.body.id)
        .execute(),
    );
    listings.set(s.key, {
      key: s.key,
      id: res.body.id,
      titleZh: s.titleZh,
      title: s.title,
      description: s.desc,
      categoryId: catIds[s.cat],
      priceFen: s.price,
      days: s.days,
      rating: s.rating,
    });
  }
  const hidden = await fl.post('/services', { ...serviceBody(cat.logo.id), titleZh: '未上架的LOGO设计' });
  unpublishedId = hidden.body.id;
});
afterAll(() => t?.close());

const L = (key: string) => listings.get(key)!;
const all = () => [...listings.values()];

async function search(params: Record<string, string | number>) {
  const qs = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  return api.get(`/services?${qs}`);
}

/** Follows nextCursor to the end and returns every id in order (fails on a repeated page). */
async function searchAll(params: Record<string, string | number>, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 50; guard += 1) {
    const res = await search({ ...params, limit, ...(cursor ? { cursor } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map((s: { id: number }) => s.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

const byIdDesc = (a: Listing, b: Listing) => b.id - a.id;
const expectedOrder: Record<(typeof SEARCH_SORTS)[number], (a: Listing, b: Listing) => number> = {
  relevance: (a, b) => b.rating - a.rating || byIdDesc(a, b),
  rating: (a, b) => b.rating - a.rating || byIdDesc(a, b),
  price_asc: (a, b) => a.priceFen - b.priceFen || a.id - b.id,
  price_desc: (a, b) => b.priceFen - a.priceFen || b.id - a.id,
  newest: byIdDesc, // published one second apart, in id order
};

describe('search', () => {
  it('finds Chinese substrings of one, two and more characters', async () => {
    const two = await search({ q: '设计' });
    expect(two.status).toBe(200);
    const ids = two.body.items.map((s: { id: number }) => s.id);
    // title matches: LOGO设计, 企业网站设计; description-only: 小程序开发 (界面设计), 品牌视觉 (标志设计)
    expect(new Set(ids)).toEqual(new Set([L('logo').id, L('web').id, L('mini').id, L('brand').id]));
    expect(ids).not.toContain(unpublishedId);

    const one = await search({ q: '图' });
    expect(one.body.items.map((s: { id: number }) => s.id)).toEqual([L('poster').id]);
    const mixed = await search({ q: 'logo设' });
    expect(mixed.body.items.map((s: { id: number }) => s.id)).toEqual([L('logo').id]);
    const english = await search({ q: 'WEBSITE' });
    expect(english.body.items.map((s: { id: number }) => s.id)).toEqual([L('web').id]);
    expect((await search({ q: '量子计算' })).body.items).toEqual([]);
  });

  it('ranks title matches above description-only matches, then by rating', async () => {
    const res = await search({ q: '设计', sort: 'relevance' });
    // titles: logo (4.8) before web (4.5); then descriptions: mini (4.8) before brand (4.5)
    expect(res.body.items.map((s: { id: number }) => s.id)).toEqual([
      L('logo').id,
      L('web').id,
      L('mini').id,
      L('brand').id,
    ]);
    expect(await searchAll({ q: '设计' }, 1)).toEqual([
      L('logo').id,
      L('web').id,
      L('mini').id,
      L('brand').id,
    ]);
  });

  it('treats %, _ and \\ in the query as literal characters', async () => {
    expect((await search({ q: '%' })).body.items.map((s: { id: number }) => s.id)).toEqual([L('percent').id]);
    expect((await search({ q: '_' })).body.items.map((s: { id: number }) => s.id)).toEqual([L('snake').id]);
    expect((await search({ q: '\\' })).body.items).toEqual([]);
  });

  it('returns cards with the freelancer’s nickname and the listing’s figures', async () => {
    const res = await search({ q: 'LOGO设计' });
    expect(res.body.items[0]).toMatchObject({
      id: L('logo').id,
      titleZh: 'LOGO设计',
      startingPriceFen: 50_000,
      minDeliveryDays: 3,
      rating: 4.8,
      freelancer: { nickname: freelancerNickname },
    });
    expect(res.body.items[0].publishedAt).not.toBeNull();
  });

  it('filters by category (with its children), price, rating and delivery days', async () => {
    const ids = async (p: Record<string, string | number>) =>
      new Set((await searchAll(p, 50)).map((id) => id));
    const expectIds = (pred: (l: Listing) => boolean) =>
      new Set(
        all()
          .filter(pred)
          .map((l) => l.id),
      );

    expect(await ids({ categoryId: cat.design.id })).toEqual(
      expectIds((l) => [cat.design.id, cat.logo.id, cat.web.id].includes(l.categoryId)),
    );
    expect(await ids({ categoryId: cat.logo.id })).toEqual(expectIds((l) => l.categoryId === cat.logo.id));
    expect(await ids({ minPriceFen: 50_000, maxPriceFen: 200_000 })).toEqual(
      expectIds((l) => l.priceFen >= 50_000 && l.priceFen <= 200_000),
    );
    expect(await ids({ minRating: 4.5 })).toEqual(expectIds((l) => l.rating >= 4.5));
    expect(await ids({ maxDeliveryDays: 5 })).toEqual(expectIds((l) => l.days <= 5));
    expect(await ids({ q: '开发', categoryId: cat.programming.id, maxDeliveryDays: 7 })).toEqual(
      new Set([L('api').id]),
    );
    expect(await ids({ categoryId: 999_999 })).toEqual(new Set());
  });

  for (const sort of SEARCH_SORTS) {
    it(`sorts by ${sort} and pages through every listing exactly once`, async () => {
      const expected = all()
        .sort(expectedOrder[sort])
        .map((l) => l.id);
      const firstPage = await search({ sort, limit: 50 });
      expect(firstPage.body.items.map((s: { id: number }) => s.id)).toEqual(expected);
      expect(firstPage.body.nextCursor).toBeNull();
      for (const limit of [1, 2, 3])
        expect(await searchAll({ sort }, limit), `limit ${limit}`).toEqual(expected);
    });
  }

  it('pages filtered results without gaps or repeats', async () => {
    const expected = all()
      .filter((l) => l.priceFen >= 50_000)
      .sort(expectedOrder.price_asc)
      .map((l) => l.id);
    expect(await searchAll({ sort: 'price_asc', minPriceFen: 50_000 }, 2)).toEqual(expected);
  });

  // A category is walked one leaf at a time and the walks merged (migration …-search-by-category), and a
  // word within a category is collected through one index scan: the order and the pages must still be
  // the whole catalog's order, filtered.
  for (const sort of SEARCH_SORTS) {
    it(`a category with children, with and without a word, sorts by ${sort} across its leaves, page by page`, async () => {
      const inDesign = (l: Listing) => [cat.design.id, cat.logo.id, cat.web.id].includes(l.categoryId);
      const expected = all()
        .filter(inDesign)
        .sort(expectedOrder[sort])
        .map((l) => l.id);
      expect(expected.length, 'listings in two leaves of 设计').toBeGreaterThan(2);
      for (const limit of [1, 2, 50])
        expect(await searchAll({ sort, categoryId: cat.design.id }, limit), `limit ${limit}`).toEqual(
          expected,
        );
      const inTitle = (l: Listing) => `${l.titleZh} ${l.title}`.toLowerCase().includes('设计');
      const withWord = all()
        .filter(
          (l) => inDesign(l) && `${l.titleZh} ${l.title} ${l.description}`.toLowerCase().includes('设计'),
        )
        .sort(
          sort === 'relevance'
            ? (a, b) => Number(inTitle(b)) - Number(inTitle(a)) || expectedOrder.rating(a, b)
            : expectedOrder[sort],
        )
        .map((l) => l.id);
      expect(withWord.length, '设计 in listings of both leaves').toBeGreaterThan(1);
      expect(await searchAll({ sort, categoryId: cat.design.id, q: '设计' }, 1)).toEqual(withWord);
    });
  }

  it('refuses a malformed or foreign cursor with 400 naming query.cursor', async () => {
    for (const cursor of [
      'not*base64',
      'bm9wZQ',
      encodeCursor('search:price_asc', [1]),
      encodeCursor('search:rating', [5, 1]),
    ]) {
      const res = await search({ sort: 'price_asc', cursor });
      expect(res.status, cursor).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.cursor']);
    }
    const res = await search({ minPriceFen: 10, maxPriceFen: 5 });
    expect(res.status).toBe(400);
    expect((await search({ sort: 'cheapest' })).status).toBe(400);
  });

  it('drops a listing from results when it goes back to review', async () => {
    const { api: fl } = await signUp(api, { userType: 'freelancer' });
    const id = (await fl.post('/services', { ...serviceBody(cat.logo.id), titleZh: '临时的水彩头像' })).body
      .id;
    await publishService(t, id);
    expect((await search({ q: '水彩' })).body.items.map((s: { id: number }) => s.id)).toEqual([id]);
    await fl.patch(`/services/${id}`, { title: 'Watercolour avatar v2' });
    expect((await search({ q: '水彩' })).body.items).toEqual([]);
  });

  it('pages by newest across identical and sub-millisecond publication times', async () => {
    // Runs last: rewrites publication times of the shared listings.
    const times = [
      '2026-11-01 08:00:00.123456+00',
      '2026-11-01 08:00:00.123457+00',
      '2026-11-01 08:00:00.123456+00',
    ];
    const items = all();
    await t.db.transact(async (tx) => {
      for (const [i, l] of items.entries())
        await tx
          .updateTable('services')
          .set({ published_at: times[i % times.length]! })
          .where('id', '=', l.id)
          .execute();
    });
    const micros = (i: number) => Number(times[i % times.length]!.slice(20, 26));
    const expected = items
      .map((l, i) => ({ id: l.id, us: micros(i) }))
      .sort((a, b) => b.us - a.us || b.id - a.id)
      .map((x) => x.id);
    for (const limit of [1, 2]) expect(await searchAll({ sort: 'newest' }, limit)).toEqual(expected);
  });
});
