import { ORDER_STATUSES } from '@jiangxin/shared/orders';
import { verify } from '@node-rs/argon2';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkLedger } from '../modules/ledger/check';
import { computeStats } from '../modules/stats/queries';
import { loadEnv } from '../platform/config';
import type { AppContext } from '../platform/context';
import type { Db } from '../platform/db/database';
import { createTestDb } from '../test/harness';
import { createOfflineContext } from './context';
import { type SeedSummary, seed, seedIfEmpty } from './seed';
import { DISPUTE_REASONS_CLIENT, DISPUTE_REASONS_FREELANCER } from './story-data';

const PASSWORD = 'demo-pass-42';
const SLOW = 240_000;
/** Every run of this file ends its stories at the same minute, so two runs of a seed can be compared. */
const STORY_END = new Date();
const DAY_MS = 86_400_000;

interface Seeded {
  db: Db;
  ctx: AppContext;
  summary: SeedSummary;
  drop(): Promise<void>;
}

async function seeded(seedNumber: number): Promise<Seeded> {
  const { db, drop } = await createTestDb();
  const ctx = createOfflineContext(
    loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: '/tmp/jx-seed-test' }),
    db,
  );
  const summary = await seed(ctx, {
    seed: seedNumber,
    scale: 'small',
    demoPassword: PASSWORD,
    storyEnd: STORY_END,
  });
  return { db, ctx, summary, drop };
}

/** What a visitor sees of the catalog and the order book, without database ids. */
async function fingerprint(db: Db) {
  const listings = await db.read
    .selectFrom('services as s')
    .innerJoin('users as u', 'u.id', 's.freelancer_id')
    .select([
      'u.username',
      's.title',
      's.title_zh',
      's.status',
      's.starting_price_fen',
      's.rating',
      's.rating_count',
    ])
    .orderBy('s.id')
    .execute();
  const packages = await db.read
    .selectFrom('service_packages')
    .select(['tier', 'price_fen', 'delivery_days', 'revisions'])
    .orderBy('service_id')
    .orderBy('tier')
    .execute();
  const orders = await db.read
    .selectFrom('orders as o')
    .innerJoin('users as c', 'c.id', 'o.client_id')
    .select([
      'o.order_number',
      'c.username',
      'o.amount_fen',
      'o.platform_fee_fen',
      'o.status',
      'o.tier',
      'o.requirements',
      'o.created_at',
    ])
    .orderBy('o.order_number')
    .execute();
  return { listings, packages, orders };
}

let a: Seeded;

beforeAll(async () => {
  a = await seeded(42);
}, SLOW);
afterAll(() => a?.drop());

