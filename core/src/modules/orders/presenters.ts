import type { Order, Payment } from '@jiangxin/shared/api/orders';
import { allowedOrderActions, type OrderActor } from '@jiangxin/shared/orders';
import type { Selectable } from 'kysely';
import type { OrdersTable, PaymentsTable } from '../../platform/db/schema';

export type OrderRow = Selectable<OrdersTable>;
export type PaymentRow = Selectable<PaymentsTable>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Which side of the order `userId` is on (null: neither). */
export function sideOf(
  order: Pick<OrderRow, 'client_id' | 'freelancer_id'>,
  userId: number,
): 'client' | 'freelancer' | null {
  if (order.client_id === userId) return 'client';
  if (order.freelancer_id === userId) return 'freelancer';
  return null;
}

/** The API shape of an order, with the actions `viewer` may take now (from the shared table). */
export function presentOrder(o: OrderRow, viewer: OrderActor | null): Order {
  return {
    id: o.id,
    orderNumber: o.order_number,
    status: o.status,
    clientId: o.client_id,
    freelancerId: o.freelancer_id,
    serviceId: o.service_id,
    serviceTitle: o.service_title,
    tier: o.tier,
    amountFen: o.amount_fen,
    platformFeeFen: o.platform_fee_fen,
    deliveryDays: o.delivery_days,
    revisionsAllowed: o.revisions_allowed,
    revisionsUsed: o.revisions_used,
    requirements: o.requirements,
    cancellationRequestedBy: o.cancellation_requested_by,
    deliveryDeadline: iso(o.delivery_deadline),
    paidAt: iso(o.paid_at),
    deliveredAt: iso(o.delivered_at),
    completedAt: iso(o.completed_at),
    cancelledAt: iso(o.cancelled_at),
    createdAt: iso(o.created_at)!,
    allowedActions: viewer
      ? allowedOrderActions(
          {
            status: o.status,
            revisionsUsed: o.revisions_used,
            revisionsAllowed: o.revisions_allowed,
            cancellationRequestedBy: o.cancellation_requested_by,
          },
          viewer,
        )
      : [],
  };
}

export function presentPayment(p: PaymentRow): Payment {
  return {
    id: p.id,
    provider: p.provider,
    outTradeNo: p.out_trade_no,
    amountFen: p.amount_fen,
    status: p.status,
    payUrl: p.pay_url ?? '',
    createdAt: iso(p.created_at)!,
  };
}
