/**
 * Bulk bench data, written with raw `pg` (one multi-row `INSERT … SELECT FROM unnest(…)` per chunk)
 * rather than through the API: users, profiles and wallet accounts; the category tree; listings with
 * their three packages. Texts come from the demo seed's catalog templates and a fixed-seed PRNG, so the
 * same options write the same listings on every run.
 */

import { CATEGORIES } from '../../core/src/seed/catalog-data';
import { CITIES, GIVEN_NAME_CHARS, NICKNAME_WORDS, SURNAMES } from '../../core/src/seed/people-data';
import { describeListing, LEAVES } from '../../core/src/seed/plan';
import { Rng } from '../../core/src/seed/random';
import type { Sql } from './sql';

const DAY = 86_400_000;
/** The data's "now" (fixed, so the data does not depend on the day the bench runs). */
const DATA_END = Date.UTC(2026, 9, 31, 6, 0, 0);

export interface Catalog {
  /** Leaf category id by leaf index (LEAVES order). */
  leafIds: number[];
  /** Top-level category ids (their leaves are their descendants). */
  topIds: number[];
}

export interface People {
  clientIds: number[];
  freelancerIds: number[];
}

async function insertUnnest(
  c: Sql,
  table: string,
  columns: readonly (readonly [name: string, type: string])[],
  rows: readonly unknown[][],
  returning?: string,
): Promise<number[]> {
  const ids: number[] = [];
  const chunk = 5_000;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    const arrays = columns.map((_, col) => part.map((r) => r[col]));
    const names = columns.map(([n]) => n).join(', ');
    const unnest = columns.map(([, t], k) => `$${k + 1}::${t}[]`).join(', ');
    const text = `INSERT INTO ${table} (${names})
      SELECT ${columns.map((_, k) => `u.c${k}`).join(', ')}
      FROM unnest(${unnest}) WITH ORDINALITY AS u(${columns.map((_, k) => `c${k}`).join(', ')}, ord)
      ORDER BY u.ord${returning ? ` RETURNING ${returning}` : ''}`;
    const res = await c.query<{ id: string }>(text, arrays);
    // Identity values follow the ORDER BY; sorting the returned ids recovers row order.
    if (returning) ids.push(...res.rows.map((r) => Number(r.id)).sort((a, b) => a - b));
  }
  return ids;
}

export async function writeCategories(c: Sql): Promise<Catalog> {
  const leafIds: number[] = [];
  const topIds: number[] = [];
  for (const [t, top] of CATEGORIES.entries()) {
    const parent = await c.query<{ id: string }>(
      'INSERT INTO categories (slug, name, name_zh, sort_order) VALUES ($1, $2, $3, $4) RETURNING id',
      [top.slug, top.name, top.nameZh, t + 1],
    );
    const parentId = Number(parent.rows[0]!.id);
    topIds.push(parentId);
    for (const [i, child] of top.children.entries()) {
      const r = await c.query<{ id: string }>(
        'INSERT INTO categories (slug, name, name_zh, parent_id, sort_order) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [child.slug, child.name, child.nameZh, parentId, i + 1],
      );
      const leaf = LEAVES.find((l) => l.slug === child.slug)!;
      leafIds[leaf.index] = Number(r.rows[0]!.id);
    }
  }
  return { leafIds, topIds };
}