describe('demo seed', () => {
  it('moves all money through the ledger: the invariant check passes and refunds are settled', async () => {
    const report = await checkLedger(a.db.read);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.journals).toBeGreaterThan(100);
    expect(report.escrowHeldFen).toBeGreaterThan(0);
    const pendingRefunds = await a.db.read
      .selectFrom('refunds')
      .select('id')
      .where('status', '<>', 'succeeded')
      .execute();
    expect(pendingRefunds).toEqual([]);
  });

  it('has orders in every state of the order machine, cancellations before and after payment', async () => {
    for (const status of ORDER_STATUSES) expect(a.summary.orders[status], status).toBeGreaterThan(0);
    const cancelled = await a.db.read
      .selectFrom('orders')
      .select(['paid_at'])
      .where('status', '=', 'cancelled')
      .execute();
    expect(cancelled.some((o) => o.paid_at === null)).toBe(true);
    expect(cancelled.some((o) => o.paid_at !== null)).toBe(true);
    const openCancellation = await a.db.read
      .selectFrom('orders')
      .select('id')
      .where('cancellation_requested_by', 'is not', null)
      .execute();
    expect(openCancellation.length).toBeGreaterThan(0);
  });

  it('creates the five staff accounts with their roles, and demo users, all on the demo password', async () => {
    const staff = await a.db.read
      .selectFrom('users')
      .select(['username', 'staff_roles', 'password_hash'])
      .where('username', 'in', ['admin', 'moderator', 'finance1', 'finance2', 'support'])
      .orderBy('username')
      .execute();
    expect(staff.map((s) => [s.username, s.staff_roles])).toEqual([
      ['admin', ['admin']],
      ['finance1', ['finance']],
      ['finance2', ['finance']],
      ['moderator', ['moderator']],
      ['support', ['support']],
    ]);
    for (const s of staff) expect(await verify(s.password_hash, PASSWORD), s.username).toBe(true);
    expect(await verify(staff[0]!.password_hash, 'jiangxin-demo')).toBe(false);
    const demo = await a.db.read
      .selectFrom('users')
      .select(['username', 'password_hash', 'is_client', 'is_freelancer'])
      .where('username', 'in', ['client001', 'freelancer001'])
      .orderBy('username')
      .execute();
    expect(demo.map((u) => [u.username, u.is_client, u.is_freelancer])).toEqual([
      ['client001', true, false],
      ['freelancer001', false, true],
    ]);
    expect(await verify(demo[0]!.password_hash, PASSWORD)).toBe(true);
    // client001 sees every state from the client side.
    const mine = await a.db.read
      .selectFrom('orders as o')
      .innerJoin('users as u', 'u.id', 'o.client_id')
      .select('o.status')
      .distinct()
      .where('u.username', '=', 'client001')
      .execute();
    expect(new Set(mine.map((o) => o.status))).toEqual(new Set(ORDER_STATUSES));
  });

  it('prices packages in whole fen, ¥50–¥50,000, never cheaper at a higher tier', async () => {
    const rows = await a.db.read
      .selectFrom('service_packages')
      .select(['service_id', 'tier', 'price_fen'])
      .execute();
    const byService = new Map<number, Record<string, number>>();
    for (const r of rows) {
      expect(Number.isInteger(r.price_fen)).toBe(true);
      expect(r.price_fen).toBeGreaterThanOrEqual(5_000);
      expect(r.price_fen).toBeLessThanOrEqual(5_000_000);
      byService.set(r.service_id, { ...byService.get(r.service_id), [r.tier]: r.price_fen });
    }
    for (const p of byService.values()) {
      expect(p['basic']!).toBeLessThanOrEqual(p['standard']!);
      expect(p['standard']!).toBeLessThanOrEqual(p['premium']!);
    }
  });

  it('keeps rating aggregates equal to the reviews a visitor can see (taken-down ones do not count)', async () => {
    expect(a.summary.reviews).toBeGreaterThan(0);
    const { rows } = await sql<{
      id: number;
      rating: number;
      rating_count: number;
      avg: number | null;
      n: number;
    }>`
      SELECT s.id, s.rating, s.rating_count, round(avg(r.rating), 2) AS avg, count(r.id) AS n
      FROM services s LEFT JOIN reviews r ON r.service_id = s.id AND r.direction = 'client_to_freelancer'
        AND NOT EXISTS (SELECT 1 FROM hidden_content h WHERE h.subject_type = 'review' AND h.subject_id = r.id)
      GROUP BY s.id`.execute(a.db.read);
    for (const r of rows) {
      expect(Number(r.rating_count)).toBe(Number(r.n));
      expect(Number(r.rating)).toBe(r.avg === null ? 0 : Number(r.avg));
    }
    expect(rows.some((r) => Number(r.n) > 0)).toBe(true);
    const profiles = await sql<{ mismatched: number }>`
      SELECT count(*) AS mismatched FROM freelancer_profiles p
      LEFT JOIN (SELECT target_user_id, count(*) AS n FROM reviews r WHERE direction = 'client_to_freelancer'
          AND NOT EXISTS (SELECT 1 FROM hidden_content h WHERE h.subject_type = 'review' AND h.subject_id = r.id)
          GROUP BY target_user_id) r
        ON r.target_user_id = p.user_id
      WHERE p.rating_count <> coalesce(r.n, 0)`.execute(a.db.read);
    expect(Number(profiles.rows[0]!.mismatched)).toBe(0);
  });

  it('writes conversations whose pointers name real messages of that conversation', async () => {
    expect(a.summary.conversations).toBeGreaterThan(0);
    const { rows } = await sql<{ bad: number }>`
      SELECT count(*) AS bad FROM conversations c
      LEFT JOIN messages m ON m.id = c.last_message_id AND m.conversation_id = c.id
      WHERE m.id IS NULL`.execute(a.db.read);
    expect(Number(rows[0]!.bad)).toBe(0);
    const unread = await sql<{ n: number }>`
      SELECT count(*) AS n FROM conversation_participants p JOIN conversations c ON c.id = p.conversation_id
      WHERE p.last_read_message_id < c.last_message_id`.execute(a.db.read);
    expect(Number(unread.rows[0]!.n)).toBeGreaterThan(0);
  });

  it('leaves open orders payable/acceptable from now on, so the timeout sweeper does not close them at start', async () => {
    const now = new Date();
    const overdue = await a.db.read
      .selectFrom('orders')
      .select(['order_number', 'status'])
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'awaiting_payment'), eb('payment_deadline', '<=', now)]),
          eb.and([eb('status', '=', 'pending_acceptance'), eb('acceptance_deadline', '<=', now)]),
          eb.and([eb('status', '=', 'delivered'), eb('auto_complete_at', '<=', now)]),
        ]),
      )
      .execute();
    expect(overdue).toEqual([]);
  });

  it('leaves open staff work of every kind, opened through the real events and case actions', async () => {
    const { db, summary } = a;
    const kinds = await db.read
      .selectFrom('cases')
      .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
      .where('status', '<>', 'resolved')
      .groupBy('kind')
      .execute();
    const open = Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)]));
    for (const kind of [
      'listing_review',
      'report',
      'dispute',
      'payout',
      'support_chat',
      'reconciliation_mismatch',
    ])
      expect(open[kind], kind).toBeGreaterThan(0);
    // Every listing waiting for review has its case, and the leaks were found by the scanner.
    const pending = await db.read
      .selectFrom('services')
      .select('id')
      .where('status', '=', 'pending_review')
      .execute();
    expect(open['listing_review']).toBe(pending.length);
    // Their freelancers submitted them through the catalog command: each entered review from a draft.
    const submissions = await db.read
      .selectFrom('events')
      .select(['type', 'aggregate_id', 'payload'])
      .where('aggregate_type', '=', 'service')
      .where('type', 'in', ['service.submitted', 'service.status_changed'])
      .where(
        'aggregate_id',
        'in',
        pending.map((p) => p.id),
      )
      .orderBy('id')
      .execute();
    for (const p of pending)
      expect(
        submissions
          .filter((e) => Number(e.aggregate_id) === p.id)
          .map((e) => [e.type, (e.payload as { to?: string }).to]),
      ).toEqual([
        ['service.status_changed', 'pending_review'],
        ['service.submitted', undefined],
      ]);
    const leaky = await db.read
      .selectFrom('cases')
      .select('id')
      .where('kind', '=', 'listing_review')
      .where('flags', '@>', sql<string[]>`ARRAY['contact_leak']`)
      .execute();
    expect(leaky.length).toBeGreaterThanOrEqual(2);
    // A large withdrawal waits for its second finance approver.
    const halfApproved = await db.read
      .selectFrom('cases')
      .select('stage')
      .where('kind', '=', 'payout')
      .where('stage', '=', 'awaiting_second_approval')
      .execute();
    expect(halfApproved).toHaveLength(1);
    expect(summary.ops.supportChats).toBe(4);
    expect(summary.ops.reconciliationMismatches).toBe(1);
    // Money held for the withdrawals is still accounted for.
    expect((await checkLedger(db.read)).problems).toEqual([]);
  });

  it('spreads the story over the dashboard month: sales on most of the last 30 days, no day holding most of it', async () => {
    // The dashboard's default: GET /ops/stats, the last 30 days by China-time day, ending now.
    const now = new Date();
    const stats = await computeStats(
      a.db.read,
      { from: new Date(now.getTime() - 30 * DAY_MS), to: now, bucket: 'day' },
      now,
    );
    const days = stats.buckets.filter((b) => b.gmvFen > 0);
    expect(stats.totals.gmvFen).toBeGreaterThan(0);
    expect(days.length, stats.buckets.map((b) => `${b.label} ${b.gmvFen}`).join('\n')).toBeGreaterThanOrEqual(
      20,
    );
    const top = Math.max(...stats.buckets.map((b) => b.gmvFen));
    expect(top / stats.totals.gmvFen).toBeLessThan(0.5);
    // A payment's money lands on the day its order was paid, and every wallet line on its journal's day.
    const { rows } = await sql<{ off: number }>`
      SELECT count(*) AS off FROM orders o JOIN ledger_journals j ON j.order_id = o.id AND j.kind = 'order_payment'
      WHERE j.created_at <> o.paid_at`.execute(a.db.read);
    expect(Number(rows[0]!.off)).toBe(0);
    const postings = await sql<{ off: number }>`
      SELECT count(*) AS off FROM ledger_postings p JOIN ledger_journals j ON j.id = p.journal_id
      WHERE p.created_at <> j.created_at`.execute(a.db.read);
    expect(Number(postings.rows[0]!.off)).toBe(0);
    expect((await checkLedger(a.db.read)).problems).toEqual([]);
  });

  it('opens every dispute at its story time: deadlines after the opening, and the reason is the opener’s own complaint', async () => {
    const disputes = await a.db.read
      .selectFrom('disputes as d')
      .innerJoin('orders as o', 'o.id', 'd.order_id')
      .innerJoin('cases as c', (j) => j.onRef('c.subject_id', '=', 'd.id').on('c.kind', '=', 'dispute'))
      .select([
        'd.id',
        'd.reason',
        'd.opened_by',
        'o.client_id',
        'o.freelancer_id',
        'd.created_at',
        'd.evidence_until',
        'c.created_at as case_opened',
        'c.sla_due_at',
      ])
      .execute();
    expect(disputes.length).toBeGreaterThan(2);
    const sides = new Set<string>();
    for (const d of disputes) {
      const opened = new Date(d.created_at).getTime();
      expect(new Date(d.evidence_until!).getTime(), `dispute ${d.id} evidence`).toBeGreaterThan(opened);
      // The evidence window and the case's SLA count from the opening, not from when the seed ran.
      expect(new Date(d.evidence_until!).getTime() - opened).toBeLessThanOrEqual(7 * DAY_MS);
      expect(Math.abs(new Date(d.case_opened).getTime() - opened), `dispute ${d.id} case`).toBeLessThan(
        60_000,
      );
      expect(new Date(d.sla_due_at!).getTime()).toBeGreaterThan(opened);
      expect(opened).toBeLessThanOrEqual(STORY_END.getTime());
      const side = d.opened_by === d.client_id ? 'client' : 'freelancer';
      sides.add(side);
      const own = side === 'client' ? DISPUTE_REASONS_CLIENT : DISPUTE_REASONS_FREELANCER;
      expect(own as readonly string[], `dispute ${d.id} by the ${side}: ${d.reason}`).toContain(d.reason);
    }
  });

  it('flags only the unusual withdrawals as risky: fewer than a third of payouts, at least one', async () => {
    const cases = await a.db.read
      .selectFrom('cases')
      .select(['id', 'flags'])
      .where('kind', '=', 'payout')
      .execute();
    const risky = cases.filter((c) => (c.flags as string[]).includes('risk'));
    expect(cases.length).toBeGreaterThanOrEqual(4);
    expect(risky.length).toBeGreaterThanOrEqual(1);
    expect(risky.length * 3, `${risky.length} of ${cases.length} payout cases flagged`).toBeLessThan(
      cases.length,
    );
    // Freelancers were paid before, in the story, through the ledger.
    const paid = await a.db.read
      .selectFrom('payouts')
      .select(['paid_at', 'created_at'])
      .where('status', '=', 'paid')
      .execute();
    expect(paid.length).toBeGreaterThan(0);
    for (const p of paid) {
      expect(new Date(p.paid_at!).getTime()).toBeGreaterThan(new Date(p.created_at).getTime());
      expect(new Date(p.paid_at!).getTime()).toBeLessThan(STORY_END.getTime());
    }
  });

  it('turns three canned replies into macros (tag, raise, end the chat); the greeting stays a plain reply', async () => {
    const rows = await a.db.read
      .selectFrom('canned_replies')
      .select(['shortcut', 'set_status', 'set_priority', 'add_tags'])
      .orderBy('shortcut')
      .execute();
    const by = Object.fromEntries(rows.map((r) => [r.shortcut, [r.set_status, r.set_priority, r.add_tags]]));
    expect(by).toMatchObject({
      bye: ['resolved', null, []],
      hi: [null, null, []],
      offsite: [null, 2, ['站外交易']],
      refund: [null, null, ['退款']],
    });
  });

  it('seedIfEmpty leaves a seeded database alone', async () => {
    const before = await fingerprint(a.db);
    expect(await seedIfEmpty(a.ctx, { seed: 7, scale: 'small', demoPassword: 'x-other-password' })).toBe(
      false,
    );
    expect(await fingerprint(a.db)).toEqual(before);
    await expect(seed(a.ctx, { seed: 42, scale: 'small', demoPassword: PASSWORD })).rejects.toThrow(
      /already has users/,
    );
  });

  it(
    'is deterministic: the same seed writes the same marketplace, another seed a different one',
    async () => {
      const same = await seeded(42);
      let other: Seeded | undefined;
      try {
        const mine = await fingerprint(a.db);
        expect(await fingerprint(same.db)).toEqual(mine);
        expect(same.summary.orders).toEqual(a.summary.orders);
        other = await seeded(43);
        const theirs = await fingerprint(other.db);
        expect(theirs.listings.map((l) => l.title_zh)).not.toEqual(mine.listings.map((l) => l.title_zh));
        expect(theirs.orders.map((o) => [o.order_number, o.amount_fen])).not.toEqual(
          mine.orders.map((o) => [o.order_number, o.amount_fen]),
        );
        expect((await checkLedger(other.db.read)).ok).toBe(true);
      } finally {
        await same.drop();
        await other?.drop();
      }
    },
    SLOW * 2,
  );
});
