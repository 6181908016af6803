import type { CreateOrderBody, PaymentProvider } from '@jiangxin/shared/api/orders';
import {
  allowedOrderActions,
  nextStatus,
  ORDER_STATUS_LABELS,
  ORDER_TRANSITIONS,
  type OrderAction,
  type PackageTier,
} from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { Write } from '../../platform/db/at-commit';
import { PAYMENT_COLUMNS, prefixedSelections, splitPrefixed } from '../../platform/db/columns';
import type { Tx } from '../../platform/db/database';
import { type Locked, lockOrder, lockPaymentsOfOrder } from '../../platform/db/locks';
import { appendEvent } from '../../platform/events/outbox';
import { runIdempotent } from '../../platform/http/idempotency';
import { AppError, notFound } from '../../platform/http/problem';
import { scaledMs } from '../../platform/time';
import { assertFilesUsable } from '../files/queries';
import { freezePayment, type OrderMoney, refundEscrow, releaseEscrow } from '../ledger/flows';
import {
  createPaymentRow,
  ensurePayUrl,
  FIRST_ATTEMPT_SUFFIX,
  firstOutTradeNo,
  localPayUrl,
  queueGatewayRefund,
} from '../payments/commands';
import type { OrderRow, PaymentRow } from './presenters';

const orderNotFound = () => notFound({ zh: '订单不存在', en: 'No such order' });

/**
 * `JX` + date (China time) + a 6+ digit sequence: readable on the phone, unique by construction. An
 * expression the order's INSERT evaluates, so numbering costs no round trip of its own.
 */
function nextOrderNumber(now: Date) {
  const day = new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');
  return sql<string>`(SELECT 'JX' || ${day}::text || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM nextval('order_number_seq') AS n)`;
}

const moneyOf = (o: OrderRow): OrderMoney => ({
  id: o.id,
  orderNumber: o.order_number,
  clientId: o.client_id,
  freelancerId: o.freelancer_id,
  amountFen: o.amount_fen,
});

/** Everything an order is opened with; prices and terms are copied from the package at this moment. */
export interface NewOrder {
  clientId: number;
  freelancerId: number;
  serviceId: number;
  tier: PackageTier;
  serviceTitle: string;
  amountFen: number;
  deliveryDays: number;
  revisionsAllowed: number;
  requirements: string;
  provider: PaymentProvider;
  /** The demo seeder's own numbers, or one drawn already (`nextOrderNumber`); else the next one. */
  orderNumber?: string;
  /** The first attempt's pay URL when the provider built it before the insert (`localPayUrl`). */
  payUrl?: string | null;
}

/**
 * Writes a new unpaid order with its first payment attempt, its timeline entry and `order.created`, in
 * the caller's transaction, stamped with `ctx.now()`. The one way an order comes into existence.
 */
