import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import type { AppContext } from '../../platform/context';
import { writeAtCommit } from '../../platform/db/at-commit';
import type { Tx } from '../../platform/db/database';
import { lockPaymentWithOrder } from '../../platform/db/locks';
import { appendEvent } from '../../platform/events/outbox';
import { ledgerAccount } from '../ledger/accounts';
import { returnFailedRefund } from '../ledger/flows';
import { postJournal } from '../ledger/journal';
import { transitionInTx } from '../orders/commands';
import type { OrderRow, PaymentRow } from '../orders/presenters';
import { NotificationRejected, type NotifyAck, type VerifiedNotification } from './gateway';

/**
 * A payment attempt's number: the order number plus the attempt (`JX20261126000042P1`): unique,
 * readable in both gateways' consoles, within WeChat's 6–32 character limit.
 */
export const outTradeNo = (orderNumber: string, attempt: number) => `${orderNumber}P${attempt}`;
/** The first attempt's suffix, for the order's INSERT, which writes that attempt in the same statement. */
export const FIRST_ATTEMPT_SUFFIX = outTradeNo('', 1);
export const firstOutTradeNo = (orderNumber: string) => outTradeNo(orderNumber, 1);

/** A payment attempt row (`outTradeNo`). */
export async function createPaymentRow(
  tx: Tx,
  order: Pick<OrderRow, 'id' | 'order_number' | 'amount_fen'>,
  provider: PaymentProvider,
  attempt: number,
) {
  return tx
    .insertInto('payments')
    .values({
      order_id: order.id,
      provider,
      out_trade_no: outTradeNo(order.order_number, attempt),
      amount_fen: order.amount_fen,
      provider_trade_no: null,
      failure_reason: null,
      pay_url: null,
      paid_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** What the gateway is asked to start for a payment (the same for every attempt of an order). */
function paymentRequest(
  ctx: AppContext,
  p: { provider: PaymentProvider; outTradeNo: string; amountFen: number; serviceTitle: string },
) {
  return {
    outTradeNo: p.outTradeNo,
    amountFen: p.amountFen,
    subject: `匠心订单 ${p.serviceTitle}`.slice(0, 120),
    notifyUrl: `${ctx.publicUrl}/api/v1/payments/${p.provider}/notify`,
  };
}

/**
 * The pay URL of a first payment attempt when the provider builds it without a network call, so the
 * order's transaction stores it and no write follows the commit; null otherwise (or when it failed: the
 * order stays payable and `ensurePayUrl` tries again after the commit).
 */
export async function localPayUrl(
  ctx: AppContext,
  p: { provider: PaymentProvider; outTradeNo: string; amountFen: number; serviceTitle: string },
): Promise<string | null> {
  const gateway = ctx.gateways[p.provider];
  if (!gateway.payUrlIsLocal) return null;
  try {
    return (await gateway.createPayment(paymentRequest(ctx, p))).payUrl;
  } catch (err) {
    ctx.log.warn({ err, outTradeNo: p.outTradeNo }, 'gateway did not create the payment');
    return null;
  }
}

/**
 * Asks the gateway for the pay URL of a pending payment, outside any transaction (it may be a network
 * call), and stores it. Safe to call again: a payment that has a URL is left alone.
 */
export async function ensurePayUrl(
  ctx: AppContext,
  payment: PaymentRow,
  serviceTitle: string,
): Promise<PaymentRow> {
  if (payment.pay_url || payment.status !== 'pending') return payment;
  try {
    const { payUrl } = await ctx.gateways[payment.provider].createPayment(
      paymentRequest(ctx, {
        provider: payment.provider,
        outTradeNo: payment.out_trade_no,
        amountFen: payment.amount_fen,
        serviceTitle,
      }),
    );
    return await ctx.db.write
      .updateTable('payments')
      .set({ pay_url: payUrl, updated_at: ctx.now() })
      .where('id', '=', payment.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    // The order stays payable: the client can ask for a new attempt (POST /orders/:id/pay).
    ctx.log.warn({ err, outTradeNo: payment.out_trade_no }, 'gateway did not create the payment');
    return payment;
  }
}

/**
 * Handles an async payment notification end to end and returns the answer for the gateway.
 * Forged, tampered, wrong-app and wrong-amount notifications are refused and logged; the order stays
 * unpaid. A duplicate changes nothing. Money for an order that can no longer take it (already paid by
 * another attempt, or closed) is refunded at once.
 */
export async function handlePaymentNotification(
  ctx: AppContext,
  provider: PaymentProvider,
  req: { headers: Record<string, string | string[] | undefined>; rawBody: string },
): Promise<NotifyAck & { accepted: boolean }> {
  const gateway = ctx.gateways[provider];
  const headersForLog = pickHeaders(req.headers);
  let verified: VerifiedNotification;
  try {
    verified = await gateway.verifyNotification(req);
  } catch (err) {
    const reason =
      err instanceof NotificationRejected ? err.reason : `unverifiable: ${(err as Error).message}`;
    const outTradeNo = err instanceof NotificationRejected ? err.outTradeNo : null;
    ctx.log.warn({ provider, outTradeNo, reason }, 'payment notification rejected');
    await ctx.db.transact((tx) =>
      logNotification(tx, {
        provider,
        outTradeNo,
        outcome: 'rejected',
        reason,
        headers: headersForLog,
        body: req.rawBody,
      }),
    );
    return { ...gateway.ackFailure(reason), accepted: false };
  }

  const outcome = await ctx.db.transact((tx) =>
    applyVerifiedNotification(ctx, tx, provider, verified, { headers: headersForLog, rawBody: req.rawBody }),
  );
  if ('rejected' in outcome && outcome.rejected) {
    ctx.log.warn(
      { provider, outTradeNo: verified.outTradeNo, reason: outcome.rejected },
      'payment notification rejected',
    );
    return { ...gateway.ackFailure(outcome.rejected), accepted: false };
  }
  // Only a stray payment queues a refund here; other pending refunds are the sweeper's (every pass).
  if ('ok' in outcome && outcome.refundQueued)
    void processRefunds(ctx).catch((err) => ctx.log.error({ err }, 'refund processing failed'));
  return { ...gateway.ackSuccess(), accepted: true };
}

/** `refundQueued`: the notification queued a gateway refund (a stray payment), to be sent at once. */
export type NotificationOutcome = { ok: true; refundQueued?: true } | { rejected: string };

/**
 * Applies a verified notification in the caller's transaction: checks it against the payment row
 * (known out_trade_no, same provider, exact amount), then marks the payment and moves the order
 * through the state machine. Idempotent: a second identical notification is logged as a duplicate.
 * The demo seeder calls this directly with notifications it made itself.
 */
export async function applyVerifiedNotification(
  ctx: AppContext,
  tx: Tx,
  provider: PaymentProvider,
  verified: VerifiedNotification,
  raw: { headers: Record<string, string>; rawBody: string },
): Promise<NotificationOutcome> {
  // Lock order (platform/db/locks.ts): the payment's order, then the payment, in one statement. Two
  // attempts of one order notified at once used to lock their own payment first and deadlock on the
  // order and each other's payment.
  const locked = await lockPaymentWithOrder(tx, verified.outTradeNo);
  const log = (outcome: 'applied' | 'duplicate' | 'failed_payment' | 'rejected', reason = '') =>
    logNotification(tx, {
      provider,
      outTradeNo: verified.outTradeNo,
      outcome,
      reason,
      headers: raw.headers,
      body: raw.rawBody,
    });
  if (!locked || locked.payment.provider !== provider) {
    await log('rejected', 'unknown out_trade_no');
    return { rejected: 'unknown out_trade_no' as string };
  }
  const { order, payment } = locked;
  if (verified.amountFen !== payment.amount_fen) {
    const reason = `amount mismatch: notified ${verified.amountFen} fen, expected ${payment.amount_fen}`;
    await log('rejected', reason);
    return { rejected: reason };
  }
  if (verified.outcome === 'pending') {
    await log('duplicate', `status ${verified.rawStatus}`);
    return { ok: true };
  }
  if (verified.outcome !== 'succeeded') {
    if (payment.status === 'pending') {
      await tx
        .updateTable('payments')
        .set({ status: 'failed', failure_reason: verified.rawStatus, updated_at: ctx.now() })
        .where('id', '=', payment.id)
        .execute();
      await appendEvent(
        tx,
        'payment.failed',
        { aggregateType: 'order', aggregateId: payment.order_id, audience: [order.client_id] },
        {
          paymentId: payment.id,
          orderId: payment.order_id,
          provider,
          outTradeNo: payment.out_trade_no,
          reason: verified.rawStatus,
        },
      );
      await log('failed_payment', verified.rawStatus);
    } else await log('duplicate', `already ${payment.status}`);
    return { ok: true };
  }
  if (payment.status === 'succeeded') {
    await log('duplicate', 'already succeeded');
    return { ok: true };
  }
  if (order.status !== 'awaiting_payment') {
    // Paid twice (two attempts) or after the order closed: take the money in and send it straight back.
    await refundStrayPayment(ctx, tx, order, payment, verified);
    await log('applied', `order already ${order.status}: refunded`);
    return { ok: true, refundQueued: true };
  }
  // This attempt succeeds; any other attempt still pending for the order closes, under the order's lock,
  // in the statement that marks the order paid (below).
  const markPaid = tx
    .updateTable('payments')
    .set((eb) => ({
      status: eb
        .case()
        .when('id', '=', payment.id)
        .then(eb.val<'succeeded' | 'closed'>('succeeded'))
        .else(eb.val<'succeeded' | 'closed'>('closed'))
        .end(),
      provider_trade_no: eb
        .case()
        .when('id', '=', payment.id)
        .then(verified.providerTradeNo)
        .else(eb.ref('provider_trade_no'))
        .end(),
      paid_at: eb.case().when('id', '=', payment.id).then(ctx.now()).else(eb.ref('paid_at')).end(),
      updated_at: ctx.now(),
    }))
    .where('order_id', '=', order.id)
    .where((eb) => eb.or([eb('id', '=', payment.id), eb('status', '=', 'pending')]));
  await appendEvent(
    tx,
    'payment.succeeded',
    { aggregateType: 'order', aggregateId: order.id, audience: [order.client_id] },
    {
      paymentId: payment.id,
      orderId: order.id,
      provider,
      outTradeNo: payment.out_trade_no,
      amountFen: payment.amount_fen,
    },
  );
  await transitionInTx(ctx, tx, order, { kind: 'system' }, 'mark_paid', {
    paidWith: { id: payment.id, provider: payment.provider },
    alsoWrite: markPaid,
  });
  await log('applied');
  return { ok: true };
}

/**
 * Logs a notification and its outcome in the caller's transaction; a rejection also appends
 * `payment.notification_rejected` so staff see forged or mismatched notifications live.
 */
async function logNotification(
  tx: Tx,
  n: {
    provider: PaymentProvider;
    outTradeNo: string | null;
    outcome: 'applied' | 'duplicate' | 'failed_payment' | 'rejected';
    reason: string;
    headers: Record<string, string>;
    body: string;
  },
): Promise<void> {
  // A log row nothing reads in this transaction: written with its last statement (at-commit.ts).
  await writeAtCommit(
    tx,
    tx.insertInto('payment_notifications').values({
      provider: n.provider,
      out_trade_no: n.outTradeNo,
      outcome: n.outcome,
      reason: n.reason,
      headers: JSON.stringify(n.headers) as never,
      body: n.body,
    }),
  );
  if (n.outcome === 'rejected') {
    await appendEvent(
      tx,
      'payment.notification_rejected',
      { aggregateType: 'payment', aggregateId: 0 },
      { provider: n.provider, outTradeNo: n.outTradeNo, reason: n.reason },
    );
  }
}

function pickHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith('wechatpay-') || k === 'content-type' || k === 'user-agent')
      out[k] = Array.isArray(v) ? v.join(',') : (v ?? '');
  }
  return out;
}

/** Money that arrived for an order that cannot take it: in and straight back out, plus a gateway refund. */
async function refundStrayPayment(
  ctx: AppContext,
  tx: Tx,
  order: OrderRow,
  payment: PaymentRow,
  verified: VerifiedNotification,
) {
  await tx
    .updateTable('payments')
    .set({
      status: 'closed',
      provider_trade_no: verified.providerTradeNo,
      failure_reason: 'duplicate payment refunded',
      updated_at: ctx.now(),
    })
    .where('id', '=', payment.id)
    .execute();
  const clearing = ledgerAccount.clearing(payment.provider);
  const client = ledgerAccount.available(order.client_id);
  await postJournal(tx, {
    kind: 'stray_payment_refund',
    orderId: order.id,
    idempotencyKey: `stray:${payment.id}`,
    description: `订单 ${order.order_number} 重复支付，原路退回`,
    audience: [order.client_id],
    postings: [
      { account: clearing, amountFen: -payment.amount_fen },
      { account: client, amountFen: payment.amount_fen, entryType: 'deposit' },
      { account: client, amountFen: -payment.amount_fen, entryType: 'refund_out' },
      { account: clearing, amountFen: payment.amount_fen },
    ],
  });
  await queueGatewayRefund(tx, {
    orderId: order.id,
    paymentId: payment.id,
    outRequestNo: `${payment.out_trade_no}R`,
    amountFen: payment.amount_fen,
  });
}

/**
 * Queues a refund for the refunds worker, which sends it to the gateway after commit. Idempotent on
 * `outRequestNo` (the gateway's refund id too), so queueing the same refund twice queues it once.
 */
export async function queueGatewayRefund(
  tx: Tx,
  r: { orderId: number; paymentId: number; outRequestNo: string; amountFen: number },
): Promise<void> {
  await tx
    .insertInto('refunds')
    .values({
      order_id: r.orderId,
      payment_id: r.paymentId,
      out_request_no: r.outRequestNo,
      amount_fen: r.amountFen,
      last_error: null,
    })
    .onConflict((oc) => oc.column('out_request_no').doNothing())
    .execute();
}

/** The pass in progress per database, so overlapping triggers share one pass instead of racing. */
const refundPasses = new WeakMap<object, Promise<void>>();

/**
 * Sends pending refunds to their gateways (idempotent on out_request_no, so a retry after a timeout is
 * safe). A refund the gateway refuses for good credits the client's wallet instead; one that is still
 * pending is retried on the next pass, up to 20 attempts.
 */
export async function processRefunds(ctx: AppContext): Promise<void> {
  const running = refundPasses.get(ctx.db);
  if (running) return running;
  const pass = (async () => {
    const pending = await ctx.db.write
      .selectFrom('refunds')
      .innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .innerJoin('orders', 'orders.id', 'refunds.order_id')
      .select([
        'refunds.id',
        'refunds.out_request_no',
        'refunds.amount_fen',
        'refunds.attempts',
        'refunds.order_id',
        'payments.provider',
        'payments.out_trade_no',
        'payments.amount_fen as total_fen',
        'orders.client_id',
      ])
      .where('refunds.status', '=', 'pending')
      .where('refunds.attempts', '<', 20)
      .orderBy('refunds.id')
      .limit(100)
      .execute();
    for (const r of pending) {
      const result = await ctx.gateways[r.provider]
        .refund({
          outTradeNo: r.out_trade_no,
          outRequestNo: r.out_request_no,
          refundFen: r.amount_fen,
          totalFen: r.total_fen,
          reason: '订单取消退款',
        })
        .catch((err: Error) => ({ status: 'pending' as const, error: err.message }));
      await ctx.db.transact(async (tx) => {
        if (result.status === 'succeeded') {
          await tx
            .updateTable('refunds')
            .set({ status: 'succeeded', attempts: r.attempts + 1, updated_at: ctx.now() })
            .where('id', '=', r.id)
            .execute();
        } else if (result.status === 'failed') {
          await tx
            .updateTable('refunds')
            .set({
              status: 'failed',
              attempts: r.attempts + 1,
              last_error: result.reason,
              updated_at: ctx.now(),
            })
            .where('id', '=', r.id)
            .execute();
          await returnFailedRefund(tx, {
            id: r.id,
            orderId: r.order_id,
            clientId: r.client_id,
            amountFen: r.amount_fen,
            provider: r.provider,
          });
        } else {
          await tx
            .updateTable('refunds')
            .set({
              attempts: r.attempts + 1,
              last_error: 'error' in result ? String(result.error) : 'pending at gateway',
              updated_at: ctx.now(),
            })
            .where('id', '=', r.id)
            .execute();
        }
      });
    }
  })().finally(() => refundPasses.delete(ctx.db));
  refundPasses.set(ctx.db, pass);
  return pass;
}
