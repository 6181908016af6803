import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { queueNotification } from './outbox';

/** The order's terms: carried by the event since 2026-12, read from the order for an older one. */
const orderFacts = async (
  tx: Tx,
  e: { orderId: number; amountFen?: number; platformFeeFen?: number | null; serviceTitle?: string },
) =>
  e.amountFen !== undefined && e.serviceTitle !== undefined && e.platformFeeFen !== undefined
    ? { amount_fen: e.amountFen, platform_fee_fen: e.platformFeeFen, service_title: e.serviceTitle }
    : tx
        .selectFrom('orders')
        .select(['amount_fen', 'platform_fee_fen', 'service_title'])
        .where('id', '=', e.orderId)
        .executeTakeFirst();

/**
 * Queues email/SMS notifications in the transaction of the domain event that calls for them (see
 * outbox.ts). Registered by name, so a second app instance on the same database replaces rather than
 * doubles them.
 */
export function registerNotificationReactions(ctx: AppContext): void {
  const on = ctx.db.reactions;

  on.on('order.status_changed', 'notifications.order', async (tx, e) => {
    const n = e.orderNumber;
    const order = await orderFacts(tx, e);
    if (!order) return;
    switch (e.to) {
      case 'pending_acceptance':
        if (e.from !== 'awaiting_payment') return;
        await queueNotification(ctx, tx, 'order.status_changed', e.freelancerId, 'order_paid_freelancer', {
          orderNumber: n,
          amountFen: order.amount_fen,
          serviceTitle: order.service_title,
        });
        return;
      case 'delivered':
        await queueNotification(ctx, tx, 'order.status_changed', e.clientId, 'order_delivered_client', {
          orderNumber: n,
          serviceTitle: order.service_title,
        });
        return;
      case 'completed':
        // A dispute resolution tells both parties through `dispute.resolved` instead.
        if (e.from === 'disputed') return;
        await queueNotification(
          ctx,
          tx,
          'order.status_changed',
          e.freelancerId,
          'order_completed_freelancer',
          {
            orderNumber: n,
            earnedFen: order.amount_fen - (order.platform_fee_fen ?? 0),
          },
        );
        await queueNotification(ctx, tx, 'order.status_changed', e.clientId, 'order_completed_client', {
          orderNumber: n,
        });
        return;
      case 'cancelled': {
        if (e.from === 'disputed') return;
        const refunded = e.from !== 'awaiting_payment';
        // The party who cancelled knows; the other one (both, when the system did it) is told.
        for (const userId of [e.clientId, e.freelancerId]) {
          if (userId === e.actorUserId) continue;
          // An unpaid order that lapsed concerns only the client; the freelancer never saw it.
          if (!refunded && userId === e.freelancerId) continue;
          await queueNotification(ctx, tx, 'order.status_changed', userId, 'order_cancelled', {
            orderNumber: n,
            refunded: refunded && userId === e.clientId,
            reason: e.note,
          });
        }
        return;
      }
      default:
        return;
    }
  });

  on.on('service.status_changed', 'notifications.service', async (tx, e) => {
    if (e.to !== 'published' && e.to !== 'rejected') return;
    if (e.to === 'published' && e.from !== 'pending_review') return;
    const s = await tx
      .selectFrom('services')
      .select(['title', 'title_zh'])
      .where('id', '=', e.serviceId)
      .executeTakeFirst();
    const title = s?.title_zh || s?.title || `#${e.serviceId}`;
    await queueNotification(
      ctx,
      tx,
      'service.status_changed',
      e.freelancerId,
      e.to === 'published' ? 'service_published' : 'service_rejected',
      { title },
    );
  });

  on.on('dispute.resolved', 'notifications.dispute', async (tx, e) => {
    const order = await tx
      .selectFrom('orders')
      .select(['client_id', 'freelancer_id'])
      .where('id', '=', e.orderId)
      .executeTakeFirst();
    if (!order) return;
    for (const userId of [order.client_id, order.freelancer_id])
      await queueNotification(ctx, tx, 'dispute.resolved', userId, 'dispute_resolved', {
        orderNumber: e.orderNumber,
        refundFen: e.refundFen,
        releaseFen: e.releaseFen,
      });
  });

  on.on('sanction.applied', 'notifications.sanction', async (tx, e) => {
    await queueNotification(ctx, tx, 'sanction.applied', e.userId, 'sanction_applied', {
      kind: e.kind,
      reason: e.reason,
      endsAt: e.endsAt ? new Date(e.endsAt).toISOString() : null,
    });
  });

  on.on('payout.status_changed', 'notifications.payout', async (tx, e) => {
    if (e.to === 'paid')
      await queueNotification(ctx, tx, 'payout.status_changed', e.userId, 'payout_paid', {
        amountFen: e.amountFen,
        channel: e.channel,
      });
    else if (e.to === 'failed')
      await queueNotification(ctx, tx, 'payout.status_changed', e.userId, 'payout_failed', {
        amountFen: e.amountFen,
      });
    else if (e.to === 'rejected')
      await queueNotification(ctx, tx, 'payout.status_changed', e.userId, 'payout_rejected', {
        amountFen: e.amountFen,
        reason: e.reason ?? '',
      });
  });
}