export async function openOrder(ctx: AppContext, tx: Tx, o: NewOrder) {
  const now = ctx.now();
  // The order, its first timeline row and its first payment attempt in one statement (data-modifying CTEs).
  const row = await tx
    .with('created', (db) =>
      db
        .insertInto('orders')
        .values({
          order_number: o.orderNumber ?? nextOrderNumber(now),
          client_id: o.clientId,
          freelancer_id: o.freelancerId,
          service_id: o.serviceId,
          tier: o.tier,
          service_title: o.serviceTitle,
          amount_fen: o.amountFen,
          platform_fee_fen: null,
          delivery_days: o.deliveryDays,
          revisions_allowed: o.revisionsAllowed,
          requirements: o.requirements,
          status: 'awaiting_payment',
          cancellation_requested_by: null,
          cancellation_reason: null,
          payment_deadline: new Date(
            now.getTime() + scaledMs(ctx.env, ctx.env.PAYMENT_TIMEOUT_MINUTES * 60_000),
          ),
          acceptance_deadline: null,
          delivery_deadline: null,
          auto_complete_at: null,
          paid_at: null,
          accepted_at: null,
          delivered_at: null,
          completed_at: null,
          cancelled_at: null,
          created_at: now,
          updated_at: now,
        })
        .returningAll(),
    )
    .with('timeline', (db) =>
      db
        .insertInto('order_events')
        .columns(['order_id', 'action', 'from_status', 'to_status', 'actor_user_id', 'note'])
        .expression((eb) =>
          eb
            .selectFrom('created')
            .select([
              'created.id',
              sql<string>`'created'`.as('action'),
              sql<null>`NULL`.as('from_status'),
              sql<string>`'awaiting_payment'`.as('to_status'),
              sql<number>`${o.clientId}::bigint`.as('actor_user_id'),
              sql<string>`''`.as('note'),
            ]),
        )
        .returning('id'),
    )
    .with('payment', (db) =>
      db
        .insertInto('payments')
        .columns(['order_id', 'provider', 'out_trade_no', 'amount_fen', 'pay_url'])
        .expression((eb) =>
          eb
            .selectFrom('created')
            .select([
              'created.id',
              sql<PaymentProvider>`${o.provider}::text`.as('provider'),
              sql<string>`created.order_number || ${FIRST_ATTEMPT_SUFFIX}::text`.as('out_trade_no'),
              'created.amount_fen',
              sql<string | null>`${o.payUrl ?? null}::text`.as('pay_url'),
            ]),
        )
        .returningAll(),
    )
    .selectFrom('created')
    .innerJoin('payment', 'payment.order_id', 'created.id')
    .selectAll('created')
    .select(prefixedSelections('payment', PAYMENT_COLUMNS, 'p_'))
    .executeTakeFirstOrThrow();
  const [orderRow, paymentRow] = splitPrefixed(row, 'p_');
  const order = orderRow as OrderRow;
  const payment = paymentRow as PaymentRow;

  await appendEvent(
    tx,
    'order.created',
    { aggregateType: 'order', aggregateId: order.id, audience: [o.clientId] },
    {
      orderId: order.id,
      orderNumber: order.order_number,
      clientId: o.clientId,
      freelancerId: o.freelancerId,
      amountFen: order.amount_fen,
    },
  );
  return { order, payment };
}

/**
 * Places an order for a published service's package, priced from the package as stored (never from the
 * request), and opens its first payment attempt. Runs at most once per Idempotency-Key: a retry returns
 * the same order and payment. The gateway call that yields the pay URL happens after commit.
 */
export async function createOrder(
  ctx: AppContext,
  clientId: number,
  body: CreateOrderBody,
  idempotencyKey: string,
) {
  let opened: { order: OrderRow; payment: PaymentRow } | undefined;
  const { body: ref, replayed } = await ctx.db.transact((tx) => {
    // transact() may run this again after a deadlock: forget what a rolled-back attempt opened.
    opened = undefined;
    return runIdempotent(
      tx,
      { userId: clientId, scope: 'orders.create', key: idempotencyKey, request: body },
      async () => {
        const pkg = await tx
          .selectFrom('services as s')
          .innerJoin('service_packages as p', 'p.service_id', 's.id')
          .innerJoin('users as buyer', (join) => join.on('buyer.id', '=', clientId))
          .select([
            's.id',
            's.freelancer_id',
            's.title_zh',
            's.status',
            'p.price_fen',
            'p.delivery_days',
            'p.revisions',
            'buyer.status as buyer_status',
            // Drawn here (a number a refusal leaves unused is a gap, as sequences have anyway), so the
            // pay URL can be built before the order is written.
            nextOrderNumber(ctx.now()).as('order_number'),
          ])
          .where('s.id', '=', body.serviceId)
          .where('p.tier', '=', body.tier)
          .executeTakeFirst();
        if (!pkg || pkg.status !== 'published') throw new AppError('service_not_orderable');
        if (pkg.freelancer_id === clientId) throw new AppError('cannot_order_own_service');
        if (pkg.buyer_status !== 'active') throw new AppError('account_suspended');
        const payUrl = await localPayUrl(ctx, {
          provider: body.paymentProvider,
          outTradeNo: firstOutTradeNo(pkg.order_number),
          amountFen: pkg.price_fen,
          serviceTitle: pkg.title_zh,
        });
        opened = await openOrder(ctx, tx, {
          orderNumber: pkg.order_number,
          payUrl,
          clientId,
          freelancerId: pkg.freelancer_id,
          serviceId: pkg.id,
          tier: body.tier,
          serviceTitle: pkg.title_zh,
          amountFen: pkg.price_fen,
          deliveryDays: pkg.delivery_days,
          revisionsAllowed: pkg.revisions,
          requirements: body.requirements,
          provider: body.paymentProvider,
        });
        return { status: 201, body: { orderId: opened.order.id, paymentId: opened.payment.id } };
      },
    );
  });
  // A replay reads back what the first request created (the stored response names it).
  const { order, payment } = opened ?? {
    order: await ctx.db.write
      .selectFrom('orders')
      .selectAll()
      .where('id', '=', ref.orderId)
      .executeTakeFirstOrThrow(),
    payment: await ctx.db.write
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', ref.paymentId)
      .executeTakeFirstOrThrow(),
  };
  return { order, payment: await ensurePayUrl(ctx, payment, order.service_title), replayed };
}