/** Clients and freelancers with profiles and both wallet accounts (what registration creates). */
export async function writePeople(
  c: Sql,
  opts: { clients: number; freelancers: number; seed: number },
): Promise<People> {
  const rng = Rng.stream(opts.seed, 'bench-users');
  const rows: unknown[][] = [];
  const created = new Date(DATA_END - 400 * DAY).toISOString();
  const nickname = () =>
    rng.chance(0.3)
      ? `${rng.pick(NICKNAME_WORDS)}${rng.pick(['设计', '工作室', '本人', ''])}`
      : `${rng.pick(SURNAMES)}${rng.pick(GIVEN_NAME_CHARS)}${rng.chance(0.6) ? rng.pick(GIVEN_NAME_CHARS) : ''}`;
  for (let i = 0; i < opts.clients; i++)
    rows.push([`bench_client${i + 1}`, 'x', nickname(), true, false, created]);
  for (let i = 0; i < opts.freelancers; i++)
    rows.push([`bench_freelancer${i + 1}`, 'x', nickname(), false, true, created]);
  const ids = await insertUnnest(
    c,
    'users',
    [
      ['username', 'text'],
      ['password_hash', 'text'],
      ['nickname', 'text'],
      ['is_client', 'boolean'],
      ['is_freelancer', 'boolean'],
      ['created_at', 'timestamptz'],
    ],
    rows,
    'id',
  );
  const clientIds = ids.slice(0, opts.clients);
  const freelancerIds = ids.slice(opts.clients);
  await c.query(
    `INSERT INTO client_profiles (user_id, location) SELECT id, $2 FROM users WHERE id = ANY($1::bigint[])`,
    [ids, rng.pick(CITIES)],
  );
  await c.query(
    `INSERT INTO freelancer_profiles (user_id, bio, rating, rating_count, location)
     SELECT id, '', round((3.8 + random() * 1.2)::numeric, 2), (random() * 200)::int, '' FROM users
     WHERE id = ANY($1::bigint[])`,
    [freelancerIds],
  );
  await c.query(
    `INSERT INTO ledger_accounts (code, kind, user_id, balance, allow_negative)
     SELECT 'user:' || id || ':' || k.suffix, k.kind, id, 0, false
     FROM users, (VALUES ('available', 'user_available'), ('payout_pending', 'user_payout_pending')) AS k(suffix, kind)
     WHERE users.id = ANY($1::bigint[])
     ON CONFLICT (code) DO NOTHING`,
    [ids],
  );
  // The platform accounts exist before the first payment (as after the demo seed).
  await c.query(
    `INSERT INTO ledger_accounts (code, kind, balance, allow_negative) VALUES
       ('platform:clearing:alipay', 'gateway_clearing', NULL, true),
       ('platform:clearing:wechat', 'gateway_clearing', NULL, true),
       ('platform:fees', 'platform_fees', NULL, false)
     ON CONFLICT (code) DO NOTHING`,
  );
  return { clientIds, freelancerIds };
}

/** A yuan amount as sellers price it (¥88, ¥299, ¥1,580), in fen; as the demo seed prices listings. */
function niceFen(rng: Rng, yuan: number): number {
  let y: number;
  if (yuan < 100) y = Math.max(50, Math.round(yuan / 5) * 5);
  else if (yuan < 1000) y = Math.round(yuan / 10) * 10 - (rng.chance(0.4) ? 1 : 0);
  else y = Math.round(yuan / 100) * 100 - (rng.chance(0.3) ? 1 : 0) - (rng.chance(0.2) ? 100 : 0);
  return Math.min(50_000, Math.max(50, y)) * 100;
}

const TIERS = ['basic', 'standard', 'premium'] as const;
const TIER_NAMES = ['基础版', '标准版', '高级版'];
const SUFFIXES = ['', '', '', ' 可开发票', ' 源文件交付', ' 支持加急', ' 售后无忧', ' 包满意', ' 一对一服务'];
const EN_SUFFIXES = ['', '', '', ', fast delivery', ', source files included', ', unlimited support'];

/**
 * Published listings: `owners[i % owners.length]` owns listing i (so the first `owners.length` listings
 * have distinct owners), in a leaf category near the owner's, with the seed's title templates varied by
 * prefixes and suffixes, a composed description, three packages, a rating spread and publication dates
 * over two years. Returns the service ids in order.
 */
