import type { OrderAction } from '@jiangxin/shared/orders';
import type { AppContext } from '../../platform/context';
import { AppError } from '../../platform/http/problem';
import { transitionOrder } from './commands';

/**
 * Applies the order deadlines of DESIGN.md: unpaid orders close after PAYMENT_TIMEOUT_MINUTES, paid
 * orders the freelancer has not accepted in ACCEPTANCE_TIMEOUT_HOURS are cancelled and refunded, and
 * delivered orders complete AUTO_COMPLETE_DAYS after delivery without a client response. Each order is
 * its own transaction through the shared state machine, so running this on several instances at once
 * is safe: the loser of a race gets `invalid_transition` and moves on.
 */
export async function runOrderTimeouts(ctx: AppContext, limit = 200): Promise<Record<string, number>> {
  const now = ctx.now();
  const due = async (
    status: 'awaiting_payment' | 'pending_acceptance' | 'delivered',
    column: 'payment_deadline' | 'acceptance_deadline' | 'auto_complete_at',
  ) =>
    ctx.db.write
      .selectFrom('orders')
      .select('id')
      .where('status', '=', status)
      .where(column, '<=', now)
      .orderBy(column)
      .limit(limit)
      .execute();
  const plan: [OrderAction, { id: number }[]][] = [
    ['expire_payment', await due('awaiting_payment', 'payment_deadline')],
    ['expire_acceptance', await due('pending_acceptance', 'acceptance_deadline')],
    ['auto_complete', await due('delivered', 'auto_complete_at')],
  ];
  const counts: Record<string, number> = {};
  for (const [action, orders] of plan) {
    counts[action] = 0;
    for (const { id } of orders) {
      try {
        await transitionOrder(ctx, id, { kind: 'system' }, action);
        counts[action] += 1;
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'invalid_transition'))
          ctx.log.error({ err, orderId: id, action }, 'order timeout failed');
      }
    }
  }
  return counts;
}
