import { ESCROW_HOLDING_STATUSES } from '@jiangxin/shared/orders';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationAttempt } from '../../sandbox/index';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { eventually, idem, openPayPage } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';
import { processRefunds } from './commands';

/**
 * Issue 11 finding 2: both attempts of one order (Alipay and WeChat) succeeding at the same moment.
 * Each notification must be answered `success` on its first delivery — no deadlock 500 healed only by
 * the gateway's retry — and the loser must be recorded and refunded straight back. On PGlite the
 * notifications serialise on its one connection; on PostgreSQL they really race.
 */
let t: TestApp;
/**
 * Ten clients, so the burst below is not throttled by one wallet: every payment of a client moves that
 * client's balance row, so one client's notifications queue on it (correctly, but slowly enough under
 * load for the sandbox's 5 s delivery timeout to cut the tail of a single client's hundred).
 */
let clients: Awaited<ReturnType<typeof signUp>>[];
let serviceId: number;
const retries: { code: string }[] = [];

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  const api = new ApiClient(t.url);
  clients = [];
  for (let i = 0; i < 10; i++) clients.push(await signUp(api, { userType: 'client' }));
  const freelancer = await signUp(api, { userType: 'freelancer' });
  const service = await insertPublishedService(t, freelancer.userId);
  serviceId = service.serviceId;
  t.db.onRetry((r) => retries.push({ code: r.code }));
});
afterAll(() => t?.close());

interface TwoAttempts {
  orderId: number;
  alipay: string;
  wechat: string;
}

