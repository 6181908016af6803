import { ORDER_STATUSES, type OrderStatus } from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import { hashPassword } from '../modules/accounts/commands';
import { accountCode, accountId } from '../modules/ledger/accounts';
import { wireOps } from '../ops/wiring';
import type { AppContext } from '../platform/context';
import type { ServiceStatusColumn } from '../platform/db/schema';
import { writeCatalog } from './catalog';
import { chatsOf, playChats } from './chats';
import { followStoryClock } from './context';
import { writeListings } from './listings';
import { seedMacros } from './macros';
import { type OpsSeedSummary, seedOpsWork } from './ops';
import { datePostingsAsJournals, playOrders, type SeedIds } from './orders';
import { playPayoutHistory } from './payouts';
import { DEMO_STAFF } from './people-data';
import { planMarketplace, type SeedScale, USER_GROUPS } from './plan';
import { playReviews } from './reviews';
import { seedTeams } from './teams';
import { writeUsers } from './users';

export type { SeedScale } from './plan';

export interface SeedOptions {
  /** Names the marketplace: the same seed writes the same users, listings, orders, amounts and texts. */
  seed: number;
  scale: SeedScale;
  /** Password of every demo account, staff included (DEMO_PASSWORD). */
  demoPassword: string;
  /**
   * When the story ends (default: now, so the dashboard's last 30 days hold the story's sales). Every
   * seeded time is relative to it: the same seed and end write the same marketplace.
   */
  storyEnd?: Date;
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

/**
 * Writes a complete demo marketplace into an empty database: categories and skills, staff (admin,
 * moderator, finance1, finance2, support) and demo users (client001…, freelancer001…) who all log in with
 * `demoPassword`, listings, orders in every state of the order machine, reviews and conversations, then
 * open staff work. Users, drafts and listings waiting for review, orders, payments, reviews (with their
 * rating aggregates) and chats go through the real commands at the story's times; the few bulk paths are
 * listed in docs/ARCHITECTURE.md ("The demo seed") and `bulk.test.ts` holds them equal to the commands.
 * Deterministic: everything but database ids, the commit-time columns of event rows and the open staff
 * work (made at the real clock) follows from `seed` and `storyEnd`; ledger journals and postings carry
 * the story's time of the step that moved the money, so the dashboard's days match the orders'. Money
 * moves only through the real payment, order, payout and ledger code, so `checkLedger` holds afterwards.
 * Refuses a database that already has users.
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

  // Domain events open staff cases (a dispute played below opens its case), as in the running app, at
  // the story's time while a seeded order plays.
  wireOps(followStoryClock(ctx));
  const plan = planMarketplace(
    opts.seed,
    opts.scale,
    {
      paymentTimeoutMinutes: ctx.env.PAYMENT_TIMEOUT_MINUTES,
      acceptanceTimeoutHours: ctx.env.ACCEPTANCE_TIMEOUT_HOURS,
      autoCompleteDays: ctx.env.AUTO_COMPLETE_DAYS,
    },
    new Date(Math.floor((opts.storyEnd ?? ctx.now()).getTime() / 60_000) * 60_000),
  );
  log(
    `seed ${opts.seed}, scale ${opts.scale}: ${plan.users.length} users, ${plan.listings.length} listings, ${plan.orders.length} orders`,
  );
  // One hash for every demo account: argon2 per user would take minutes at the large scale.
  const passwordHash = await hashPassword(opts.demoPassword);
  phase('plan');

  const catalog = await ctx.db.transact((tx) => writeCatalog(tx));
  phase('catalog');
  const users = await writeUsers(ctx, plan, passwordHash, opts.demoPassword);
  log(`  users ${users.length} (+${DEMO_STAFF.length} staff)`);
  phase('users');
  const { ids: listings, awaitingReview } = await writeListings(ctx, plan, users, catalog);
  log(`  listings ${listings.length}`);
  phase('listings');

  const ids: SeedIds = { users, listings };
  await ctx.db.transact(async (tx) => {
    // Platform accounts exist before concurrent batches start, so no two batches race to create them.
    await accountId(tx, accountCode.clearing('alipay'), { kind: 'gateway_clearing' }, ctx.db);
    await accountId(tx, accountCode.clearing('wechat'), { kind: 'gateway_clearing' }, ctx.db);
    await accountId(tx, accountCode.fees(), { kind: 'platform_fees' }, ctx.db);
  });
  // User groups share no wallet or rating (and chats no row at all): on PostgreSQL they are played at
  // once. PGlite has one connection, so everything runs in turn there.
  const concurrency = ctx.db.kind === 'postgres' ? USER_GROUPS : 1;
  const orderIds = await playOrders(ctx, plan.orders, ids, {
    batchSize: 200,
    concurrency,
    log,
  });
  await sql`SELECT setval('order_number_seq', ${plan.orders.length})`.execute(ctx.db.write);
  phase('orders');

  const reviews = await playReviews(ctx, plan.orders, ids, orderIds, { batchSize: 200, concurrency });
  phase('reviews');
  const chats = await playChats(ctx, chatsOf(plan, ids, orderIds), { batchSize: 100, concurrency });
  phase('conversations');
  const pastPayouts = await playPayoutHistory(ctx, plan.storyEnd);
  log(`  past payouts ${pastPayouts}`);
  await datePostingsAsJournals(ctx);
  phase('payouts');
  await reanchorOpenDeadlines(ctx, plan.storyEnd);
  const ops = await seedOpsWork(ctx, awaitingReview, log);
  phase('ops');
  await seedTeams(ctx); // team routing's demo teams, members online (./teams.ts)
  await seedMacros(ctx); // canned replies that also tag, raise or end the chat (./macros.ts)

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