/** A new payment attempt for an unpaid order (the previous one failed or the client switched provider). */
export async function retryPayment(
  ctx: AppContext,
  clientId: number,
  orderId: number,
  provider: PaymentProvider,
) {
  const { payment, title } = await ctx.db.transact(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order || order.client_id !== clientId) throw orderNotFound();
    if (order.status !== 'awaiting_payment') throw new AppError('payment_already_settled');
    const attempts = await tx
      .selectFrom('payments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow();
    if (Number(attempts.n) >= 20) throw new AppError('rate_limited');
    const payment = await createPaymentRow(tx, order, provider, Number(attempts.n) + 1);
    return { payment, title: order.service_title };
  });
  return ensurePayUrl(ctx, payment, title);
}

/** What a party may attach to a transition. */
export interface TransitionInput {
  message?: string;
  reason?: string;
  fileIds?: number[];
  /** mark_paid only: the payment that succeeded (marked so by `alsoWrite`). */
  paidWith?: { id: number; provider: PaymentProvider };
  /**
   * A write of the caller's that rides in the order's own statement, as a data-modifying CTE (the
   * payments module marks the paying attempt there): one round trip less, and written before anything
   * later in the transaction reads. It must not touch the order row.
   */
  alsoWrite?: Write;
  /**
   * resolve_dispute only: the staff decision's money movement (the disputes module), run on the locked
   * order in this transaction; says whether the order ends completed or cancelled and the fee taken.
   */
  settleDispute?: (
    order: OrderRow,
  ) => Promise<{ to: 'completed' | 'cancelled'; platformFeeFen: number | null }>;
}

export type Actor = { kind: 'user'; userId: number } | { kind: 'system' } | { kind: 'staff'; userId: number };

/**
 * Applies one action of the shared transition table to an order, in one transaction: locks the order,
 * checks the actor's side and the current state against the table and its guards, applies the action's
 * effects (deliveries, revisions, escrow movements), bumps `version`, records the timeline and appends
 * `order.status_changed`. Refusals change nothing.
 */
export async function transitionOrder(
  ctx: AppContext,
  orderId: number,
  actor: Actor,
  action: OrderAction,
  input: TransitionInput = {},
) {
  return ctx.db.transact((tx) => transitionInTx(ctx, tx, orderId, actor, action, input));
}

/** An order row the caller has already locked in the same transaction (`lockOrder`). */
export type LockedOrder = Locked<OrderRow>;