/** An order placed with Alipay (pay page opened) and a second attempt opened with WeChat Pay. */
async function orderWithTwoAttempts(client = clients[0]!): Promise<TwoAttempts> {
  const created = await client.api.post(
    '/orders',
    { serviceId, tier: 'basic', paymentProvider: 'alipay' },
    idem(),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await openPayPage(created.body.payment.payUrl);
  const second = await client.api.post(`/orders/${created.body.order.id}/pay`, { paymentProvider: 'wechat' });
  expect(second.status, JSON.stringify(second.body)).toBe(201);
  return {
    orderId: created.body.order.id,
    alipay: created.body.payment.outTradeNo,
    wechat: second.body.outTradeNo,
  };
}

/** The sandbox's delivery logs of both notifications of each order, once delivery stopped. */
async function settledLogs(orders: TwoAttempts[]) {
  return Promise.all(
    orders.flatMap((o) => [
      t.sandbox!.notificationsSettled(o.alipay, 'alipay').then((log) => ({ no: o.alipay, log })),
      t.sandbox!.notificationsSettled(o.wechat, 'wechat').then((log) => ({ no: o.wechat, log })),
    ]),
  );
}

/** Every notification acknowledged on its first delivery, with no 5xx anywhere in its log. */
function expectAnsweredFirstTime(logs: { no: string; log: NotificationAttempt[] }[]) {
  const troubled = logs
    .filter(({ log }) => !log[0]?.acknowledged || log.some((a) => (a.httpStatus ?? 500) >= 500))
    .map(({ no, log }) => ({
      no,
      attempts: log.map((a) => `${a.httpStatus} ${a.answer.slice(0, 80)}${a.error ? ` (${a.error})` : ''}`),
    }));
  expect(troubled).toEqual([]);
}

/**
 * Per order: one payment succeeded and froze escrow, the other is recorded (closed, with the gateway's
 * trade number) and refunded through its gateway; the ledger proves itself and escrow equals the open
 * paid orders.
 */
async function expectOnePaidOneRefunded(orders: TwoAttempts[]) {
  for (const o of orders) {
    const order = await t.db.read
      .selectFrom('orders')
      .select(['status', 'amount_fen'])
      .where('id', '=', o.orderId)
      .executeTakeFirstOrThrow();
    expect(order.status).toBe('pending_acceptance');
    const payments = await t.db.read
      .selectFrom('payments')
      .select(['id', 'status', 'provider_trade_no', 'failure_reason', 'out_trade_no'])
      .where('order_id', '=', o.orderId)
      .orderBy('id')
      .execute();
    expect(payments).toHaveLength(2);
    const won = payments.filter((p) => p.status === 'succeeded');
    const lost = payments.filter((p) => p.status !== 'succeeded');
    expect(won, `order ${o.orderId}`).toHaveLength(1);
    expect(lost[0]).toMatchObject({ status: 'closed', failure_reason: 'duplicate payment refunded' });
    expect(lost[0]!.provider_trade_no).toBeTruthy();
    const journals = await t.db.read
      .selectFrom('ledger_journals')
      .select(['kind', 'idempotency_key'])
      .where('order_id', '=', o.orderId)
      .orderBy('id')
      .execute();
    expect(journals.filter((j) => j.kind === 'order_payment')).toEqual([
      { kind: 'order_payment', idempotency_key: `payment:${won[0]!.id}` },
    ]);
    expect(journals.filter((j) => j.kind === 'stray_payment_refund')).toEqual([
      { kind: 'stray_payment_refund', idempotency_key: `stray:${lost[0]!.id}` },
    ]);
    const refunds = await t.db.read
      .selectFrom('refunds')
      .select(['payment_id', 'out_request_no', 'amount_fen'])
      .where('order_id', '=', o.orderId)
      .execute();
    expect(refunds).toEqual([
      { payment_id: lost[0]!.id, out_request_no: `${lost[0]!.out_trade_no}R`, amount_fen: order.amount_fen },
    ]);
    // Every notification was logged once, as applied: none needed a second delivery.
    const logged = await t.db.read
      .selectFrom('payment_notifications')
      .select(['out_trade_no', 'outcome'])
      .where('out_trade_no', 'in', [o.alipay, o.wechat])
      .execute();
    expect(logged.map((l) => l.outcome)).toEqual(['applied', 'applied']);
  }
  // The refunds reach the gateways: the notifications nudged the worker; passes until none is left (a
  // pass already running when the last refund was queued does not see it).
  await eventually(async () => {
    await processRefunds(t.ctx);
    const pending = await t.db.read
      .selectFrom('refunds')
      .select('id')
      .where('status', '<>', 'succeeded')
      .execute();
    return pending.length === 0;
  });
  const report = await checkLedger(t.db.read);
  expect(report.problems).toEqual([]);
  const open = await t.db.read
    .selectFrom('orders')
    .select((eb) => eb.fn.sum<number>('amount_fen').as('total'))
    .where('status', 'in', ESCROW_HOLDING_STATUSES)
    .executeTakeFirstOrThrow();
  expect(report.escrowHeldFen).toBe(Number(open.total));
  expect(report.openOrdersFen).toBe(Number(open.total));
}

/** Backends waiting on a row lock in the test database (PostgreSQL). */
async function lockWaiters(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return r.rows[0]!.n;
}

describe('both payment attempts of an order succeeding at once', () => {
  it('deterministic interleaving: both notifications wait on the order, then each is answered the first time', async () => {
    const o = await orderWithTwoAttempts();
    const retriesBefore = retries.length;
    if (t.db.native.kind === 'postgres') {
      // Hold the order row so both notifications are inside their transactions at the same time:
      // Alipay's first, then WeChat's; then let them go. Before the lock order this was a certain
      // deadlock (each held its own payment and wanted the other's).
      const pool = t.db.native.pool;
      const blocker = await pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT id FROM orders WHERE id = $1 FOR UPDATE', [o.orderId]);
        t.sandbox!.pay(o.alipay, 'alipay');
        await eventually(async () => (await lockWaiters(pool)) >= 1);
        t.sandbox!.pay(o.wechat, 'wechat');
        await eventually(async () => (await lockWaiters(pool)) >= 2);
        await blocker.query('COMMIT');
      } finally {
        blocker.release();
      }
    } else {
      t.sandbox!.pay(o.alipay, 'alipay');
      t.sandbox!.pay(o.wechat, 'wechat');
    }
    expectAnsweredFirstTime(await settledLogs([o]));
    await expectOnePaidOneRefunded([o]);
    // The lock order, not the retry, is what made this work.
    expect(retries.slice(retriesBefore)).toEqual([]);
  });

  it('50 orders, 100 notifications fired together: every one answered success the first time', async () => {
    const orders: TwoAttempts[] = [];
    for (let i = 0; i < 50; i++) orders.push(await orderWithTwoAttempts(clients[i % clients.length]));
    const retriesBefore = retries.length;
    // PGlite has one connection, so the burst is a queue there: fired 5 orders at a time, or the tail
    // of the queue outlasts the sandbox's 5 s delivery timeout. PostgreSQL takes all 50 at once.
    const wave = t.db.kind === 'postgres' ? orders.length : 5;
    const logs = [];
    for (let i = 0; i < orders.length; i += wave) {
      const fired = orders.slice(i, i + wave);
      for (const o of fired) {
        t.sandbox!.pay(o.alipay, 'alipay');
        t.sandbox!.pay(o.wechat, 'wechat');
      }
      logs.push(...(await settledLogs(fired)));
    }
    expectAnsweredFirstTime(logs);
    await expectOnePaidOneRefunded(orders);
    const paid = await t.db.read
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(
        'id',
        'in',
        orders.map((o) => o.orderId),
      )
      .where('status', '=', 'pending_acceptance')
      .executeTakeFirstOrThrow();
    expect(Number(paid.n)).toBe(50);
    // Not one deadlock, even absorbed by transact()'s retry: the lock order rules them out.
    expect(retries.slice(retriesBefore)).toEqual([]);
  }, 120_000);
});
