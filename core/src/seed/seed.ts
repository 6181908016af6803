import { ORDER_STATUSES, type OrderStatus } from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import { hashPassword } from '../modules/accounts/commands';
import { packageRows } from '../modules/catalog/commands';
import { accountCode, accountId, ensureUserAccounts } from '../modules/ledger/accounts';
import { wireOps } from '../ops/wiring';
import type { AppContext } from '../platform/context';
import type { Tx } from '../platform/db/database';
import type { ServiceStatusColumn } from '../platform/db/schema';
import { CATEGORIES } from './catalog-data';
import { type OpsSeedSummary, seedOpsWork } from './ops';
import { playOrders, type SeedIds } from './orders';
import { DEMO_STAFF } from './people-data';
import { type ChatPlan, LEAVES, planMarketplace, type SeedPlan, type SeedScale, USER_GROUPS } from './plan';

export type { SeedScale } from './plan';

export interface SeedOptions {
  /** Names the marketplace: the same seed writes the same users, listings, orders, amounts and texts. */
  seed: number;
  scale: SeedScale;
  /** Password of every demo account, staff included (DEMO_PASSWORD). */
  demoPassword: string;
  log?: (msg: string) => void;
}

/** What a seeding run wrote, for the CLI's report and for tests. */
export interface SeedSummary {
  seed: number;
  scale: SeedScale;
  /** The story's "now": every seeded timestamp lies before it. */
  storyEnd: string;
  users: number;
  staff: number;
  clients: number;
  freelancers: number;
  categories: number;
  skills: number;
  listings: Record<ServiceStatusColumn, number>;
  orders: Record<OrderStatus, number>;
  reviews: number;
  conversations: number;
  messages: number;
  /** Open staff work left in the queues. */
  ops: OpsSeedSummary;
  /** Wall-clock milliseconds per phase. */
  timingsMs: Record<string, number>;
}

const SERVICE_STATUSES: ServiceStatusColumn[] = [
  'published',
  'pending_review',
  'draft',
  'rejected',
  'suspended',
];
const OPEN_STATUSES: OrderStatus[] = [
  'awaiting_payment',
  'pending_acceptance',
  'in_progress',
  'delivered',
  'revision_requested',
  'disputed',
];

/** Splits rows into chunks small enough for one multi-row INSERT (PostgreSQL allows 65,535 parameters). */
function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  const step = Math.max(1, size);
  for (let i = 0; i < rows.length; i += step) out.push(rows.slice(i, i + step));
  return out;
}

/**
 * Inserts rows in chunks and returns their new ids in row order. Ids come from an identity column, which
 * numbers one statement's rows in VALUES order, so sorting the returned ids recovers the order whatever
 * order RETURNING uses.
 */
async function insertIds<R>(
  rows: readonly R[],
  size: number,
  insert: (chunk: R[]) => Promise<{ id: number }[]>,
): Promise<number[]> {
  const ids: number[] = [];
  for (const chunk of chunks(rows, size)) {
    const got = (await insert(chunk)).map((r) => Number(r.id)).sort((a, b) => a - b);
    ids.push(...got);
  }
  return ids;
}

/**
 * Writes a complete demo marketplace into an empty database: categories and skills, staff (admin,
 * moderator, finance1, finance2, support) and demo users (client001…, freelancer001…) who all log in with
 * `demoPassword`, listings, orders in every state of the order machine, reviews with matching rating
 * aggregates, and conversations. Deterministic: everything but database ids and the commit-time columns
 * of ledger and event rows follows from `seed`. Money moves only through the real payment, order and ledger
 * commands, so `checkLedger` holds afterwards. Refuses a database that already has users.
 */
