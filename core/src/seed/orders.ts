import type { OrderStatus } from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import { type Actor, openOrder, transitionInTx } from '../modules/orders/commands';
import { applyVerifiedNotification, createPaymentRow } from '../modules/payments/commands';
import type { VerifiedNotification } from '../modules/payments/gateway';
import type { AppContext } from '../platform/context';
import type { Tx } from '../platform/db/database';
import { onStoryClock } from './context';
import type { OrderPlan, StepPlan } from './plan';

/** Database ids of what the earlier phases wrote, by plan key. */
export interface SeedIds {
  users: number[];
  listings: number[];
}

/** Timestamps the real commands stamp with the database clock, corrected afterwards to the story's. */
interface Backdating {
  events: { order_id: number; times: string[] }[];
  deliveries: { order_id: number; times: string[] }[];
  revisions: { order_id: number; times: string[] }[];
  disputes: { order_id: number; t: string }[];
  payments: { order_id: number; times: string[] }[];
  refunds: { order_id: number; t: string }[];
  notifications: { out_trade_no: string; t: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Plays every planned order through the real order, payment and ledger code — payment rows from
 * `createPaymentRow`, payment via `applyVerifiedNotification` (the real escrow freeze), every later state
 * via `transitionInTx` — `batchSize` orders per transaction. Orders of different user groups share no
 * wallet, so up to `concurrency` groups run at once. Returns the order id of every plan key.
 */
export async function playOrders(
  ctx: AppContext,
  orders: readonly OrderPlan[],
  ids: SeedIds,
  opts: { batchSize: number; concurrency: number; log: (msg: string) => void },
): Promise<Map<number, number>> {
  const placed = new Map<number, number>();
  const laneCount = Math.max(1, opts.concurrency);
  const lanes: OrderPlan[][] = Array.from({ length: laneCount }, () => []);
  for (const o of orders) lanes[o.group % laneCount]!.push(o);
  let done = 0;
  let nextReport = 0.1;
  const runLane = async (lane: OrderPlan[]) => {
    for (let i = 0; i < lane.length; i += opts.batchSize) {
      const batch = lane.slice(i, i + opts.batchSize);
      await ctx.db.transact(async (tx) => {
        const back: Backdating = {
          events: [],
          deliveries: [],
          revisions: [],
          disputes: [],
          payments: [],
          refunds: [],
          notifications: [],
        };
        for (const o of batch) placed.set(o.key, await playOrder(ctx, tx, o, ids, back));
        await backdate(tx, back);
      });
      done += batch.length;
      if (done / orders.length >= nextReport) {
        opts.log(`  orders ${done}/${orders.length}`);
        while (done / orders.length >= nextReport) nextReport += 0.1;
      }
    }
  };
  await Promise.all(lanes.filter((l) => l.length > 0).map(runLane));
  return placed;
}

async function playOrder(
  ctx: AppContext,
  tx: Tx,
  o: OrderPlan,
  ids: SeedIds,
  back: Backdating,
): Promise<number> {
  let now = o.createdAt;
  // The real commands read the time from ctx.now(): give them the story's clock. The reactions they
  // trigger (a dispute opening its case) read it through `onStoryClock`.
  const storyCtx: AppContext = Object.create(ctx, { now: { value: () => new Date(now) } });
  return onStoryClock(
    () => new Date(now),
    () =>
      playOrderSteps(storyCtx, tx, o, ids, back, (t) => {
        now = t;
      }),
  );
}

async function playOrderSteps(
  storyCtx: AppContext,
  tx: Tx,
  o: OrderPlan,
  ids: SeedIds,
  back: Backdating,
  setNow: (t: number) => void,
): Promise<number> {
  const clientId = ids.users[o.clientKey]!;
  const freelancerId = ids.users[o.freelancerKey]!;
  const { order } = await openOrder(storyCtx, tx, {
    orderNumber: o.orderNumber,
    clientId,
    freelancerId,
    serviceId: ids.listings[o.listingKey]!,
    tier: o.tier,
    serviceTitle: o.serviceTitle,
    amountFen: o.amountFen,
    deliveryDays: o.deliveryDays,
    revisionsAllowed: o.revisionsAllowed,
    requirements: o.requirements,
    provider: o.provider,
  });
  let attempt = 1;
  let provider = o.provider;

  const actorOf = (by: StepPlan['by']): Actor =>
    by === 'system'
      ? { kind: 'system' }
      : { kind: 'user', userId: by === 'client' ? clientId : freelancerId };
  const eventTimes = [iso(o.createdAt)];
  let status: OrderStatus = 'awaiting_payment';
  for (const step of o.steps) {
    setNow(step.at);
    if (step.kind === 'pay' || step.kind === 'pay_failed') {
      const failed = step.kind === 'pay_failed';
      const outTradeNo = `${order.order_number}P${attempt}`;
      const rawStatus = failed
        ? provider === 'alipay'
          ? 'TRADE_CLOSED'
          : 'PAYERROR'
        : provider === 'alipay'
          ? 'TRADE_SUCCESS'
          : 'SUCCESS';
      const verified: VerifiedNotification = {
        provider,
        outTradeNo,
        providerTradeNo: o.providerTradeNo,
        amountFen: order.amount_fen,
        outcome: failed ? (provider === 'alipay' ? 'closed' : 'failed') : 'succeeded',
        rawStatus,
      };
      const outcome = await applyVerifiedNotification(storyCtx, tx, provider, verified, {
        headers: { 'user-agent': 'jiangxin-seed' },
        rawBody: JSON.stringify({
          seeded: true,
          out_trade_no: outTradeNo,
          trade_status: rawStatus,
          total_fen: order.amount_fen,
        }),
      });
      if ('rejected' in outcome) throw new Error(`seed payment ${outTradeNo} rejected: ${outcome.rejected}`);
      if (!failed) await stampJournals(tx, order.id, step.at);
      back.notifications.push({ out_trade_no: outTradeNo, t: iso(step.at) });
      if (failed) {
        attempt += 1;
        provider = o.retryProvider;
        setNow(o.paymentTimes[attempt - 1] ?? step.at);
        await createPaymentRow(tx, order, provider, attempt);
      } else {
        status = 'pending_acceptance';
        eventTimes.push(iso(step.at));
      }
      continue;
    }
    const input: { message?: string; reason?: string } = {};
    if (step.message !== undefined) input.message = step.message;
    if (step.reason !== undefined) input.reason = step.reason;
    const updated = await transitionInTx(storyCtx, tx, order.id, actorOf(step.by), step.kind, input);
    await stampJournals(tx, order.id, step.at);
    status = updated.status;
    eventTimes.push(iso(step.at));
  }
  if (status !== o.finalStatus)
    throw new Error(`seed order ${o.orderNumber} (${o.story}) ended ${status}, planned ${o.finalStatus}`);

  const timesOf = (kind: StepPlan['kind']) => o.steps.filter((s) => s.kind === kind).map((s) => iso(s.at));
  back.events.push({ order_id: order.id, times: eventTimes });
  back.payments.push({ order_id: order.id, times: o.paymentTimes.map(iso) });
  const deliveries = timesOf('deliver');
  if (deliveries.length) back.deliveries.push({ order_id: order.id, times: deliveries });
  const revisions = timesOf('request_revision');
  if (revisions.length) back.revisions.push({ order_id: order.id, times: revisions });
  const dispute = o.steps.find((s) => s.kind === 'dispute');
  if (dispute) back.disputes.push({ order_id: order.id, t: iso(dispute.at) });
  const paid = o.steps.some((s) => s.kind === 'pay');
  const cancelled = o.steps.find((s) =>
    ['decline', 'cancel', 'expire_acceptance', 'agree_cancellation'].includes(s.kind),
  );
  if (paid && cancelled) back.refunds.push({ order_id: order.id, t: iso(cancelled.at) });
  return order.id;
}

/**
 * Dates the money the step just moved (journals posted in this transaction, stamped with its start) at
 * the step's story time, so the dashboard counts a payment on the day it was paid. Postings follow their
 * journal in `datePostingsAsJournals`.
 */
async function stampJournals(tx: Tx, orderId: number, at: number): Promise<void> {
  await sql`UPDATE ledger_journals SET created_at = ${iso(at)}::timestamptz
    WHERE order_id = ${orderId} AND created_at = now()`.execute(tx);
}

/**
 * Gives every ledger posting its journal's time. Postings are append-only (a rule turns UPDATE into
 * nothing); the seeder lifts the rule for this one statement, in one transaction, while nothing else runs.
 * Amounts and balances are untouched.
 */
export async function datePostingsAsJournals(ctx: AppContext): Promise<void> {
  await ctx.db.transact(async (tx) => {
    await sql`ALTER TABLE ledger_postings DISABLE RULE ledger_postings_no_update`.execute(tx);
    await sql`UPDATE ledger_postings p SET created_at = j.created_at FROM ledger_journals j
      WHERE j.id = p.journal_id AND p.created_at <> j.created_at`.execute(tx);
    await sql`ALTER TABLE ledger_postings ENABLE RULE ledger_postings_no_update`.execute(tx);
  });
}

/**
 * Moves the rows the real commands stamped with the database clock to the story's time, and settles the
 * refunds (the seed has no gateway to send them to). Ledger amounts are never touched.
 */
async function backdate(tx: Tx, b: Backdating): Promise<void> {
  const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;
  const byOrdinal = (
    table: 'order_events' | 'order_deliveries' | 'order_revisions' | 'payments',
    rows: { order_id: number; times: string[] }[],
  ) =>
    rows.length === 0
      ? Promise.resolve()
      : sql`
    UPDATE ${sql.table(table)} AS t SET created_at = (f.times ->> (r.rn - 1)::int)::timestamptz
    FROM (
      SELECT x.id, x.order_id, row_number() OVER (PARTITION BY x.order_id ORDER BY x.id) AS rn
      FROM ${sql.table(table)} x
      WHERE x.order_id IN (SELECT (e ->> 'order_id')::bigint FROM jsonb_array_elements(${json(rows)}) e)
    ) r
    JOIN jsonb_to_recordset(${json(rows)}) AS f(order_id bigint, times jsonb) ON f.order_id = r.order_id
    WHERE t.id = r.id AND r.rn <= jsonb_array_length(f.times)`.execute(tx);
  await byOrdinal('order_events', b.events);
  await byOrdinal('order_deliveries', b.deliveries);
  await byOrdinal('order_revisions', b.revisions);
  await byOrdinal('payments', b.payments);
  await sql`UPDATE payments SET updated_at = created_at
    WHERE status = 'pending' AND order_id IN (SELECT (e ->> 'order_id')::bigint FROM jsonb_array_elements(${json(b.payments)}) e)`.execute(
    tx,
  );
  if (b.disputes.length)
    await sql`UPDATE disputes d SET created_at = f.t
      FROM jsonb_to_recordset(${json(b.disputes)}) AS f(order_id bigint, t timestamptz) WHERE d.order_id = f.order_id`.execute(
      tx,
    );
  if (b.refunds.length)
    await sql`UPDATE refunds r SET status = 'succeeded', attempts = 1, created_at = f.t, updated_at = f.t + interval '17 minutes'
      FROM jsonb_to_recordset(${json(b.refunds)}) AS f(order_id bigint, t timestamptz) WHERE r.order_id = f.order_id`.execute(
      tx,
    );
  if (b.notifications.length)
    await sql`UPDATE payment_notifications n SET created_at = f.t
      FROM jsonb_to_recordset(${json(b.notifications)}) AS f(out_trade_no text, t timestamptz) WHERE n.out_trade_no = f.out_trade_no`.execute(
      tx,
    );
}