export async function writeListings(
  c: Sql,
  opts: { count: number; owners: number[]; catalog: Catalog; seed: number },
): Promise<number[]> {
  const rng = Rng.stream(opts.seed, 'bench-listings');
  const services: unknown[][] = [];
  const packages: {
    tier: string;
    title: string;
    description: string;
    price: number;
    days: number;
    revisions: number;
  }[][] = [];
  for (let j = 0; j < opts.count; j++) {
    const ownerIndex = j % opts.owners.length;
    const leaf = rng.chance(0.8) ? LEAVES[ownerIndex % LEAVES.length]! : rng.pick(LEAVES);
    const template = rng.pick(leaf.titles);
    const city = rng.pick(CITIES);
    let titleZh = template.zh;
    const prefix = rng.weighted({ none: 70, city: 12, verified: 8, fast: 10 });
    if (prefix === 'city') titleZh = `【${city}】${titleZh}`;
    if (prefix === 'verified') titleZh = `【实名认证】${titleZh}`;
    if (prefix === 'fast') titleZh = `急速交付｜${titleZh}`;
    titleZh += rng.pick(SUFFIXES);
    const title = template.en + rng.pick(EN_SUFFIXES);

    const [minYuan, maxYuan] = leaf.basicYuan;
    const basic = niceFen(rng, rng.int(minYuan, maxYuan));
    const standard = Math.max(basic, niceFen(rng, (basic / 100) * (1.6 + 0.8 * rng.next())));
    const premium = Math.max(standard, niceFen(rng, (standard / 100) * (1.5 + 0.7 * rng.next())));
    const basicDays = rng.int(leaf.days[0], leaf.days[1]);
    const days = [basicDays, basicDays + rng.int(1, 3), basicDays + rng.int(4, 8)];
    const rev = rng.int(1, 2);
    const pk = TIERS.map((tier, t) => ({
      tier,
      title: TIER_NAMES[t]!,
      description: leaf.packages[t]!,
      price: [basic, standard, premium][t]!,
      days: days[t]!,
      revisions: [rev, rev + 1, rev + 3][t]!,
    }));
    packages.push(pk);
    const description = describeListing(
      rng,
      leaf.nameZh,
      pk.map((p) => ({
        title: p.title,
        description: p.description,
        deliveryDays: p.days,
        revisions: p.revisions,
      })),
    );
    const reviewed = rng.chance(0.65);
    const rating = reviewed ? Math.round((3 + 2 * rng.next() ** 0.4) * 100) / 100 : 0;
    const publishedAt = DATA_END - rng.int(1, 730) * DAY - rng.int(0, DAY - 1);
    services.push([
      opts.owners[ownerIndex]!,
      title,
      titleZh,
      description,
      opts.catalog.leafIds[leaf.index]!,
      'published',
      rating,
      reviewed ? rng.int(1, 400) : 0,
      rng.int(30, 5000),
      basic,
      basicDays,
      new Date(publishedAt - 3_600_000).toISOString(),
      // Microseconds too: the newest sort's cursor keeps them.
      `${new Date(publishedAt).toISOString().slice(0, 23)}${String(rng.int(0, 999)).padStart(3, '0')}Z`,
      new Date(publishedAt - 86_400_000).toISOString(),
      new Date(publishedAt).toISOString(),
    ]);
  }
  const ids = await insertUnnest(
    c,
    'services',
    [
      ['freelancer_id', 'bigint'],
      ['title', 'text'],
      ['title_zh', 'text'],
      ['description', 'text'],
      ['category_id', 'bigint'],
      ['status', 'text'],
      ['rating', 'numeric'],
      ['rating_count', 'integer'],
      ['views_count', 'bigint'],
      ['starting_price_fen', 'bigint'],
      ['min_delivery_days', 'integer'],
      ['submitted_at', 'timestamptz'],
      ['published_at', 'timestamptz'],
      ['created_at', 'timestamptz'],
      ['updated_at', 'timestamptz'],
    ],
    services,
    'id',
  );
  const packageRows = packages.flatMap((pk, j) =>
    pk.map((p) => [ids[j]!, p.tier, p.title, p.description, p.price, p.days, p.revisions]),
  );
  await insertUnnest(
    c,
    'service_packages',
    [
      ['service_id', 'bigint'],
      ['tier', 'text'],
      ['title', 'text'],
      ['description', 'text'],
      ['price_fen', 'bigint'],
      ['delivery_days', 'integer'],
      ['revisions', 'integer'],
    ],
    packageRows,
  );
  return ids;
}