export async function seed(ctx: AppContext, opts: SeedOptions): Promise<SeedSummary> {
  const log = opts.log ?? (() => {});
  const timingsMs: Record<string, number> = {};
  let mark = performance.now();
  const phase = (name: string) => {
    const t = performance.now();
    timingsMs[name] = Math.round(t - mark);
    mark = t;
  };

  const existing = await ctx.db.write.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing)
    throw new Error(
      'the database already has users: seeding needs an empty database (use --if-empty to skip)',
    );

  // Domain events open staff cases (a dispute played below opens its case), as in the running app.
  wireOps(ctx);
  const plan = planMarketplace(opts.seed, opts.scale, {
    paymentTimeoutMinutes: ctx.env.PAYMENT_TIMEOUT_MINUTES,
    acceptanceTimeoutHours: ctx.env.ACCEPTANCE_TIMEOUT_HOURS,
    autoCompleteDays: ctx.env.AUTO_COMPLETE_DAYS,
  });
  log(
    `seed ${opts.seed}, scale ${opts.scale}: ${plan.users.length} users, ${plan.listings.length} listings, ${plan.orders.length} orders`,
  );
  // One hash for every demo account: argon2 per user would take minutes at the large scale.
  const passwordHash = await hashPassword(opts.demoPassword);
  phase('plan');

  const catalog = await ctx.db.transact((tx) => writeCatalog(tx));
  phase('catalog');
  const users = await writeUsers(ctx, plan, passwordHash);
  log(`  users ${users.length} (+${DEMO_STAFF.length} staff)`);
  phase('users');
  const listings = await ctx.db.transact((tx) => writeListings(tx, plan, users, catalog));
  log(`  listings ${listings.length}`);
  phase('listings');

  const ids: SeedIds = { users, listings };
  await ctx.db.transact(async (tx) => {
    // Platform accounts exist before concurrent batches start, so no two batches race to create them.
    await accountId(tx, accountCode.clearing('alipay'), { kind: 'gateway_clearing' }, ctx.db);
    await accountId(tx, accountCode.clearing('wechat'), { kind: 'gateway_clearing' }, ctx.db);
    await accountId(tx, accountCode.fees(), { kind: 'platform_fees' }, ctx.db);
  });
  const orderIds = await playOrders(ctx, plan.orders, ids, {
    batchSize: 200,
    concurrency: ctx.db.kind === 'postgres' ? USER_GROUPS : 1,
    log,
  });
  await sql`SELECT setval('order_number_seq', ${plan.orders.length})`.execute(ctx.db.write);
  phase('orders');

  const reviews = await ctx.db.transact((tx) => writeReviews(tx, plan, ids, orderIds));
  phase('reviews');
  const chats = await ctx.db.transact((tx) => writeConversations(tx, plan, ids, orderIds));
  phase('conversations');
  await reanchorOpenDeadlines(ctx, plan.storyEnd);
  const ops = await seedOpsWork(ctx, log);
  phase('ops');

  const counts = await countAll(ctx);
  phase('summary');
  return {
    seed: opts.seed,
    scale: opts.scale,
    storyEnd: new Date(plan.storyEnd).toISOString(),
    users: counts.users,
    staff: DEMO_STAFF.length,
    clients: plan.users.filter((u) => u.isClient).length,
    freelancers: plan.users.filter((u) => u.isFreelancer).length,
    categories: catalog.categories,
    skills: catalog.skillIds.size,
    listings: counts.listings,
    orders: counts.orders,
    reviews,
    conversations: chats.conversations,
    messages: chats.messages,
    ops,
    timingsMs,
  };
}

/** Seeds only a database without users (first `npm start`); returns whether it seeded. */
export async function seedIfEmpty(ctx: AppContext, opts: SeedOptions): Promise<boolean> {
  const existing = await ctx.db.write.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  await seed(ctx, opts);
  return true;
}

interface CatalogIds {
  categories: number;
  /** Leaf category id by leaf index. */
  leafIds: number[];
  /** Skill id by `leafIndex:englishName`. */
  skillIds: Map<string, number>;
}