export async function transitionInTx(
  ctx: AppContext,
  tx: Tx,
  target: number | LockedOrder,
  actor: Actor,
  action: OrderAction,
  input: TransitionInput = {},
) {
  const order = typeof target === 'number' ? await lockOrder(tx, target) : target;
  if (!order) throw orderNotFound();
  const side =
    actor.kind === 'system'
      ? 'system'
      : actor.kind === 'staff'
        ? 'staff'
        : order.client_id === actor.userId
          ? 'client'
          : order.freelancer_id === actor.userId
            ? 'freelancer'
            : null;
  if (side === null) throw orderNotFound();
  const allowed = allowedOrderActions(
    {
      status: order.status,
      revisionsUsed: order.revisions_used,
      revisionsAllowed: order.revisions_allowed,
      cancellationRequestedBy: order.cancellation_requested_by,
    },
    side,
  );
  if (!allowed.includes(action)) {
    if (action === 'request_revision' && order.status === 'delivered' && side === 'client')
      throw new AppError('revision_limit_reached');
    throw new AppError(
      'invalid_transition',
      {
        zh: `订单当前状态为「${ORDER_STATUS_LABELS[order.status].zh}」，不能执行「${ORDER_TRANSITIONS[action].label.zh}」`,
        en: `The order is ${ORDER_STATUS_LABELS[order.status].en.toLowerCase()}; "${ORDER_TRANSITIONS[action].label.en}" is not possible`,
      },
      { status: order.status, allowedActions: allowed },
    );
  }
  let to = nextStatus(action, order.status, side)!;
  const now = ctx.now();
  const patch: Partial<OrderRow> = { status: to, updated_at: now };
  let note = input.reason ?? input.message ?? '';

  switch (action) {
    case 'mark_paid':
      await freezeFromLatestPayment(tx, order, input.paidWith);
      patch.paid_at = now;
      patch.acceptance_deadline = new Date(
        now.getTime() + scaledMs(ctx.env, ctx.env.ACCEPTANCE_TIMEOUT_HOURS * 3_600_000),
      );
      break;
    case 'accept':
      patch.accepted_at = now;
      patch.delivery_deadline = new Date(now.getTime() + order.delivery_days * 86_400_000);
      break;
    case 'deliver': {
      const fileIds = await usableFiles(tx, actor, input.fileIds ?? []);
      await tx
        .insertInto('order_deliveries')
        .values({ order_id: order.id, message: input.message ?? '', file_ids: fileIds })
        .execute();
      patch.delivered_at = now;
      patch.auto_complete_at = new Date(
        now.getTime() + scaledMs(ctx.env, ctx.env.AUTO_COMPLETE_DAYS * 86_400_000),
      );
      break;
    }
    case 'request_revision':
      await tx
        .insertInto('order_revisions')
        .values({ order_id: order.id, message: input.message ?? '' })
        .execute();
      patch.revisions_used = order.revisions_used + 1;
      patch.auto_complete_at = null;
      break;
    case 'complete':
    case 'auto_complete': {
      const { feeFen } = await releaseEscrow(tx, moneyOf(order), ctx.env.PLATFORM_FEE_BPS);
      patch.platform_fee_fen = feeFen;
      patch.completed_at = now;
      patch.auto_complete_at = null;
      patch.cancellation_requested_by = null;
      await tx
        .updateTable('services')
        .set((eb) => ({ orders_completed: eb('orders_completed', '+', 1) }))
        .where('id', '=', order.service_id)
        .execute();
      break;
    }
    case 'decline':
    case 'expire_acceptance':
    case 'agree_cancellation':
      await refundPaidOrder(tx, order);
      patch.cancelled_at = now;
      patch.cancellation_requested_by = null;
      patch.auto_complete_at = null;
      break;
    case 'cancel':
      if (order.paid_at) await refundPaidOrder(tx, order);
      patch.cancelled_at = now;
      break;
    case 'expire_payment':
      patch.cancelled_at = now;
      await lockPaymentsOfOrder(tx, order.id);
      await tx
        .updateTable('payments')
        .set({ status: 'closed', updated_at: now })
        .where('order_id', '=', order.id)
        .where('status', '=', 'pending')
        .execute();
      break;
    case 'request_cancellation':
      patch.cancellation_requested_by = side as 'client' | 'freelancer';
      patch.cancellation_reason = input.reason ?? '';
      break;
    case 'withdraw_cancellation':
      patch.cancellation_requested_by = null;
      patch.cancellation_reason = null;
      break;
    case 'dispute': {
      const fileIds = await usableFiles(tx, actor, input.fileIds ?? []);
      await tx
        .insertInto('disputes')
        .values({
          order_id: order.id,
          opened_by: (actor as { userId: number }).userId,
          reason: input.reason ?? '',
          file_ids: fileIds,
        })
        .execute();
      patch.cancellation_requested_by = null;
      patch.auto_complete_at = null;
      break;
    }
    case 'start_revision':
      break;
    case 'resolve_dispute': {
      if (!input.settleDispute)
        throw new AppError('invalid_transition', {
          zh: '纠纷由运营人员在运营后台裁决',
          en: 'Disputes are resolved by staff in the operations console',
        });
      const settled = await input.settleDispute(order);
      to = settled.to;
      patch.status = to;
      patch.platform_fee_fen = settled.platformFeeFen;
      patch.auto_complete_at = null;
      patch.cancellation_requested_by = null;
      if (to === 'completed') patch.completed_at = now;
      else patch.cancelled_at = now;
      break;
    }
  }

  const actorUserId = actor.kind === 'system' ? null : actor.userId;
  note = note.slice(0, 500);
  // The order's new state, its timeline row and the caller's write in one statement (data-modifying CTEs).
  const statement = tx
    .with('updated', (db) =>
      db
        .updateTable('orders')
        .set({ ...patch, version: order.version + 1 })
        .where('id', '=', order.id)
        .returningAll(),
    )
    .with('timeline', (db) =>
      db
        .insertInto('order_events')
        .values({
          order_id: order.id,
          action,
          from_status: order.status,
          to_status: to,
          actor_user_id: actorUserId,
          note,
        })
        .returning('id'),
    );
  const updated = await (input.alsoWrite
    ? (statement.with('also', () => input.alsoWrite as never) as unknown as typeof statement)
    : statement
  )
    .selectFrom('updated')
    .selectAll()
    .executeTakeFirstOrThrow();
  await appendEvent(
    tx,
    'order.status_changed',
    { aggregateType: 'order', aggregateId: order.id, audience: [order.client_id, order.freelancer_id] },
    {
      orderId: order.id,
      orderNumber: order.order_number,
      action,
      from: order.status,
      to,
      clientId: order.client_id,
      freelancerId: order.freelancer_id,
      actorUserId,
      note,
      amountFen: updated.amount_fen,
      platformFeeFen: updated.platform_fee_fen,
      serviceTitle: updated.service_title,
    },
  );
  return updated;
}

