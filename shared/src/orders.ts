import { z } from 'zod';

/**
 * The order state machine (DESIGN.md "Order flow"). This table is the single source of truth: the
 * core refuses any transition not listed here, and the console shows exactly the actions it allows.
 */
export const ORDER_STATUSES = [
  'awaiting_payment',
  'pending_acceptance',
  'in_progress',
  'delivered',
  'revision_requested',
  'completed',
  'cancelled',
  'disputed',
] as const;
export const orderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof orderStatusSchema>;

export const ORDER_STATUS_LABELS: Record<OrderStatus, { zh: string; en: string }> = {
  awaiting_payment: { zh: '待付款', en: 'Awaiting payment' },
  pending_acceptance: { zh: '待接单', en: 'Pending acceptance' },
  in_progress: { zh: '进行中', en: 'In progress' },
  delivered: { zh: '已交付', en: 'Delivered' },
  revision_requested: { zh: '修改中', en: 'Revision requested' },
  completed: { zh: '已完成', en: 'Completed' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  disputed: { zh: '纠纷中', en: 'Disputed' },
};

/** Who is acting on an order. `system` covers payment notifications and timers; `staff` the ops console. */
export type OrderActor = 'client' | 'freelancer' | 'system' | 'staff';

/** What happens to the money when a transition is applied. */
export type EscrowEffect = 'none' | 'freeze' | 'release' | 'refund' | 'settle';

export interface TransitionRule {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  readonly actors: readonly OrderActor[];
  readonly escrow: EscrowEffect;
  readonly label: { zh: string; en: string };
}

export const ORDER_ACTIONS = [
  'mark_paid',
  'expire_payment',
  'accept',
  'decline',
  'expire_acceptance',
  'deliver',
  'request_revision',
  'start_revision',
  'complete',
  'auto_complete',
  'cancel',
  'request_cancellation',
  'withdraw_cancellation',
  'agree_cancellation',
  'dispute',
  'resolve_dispute',
] as const;
export const orderActionSchema = z.enum(ORDER_ACTIONS);
export type OrderAction = z.infer<typeof orderActionSchema>;

const ACTIVE: readonly OrderStatus[] = ['in_progress', 'delivered', 'revision_requested'];

/**
 * `to` equal to a `from` state means the action records something without moving the order
 * (a cancellation proposal, say). `resolve_dispute` goes to `completed` or `cancelled` depending on the
 * resolution; the table names `completed` and the dispute module decides (ops issue).
 */
export const ORDER_TRANSITIONS = {
  mark_paid: {
    from: ['awaiting_payment'],
    to: 'pending_acceptance',
    actors: ['system'],
    escrow: 'freeze',
    label: { zh: '支付成功', en: 'Payment received' },
  },
  expire_payment: {
    from: ['awaiting_payment'],
    to: 'cancelled',
    actors: ['system'],
    escrow: 'none',
    label: { zh: '支付超时关闭', en: 'Payment expired' },
  },
  accept: {
    from: ['pending_acceptance'],
    to: 'in_progress',
    actors: ['freelancer'],
    escrow: 'none',
    label: { zh: '接单', en: 'Accept' },
  },
  decline: {
    from: ['pending_acceptance'],
    to: 'cancelled',
    actors: ['freelancer'],
    escrow: 'refund',
    label: { zh: '拒绝接单', en: 'Decline' },
  },
  expire_acceptance: {
    from: ['pending_acceptance'],
    to: 'cancelled',
    actors: ['system'],
    escrow: 'refund',
    label: { zh: '超时未接单', en: 'Not accepted in time' },
  },
  deliver: {
    from: ['in_progress'],
    to: 'delivered',
    actors: ['freelancer'],
    escrow: 'none',
    label: { zh: '交付', en: 'Deliver' },
  },
  request_revision: {
    from: ['delivered'],
    to: 'revision_requested',
    actors: ['client'],
    escrow: 'none',
    label: { zh: '要求修改', en: 'Request revision' },
  },
  start_revision: {
    from: ['revision_requested'],
    to: 'in_progress',
    actors: ['freelancer'],
    escrow: 'none',
    label: { zh: '开始修改', en: 'Start revision' },
  },
  complete: {
    from: ['delivered'],
    to: 'completed',
    actors: ['client'],
    escrow: 'release',
    label: { zh: '确认验收', en: 'Accept delivery' },
  },
  auto_complete: {
    from: ['delivered'],
    to: 'completed',
    actors: ['system'],
    escrow: 'release',
    label: { zh: '自动确认验收', en: 'Auto-completed' },
  },
  cancel: {
    from: ['awaiting_payment', 'pending_acceptance'],
    to: 'cancelled',
    actors: ['client'],
    escrow: 'refund',
    label: { zh: '取消订单', en: 'Cancel' },
  },
  request_cancellation: {
    from: ACTIVE,
    to: 'in_progress',
    actors: ['client', 'freelancer'],
    escrow: 'none',
    label: { zh: '申请协商取消', en: 'Propose cancellation' },
  },
  withdraw_cancellation: {
    from: ACTIVE,
    to: 'in_progress',
    actors: ['client', 'freelancer'],
    escrow: 'none',
    label: { zh: '撤回取消申请', en: 'Withdraw cancellation' },
  },
  agree_cancellation: {
    from: ACTIVE,
    to: 'cancelled',
    actors: ['client', 'freelancer'],
    escrow: 'refund',
    label: { zh: '同意取消', en: 'Agree to cancel' },
  },
  dispute: {
    from: ACTIVE,
    to: 'disputed',
    actors: ['client', 'freelancer'],
    escrow: 'none',
    label: { zh: '发起纠纷', en: 'Open dispute' },
  },
  resolve_dispute: {
    from: ['disputed'],
    to: 'completed',
    actors: ['staff'],
    escrow: 'settle',
    label: { zh: '裁决纠纷', en: 'Resolve dispute' },
  },
} as const satisfies Record<OrderAction, TransitionRule>;

/** Actions that leave the status where it is (they record a proposal on the order). */
const STATUS_PRESERVING: ReadonlySet<OrderAction> = new Set([
  'request_cancellation',
  'withdraw_cancellation',
]);

/** The status an action leads to from `from`, or null when the table does not allow it. */
export function nextStatus(action: OrderAction, from: OrderStatus, actor: OrderActor): OrderStatus | null {
  const rule: TransitionRule = ORDER_TRANSITIONS[action];
  if (!rule.from.includes(from) || !rule.actors.includes(actor)) return null;
  return STATUS_PRESERVING.has(action) ? from : rule.to;
}

/** Order facts the table's guards need besides the status. */
export interface OrderGuardFacts {
  status: OrderStatus;
  revisionsUsed: number;
  revisionsAllowed: number;
  /** Who proposed a mutual cancellation that is still open, if anyone. */
  cancellationRequestedBy: 'client' | 'freelancer' | null;
}

/**
 * The actions `actor` may take now: the table plus the guards that depend on more than the status
 * (revision budget, who proposed a cancellation). The core and the console both call this.
 */
export function allowedOrderActions(facts: OrderGuardFacts, actor: OrderActor): OrderAction[] {
  return ORDER_ACTIONS.filter((action) => {
    if (nextStatus(action, facts.status, actor) === null) return false;
    switch (action) {
      case 'request_revision':
        return facts.revisionsUsed < facts.revisionsAllowed;
      case 'request_cancellation':
        return facts.cancellationRequestedBy === null;
      case 'withdraw_cancellation':
        return facts.cancellationRequestedBy === actor;
      case 'agree_cancellation':
        return facts.cancellationRequestedBy !== null && facts.cancellationRequestedBy !== actor;
      default:
        return true;
    }
  });
}

/** Orders whose money sits in escrow: paid and not yet settled. */
export const ESCROW_HOLDING_STATUSES: readonly OrderStatus[] = [
  'pending_acceptance',
  'in_progress',
  'delivered',
  'revision_requested',
  'disputed',
];

export const PACKAGE_TIERS = ['basic', 'standard', 'premium'] as const;
export const packageTierSchema = z.enum(PACKAGE_TIERS);
export type PackageTier = z.infer<typeof packageTierSchema>;

/**
 * The order number people see and quote (on the order page, in chats, on statements): `JX`, the order's
 * date in China time (YYYYMMDD), then a sequence of at least six digits — `JX20261126000001`.
 */
export const ORDER_NUMBER_PATTERN = /^JX\d{8}\d{6,}$/;

/** An order as staff refer to it: its order number, or its ID (`123` or `#123`). */
export type OrderReference = { orderNumber: string } | { orderId: number };

/**
 * Reads what someone typed or pasted to name an order: an order number (any case, spaces anywhere,
 * full-width characters from a Chinese input method) or an ID with or without `#`. Null when it is
 * neither, so the caller can say so before asking anything.
 */
export function parseOrderReference(input: string): OrderReference | null {
  const compact = input.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  if (ORDER_NUMBER_PATTERN.test(compact)) return { orderNumber: compact };
  const id = /^#?([1-9]\d{0,15})$/.exec(compact)?.[1];
  if (id !== undefined && Number.isSafeInteger(Number(id))) return { orderId: Number(id) };
  return null;
}