async function writeCatalog(tx: Tx): Promise<CatalogIds> {
  const leafIds: number[] = [];
  const skillIds = new Map<string, number>();
  let categories = 0;
  for (const [t, top] of CATEGORIES.entries()) {
    const parent = await tx
      .insertInto('categories')
      .values({ slug: top.slug, name: top.name, name_zh: top.nameZh, parent_id: null, sort_order: t + 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    categories += 1;
    const children = await tx
      .insertInto('categories')
      .values(
        top.children.map((c, i) => ({
          slug: c.slug,
          name: c.name,
          name_zh: c.nameZh,
          parent_id: parent.id,
          sort_order: i + 1,
        })),
      )
      .returning(['id', 'slug'])
      .execute();
    categories += children.length;
    const idBySlug = new Map(children.map((c) => [c.slug, c.id]));
    for (const leaf of LEAVES.filter((l) => l.top.slug === top.slug)) {
      const leafId = idBySlug.get(leaf.slug)!;
      leafIds[leaf.index] = leafId;
      const skills = await tx
        .insertInto('skills')
        .values(leaf.skills.map(([en, zh]) => ({ name: en, name_zh: zh, category_id: leafId })))
        .returning(['id', 'name'])
        .execute();
      for (const s of skills) skillIds.set(`${leaf.index}:${s.name}`, s.id);
    }
  }
  return { categories, leafIds, skillIds };
}

/** Staff, then the marketplace users with their profiles and wallet accounts. Returns user ids by plan key. */
async function writeUsers(ctx: AppContext, plan: SeedPlan, passwordHash: string): Promise<number[]> {
  const staffCreated = new Date(plan.storyEnd - 1200 * 86_400_000);
  const staffIds = await ctx.db.transact(async (tx) => {
    const rows = await tx
      .insertInto('users')
      .values(
        DEMO_STAFF.map((s) => ({
          username: s.username,
          email: `${s.username}@staff.jiangxin.example`,
          phone: null,
          password_hash: passwordHash,
          nickname: s.nickname,
          staff_roles: [...s.roles],
          created_at: staffCreated,
          updated_at: staffCreated,
        })),
      )
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  });

  const userIds = await ctx.db.transact((tx) =>
    insertIds(plan.users, 1000, (chunk) =>
      tx
        .insertInto('users')
        .values(
          chunk.map((u) => ({
            username: u.username,
            email: u.email,
            phone: u.phone,
            password_hash: passwordHash,
            nickname: u.nickname,
            is_client: u.isClient,
            is_freelancer: u.isFreelancer,
            phone_verified: u.phone !== null,
            real_name_status: u.realNameStatus,
            real_name: u.realName,
            id_number: u.idNumber,
            created_at: new Date(u.createdAt),
            updated_at: new Date(u.createdAt),
          })),
        )
        .returning('id')
        .execute(),
    ),
  );

  await ctx.db.transact(async (tx) => {
    // Every account gets a client profile (as registration does); freelancers also a freelancer profile.
    const staffProfiles = staffIds.map((id) => ({ user_id: id }));
    await tx.insertInto('client_profiles').values(staffProfiles).execute();
    for (const chunk of chunks(plan.users, 2000)) {
      await tx
        .insertInto('client_profiles')
        .values(
          chunk.map((u) => ({
            user_id: userIds[u.key]!,
            company_name: u.company,
            industry: u.industry,
            location: u.city,
          })),
        )
        .execute();
    }
    for (const chunk of chunks(
      plan.users.filter((u) => u.isFreelancer),
      2000,
    )) {
      await tx
        .insertInto('freelancer_profiles')
        .values(
          chunk.map((u) => ({
            user_id: userIds[u.key]!,
            bio: u.bio,
            hourly_rate_fen: u.hourlyRateFen,
            response_rate: u.responseRate,
            location: u.city,
          })),
        )
        .execute();
    }
  });
  for (const chunk of chunks([...staffIds, ...userIds], 2000)) {
    await ctx.db.transact(async (tx) => {
      for (const id of chunk) await ensureUserAccounts(tx, id);
    });
  }
  return userIds;
}

async function writeListings(
  tx: Tx,
  plan: SeedPlan,
  users: number[],
  catalog: CatalogIds,
): Promise<number[]> {
  const ids = await insertIds(plan.listings, 500, (chunk) =>
    tx
      .insertInto('services')
      .values(
        chunk.map((l) => ({
          freelancer_id: users[l.freelancerKey]!,
          title: l.title,
          title_zh: l.titleZh,
          description: l.description,
          category_id: catalog.leafIds[l.leaf]!,
          status: l.status,
          views_count: l.views,
          starting_price_fen: l.packages[0].priceFen,
          min_delivery_days: Math.min(...l.packages.map((p) => p.deliveryDays)),
          review_note: l.reviewNote,
          submitted_at: l.submittedAt === null ? null : new Date(l.submittedAt),
          published_at: l.publishedAt === null ? null : new Date(l.publishedAt),
          created_at: new Date(l.createdAt),
          updated_at: new Date(l.updatedAt),
        })),
      )
      .returning('id')
      .execute(),
  );
  for (const chunk of chunks(plan.listings, 1000)) {
    await tx
      .insertInto('service_packages')
      .values(chunk.flatMap((l) => packageRows(ids[l.key]!, l.packages)))
      .execute();
    await tx
      .insertInto('service_skills')
      .values(
        chunk.flatMap((l) =>
          l.skills.map((s) => ({
            service_id: ids[l.key]!,
            skill_id: catalog.skillIds.get(`${l.leaf}:${s}`)!,
          })),
        ),
      )
      .execute();
  }
  return ids;
}

/** Reviews of completed orders, then every rating aggregate recomputed from the reviews table. */
async function writeReviews(
  tx: Tx,
  plan: SeedPlan,
  ids: SeedIds,
  orderIds: Map<number, number>,
): Promise<number> {
  const rows = plan.orders.flatMap((o) =>
    o.reviews.map((r) => {
      const toFreelancer = r.direction === 'client_to_freelancer';
      return {
        order_id: orderIds.get(o.key)!,
        service_id: ids.listings[o.listingKey]!,
        author_id: ids.users[toFreelancer ? o.clientKey : o.freelancerKey]!,
        target_user_id: ids.users[toFreelancer ? o.freelancerKey : o.clientKey]!,
        direction: r.direction,
        rating: r.rating,
        comment: r.comment,
        created_at: new Date(r.at),
      };
    }),
  );
  for (const chunk of chunks(rows, 2000)) await tx.insertInto('reviews').values(chunk).execute();
  await sql`UPDATE services s SET rating = a.rating, rating_count = a.n
    FROM (SELECT service_id, round(avg(rating), 2) AS rating, count(*) AS n FROM reviews
          WHERE direction = 'client_to_freelancer' GROUP BY service_id) a
    WHERE s.id = a.service_id`.execute(tx);
  await sql`UPDATE freelancer_profiles p SET rating = a.rating, rating_count = a.n
    FROM (SELECT target_user_id, round(avg(rating), 2) AS rating, count(*) AS n FROM reviews
          WHERE direction = 'client_to_freelancer' GROUP BY target_user_id) a
    WHERE p.user_id = a.target_user_id`.execute(tx);
  await sql`UPDATE client_profiles p SET rating = a.rating, rating_count = a.n
    FROM (SELECT target_user_id, round(avg(rating), 2) AS rating, count(*) AS n FROM reviews
          WHERE direction = 'freelancer_to_client' GROUP BY target_user_id) a
    WHERE p.user_id = a.target_user_id`.execute(tx);
  return rows.length;
}

/** Order chats and pre-sale chats, with last-message pointers and per-participant read pointers. */
async function writeConversations(
  tx: Tx,
  plan: SeedPlan,
  ids: SeedIds,
  orderIds: Map<number, number>,
): Promise<{ conversations: number; messages: number }> {
  const convs: {
    orderId: number | null;
    listingKey: number;
    clientKey: number;
    freelancerKey: number;
    chat: ChatPlan;
  }[] = [
    ...plan.presales.map((p) => ({
      orderId: null,
      listingKey: p.listingKey,
      clientKey: p.clientKey,
      freelancerKey: p.freelancerKey,
      chat: p.chat,
    })),
    ...plan.orders.flatMap((o) =>
      o.chat
        ? [
            {
              orderId: orderIds.get(o.key)!,
              listingKey: o.listingKey,
              clientKey: o.clientKey,
              freelancerKey: o.freelancerKey,
              chat: o.chat,
            },
          ]
        : [],
    ),
  ];
  let messages = 0;
  for (const chunk of chunks(convs, 500)) {
    const convIds = await insertIds(chunk, chunk.length, (rows) =>
      tx
        .insertInto('conversations')
        .values(
          rows.map((c) => {
            const a = ids.users[c.clientKey]!;
            const b = ids.users[c.freelancerKey]!;
            return {
              order_id: c.orderId,
              service_id: ids.listings[c.listingKey]!,
              user1_id: Math.min(a, b),
              user2_id: Math.max(a, b),
              created_at: new Date(c.chat.times[0]!),
              updated_at: new Date(c.chat.times[c.chat.times.length - 1]!),
            };
          }),
        )
        .returning('id')
        .execute(),
    );
    const messageRows = chunk.flatMap((c, i) =>
      c.chat.times.map((t, m) => ({
        conversation_id: convIds[i]!,
        sender_id: ids.users[c.chat.fromClient[m] ? c.clientKey : c.freelancerKey]!,
        type: 'text' as const,
        content: c.chat.texts[m]!,
        created_at: new Date(t),
      })),
    );
    const messageIds = await insertIds(messageRows, messageRows.length, (rows) =>
      tx.insertInto('messages').values(rows).returning('id').execute(),
    );
    messages += messageIds.length;
    let next = 0;
    const participants: { conversation_id: number; user_id: number; last_read_message_id: number }[] = [];
    const lastIds: { id: number; last: number }[] = [];
    for (const [i, c] of chunk.entries()) {
      const mine = messageIds.slice(next, next + c.chat.times.length);
      next += c.chat.times.length;
      const last = mine[mine.length - 1]!;
      const lastFromClient = c.chat.fromClient[c.chat.fromClient.length - 1]!;
      // The last sender has read everything; the other side has, or stopped at their own last message.
      const otherRead = c.chat.readByOther
        ? last
        : (mine.filter((_, m) => c.chat.fromClient[m] !== lastFromClient).pop() ?? 0);
      const clientId = ids.users[c.clientKey]!;
      const freelancerId = ids.users[c.freelancerKey]!;
      participants.push(
        {
          conversation_id: convIds[i]!,
          user_id: clientId,
          last_read_message_id: lastFromClient ? last : otherRead,
        },
        {
          conversation_id: convIds[i]!,
          user_id: freelancerId,
          last_read_message_id: lastFromClient ? otherRead : last,
        },
      );
      lastIds.push({ id: convIds[i]!, last });
    }
    await tx.insertInto('conversation_participants').values(participants).execute();
    await sql`UPDATE conversations c SET last_message_id = f.last
      FROM jsonb_to_recordset(${JSON.stringify(lastIds)}::jsonb) AS f(id bigint, last bigint) WHERE c.id = f.id`.execute(
      tx,
    );
  }
  return { conversations: convs.length, messages };
}

/**
 * The story ends at a fixed date, but the timeout sweeper compares deadlines with the real clock. Running
 * deadlines of open orders keep the time they had left when the story ended, counted from now, so a seeded
 * "awaiting payment" order is still payable when the demo starts.
 */
async function reanchorOpenDeadlines(ctx: AppContext, storyEnd: number): Promise<void> {
  const shiftMs = ctx.now().getTime() - storyEnd;
  if (shiftMs <= 0) return;
  const shift = sql`(${shiftMs} * interval '1 millisecond')`;
  await ctx.db.write
    .updateTable('orders')
    .set({
      payment_deadline: sql`payment_deadline + ${shift}`,
      acceptance_deadline: sql`acceptance_deadline + ${shift}`,
      delivery_deadline: sql`delivery_deadline + ${shift}`,
      auto_complete_at: sql`auto_complete_at + ${shift}`,
    })
    .where('status', 'in', OPEN_STATUSES)
    .execute();
}

async function countAll(ctx: AppContext) {
  const db = ctx.db.write;
  const users = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const listingRows = await db
    .selectFrom('services')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const orderRows = await db
    .selectFrom('orders')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const listings = Object.fromEntries(SERVICE_STATUSES.map((s) => [s, 0])) as Record<
    ServiceStatusColumn,
    number
  >;
  for (const r of listingRows) listings[r.status] = Number(r.n);
  const orders = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const r of orderRows) orders[r.status] = Number(r.n);
  return { users: Number(users.n), listings, orders };
}