/** The escrow freeze for the payment that just succeeded (the payments module marks it first). */
async function freezeFromLatestPayment(tx: Tx, order: OrderRow, paidWith: TransitionInput['paidWith']) {
  const payment =
    paidWith ??
    (await tx
      .selectFrom('payments')
      .select(['id', 'provider'])
      .where('order_id', '=', order.id)
      .where('status', '=', 'succeeded')
      .executeTakeFirst());
  if (!payment) throw new Error(`order ${order.order_number} marked paid without a succeeded payment`);
  await freezePayment(tx, moneyOf(order), payment);
}

/** Moves the escrow back and queues the gateway refund (processed after commit by the refunds worker). */
async function refundPaidOrder(tx: Tx, order: OrderRow) {
  const payment = await tx
    .selectFrom('payments')
    .select(['id', 'provider', 'out_trade_no', 'amount_fen'])
    .where('order_id', '=', order.id)
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  if (!payment) throw new Error(`order ${order.order_number} has no succeeded payment to refund`);
  const { duplicate } = await refundEscrow(tx, moneyOf(order), payment.provider);
  if (duplicate) return;
  await queueGatewayRefund(tx, {
    orderId: order.id,
    paymentId: payment.id,
    outRequestNo: `${order.order_number}R1`,
    amountFen: order.amount_fen,
  });
}

/** Files attached to a delivery or dispute must exist and belong to the acting user. */
async function usableFiles(tx: Tx, actor: Actor, fileIds: number[]): Promise<number[]> {
  if (!fileIds.length || actor.kind === 'system') return [];
  const files = await assertFilesUsable(tx, actor.userId, [...new Set(fileIds)], { field: 'body.fileIds' });
  return files.map((f) => f.id);
}
