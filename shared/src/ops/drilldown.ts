import { z } from 'zod';
import { realNameStatusSchema } from '../api/accounts';
import { isoDateTime } from '../api/common';
import { paymentProviderSchema } from '../api/orders';
import { orderStatusSchema, packageTierSchema } from '../orders';
import { caseKindSchema, caseStatusSchema } from './cases';
import { disputeOutcomeSchema } from './disputes';
import { reportTargetTypeSchema, SANCTION_STATUSES, sanctionKindSchema } from './moderation';
import { payoutStatusSchema, withdrawalChannelSchema } from './payouts';
import { supportConversationStatusSchema } from './support';

/**
 * Drill-down pages (Stripe-style): one customer with everything about them on one page
 * (`GET /ops/customers/:id`), and one order with its timeline, money movements and cases
 * (`GET /ops/orders/:id`). Any member of staff may open them (`cases.view`); personal data is masked
 * exactly as in the customer context (`POST /ops/users/:id/reveal` gives the clear value, audited), and a
 * case of a kind the caller may not open shows without its title. Every list is the newest
 * `DRILLDOWN_LIST_LIMIT` rows with the total count.
 */
export const DRILLDOWN_LIST_LIMIT = 50;

type Labels<K extends string> = Record<K, { zh: string; en: string }>;

/** A list on a drill-down page: the newest rows and how many there are in all. */
const bounded = <T extends z.ZodType>(item: T) => z.object({ total: z.number().int(), items: z.array(item) });

const personSchema = z.object({ id: z.number().int(), nickname: z.string() });

/** A case behind a row: enough to link to it in its queue (`workspaces.ts`) and say where it stands. */
export const drilldownCaseRefSchema = z.object({
  id: z.number().int(),
  kind: caseKindSchema,
  status: caseStatusSchema,
});
export type DrilldownCaseRef = z.infer<typeof drilldownCaseRefSchema>;

export const drilldownCaseSchema = drilldownCaseRefSchema.extend({
  stage: z.string(),
  outcome: z.string().nullable(),
  /** null for kinds the caller may not open. */
  title: z.string().nullable(),
  amountFen: z.number().int().nullable(),
  createdAt: isoDateTime,
  resolvedAt: isoDateTime.nullable(),
});
export type DrilldownCase = z.infer<typeof drilldownCaseSchema>;

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'closed'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;
export const PAYMENT_STATUS_LABELS: Labels<PaymentStatus> = {
  pending: { zh: '待支付', en: 'Awaiting payment' },
  succeeded: { zh: '支付成功', en: 'Paid' },
  failed: { zh: '支付失败', en: 'Failed' },
  closed: { zh: '已关闭', en: 'Closed' },
};
export const PAYMENT_PROVIDER_LABELS: Labels<z.infer<typeof paymentProviderSchema>> = {
  alipay: { zh: '支付宝', en: 'Alipay' },
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
};

export const DISPUTE_STATUS_LABELS: Labels<'open' | 'resolved'> = {
  open: { zh: '处理中', en: 'Open' },
  resolved: { zh: '已裁决', en: 'Resolved' },
};
export const SUPPORT_CHAT_STATUS_LABELS: Labels<'open' | 'resolved'> = {
  open: { zh: '进行中', en: 'Open' },
  resolved: { zh: '已解决', en: 'Resolved' },
};
export const SANCTION_STATUS_LABELS: Labels<(typeof SANCTION_STATUSES)[number]> = {
  active: { zh: '生效中', en: 'In force' },
  expired: { zh: '已到期', en: 'Expired' },
  revoked: { zh: '已撤销', en: 'Revoked' },
};
export const USER_STATUS_LABELS: Labels<'active' | 'suspended' | 'banned'> = {
  active: { zh: '正常', en: 'Active' },
  suspended: { zh: '封禁中', en: 'Suspended' },
  banned: { zh: '已永久封禁', en: 'Banned' },
};
export const REPORT_TARGET_LABELS: Labels<z.infer<typeof reportTargetTypeSchema>> = {
  listing: { zh: '服务', en: 'Listing' },
  review: { zh: '评价', en: 'Review' },
  message: { zh: '消息', en: 'Message' },
  user: { zh: '用户', en: 'User' },
};
export const PACKAGE_TIER_LABELS: Labels<z.infer<typeof packageTierSchema>> = {
  basic: { zh: '基础版', en: 'Basic' },
  standard: { zh: '标准版', en: 'Standard' },
  premium: { zh: '高级版', en: 'Premium' },
};
/** Which side of an order a customer is on. */
export const ORDER_ROLE_LABELS: Labels<'client' | 'freelancer'> = {
  client: { zh: '雇主', en: 'Client' },
  freelancer: { zh: '服务商', en: 'Freelancer' },
};

export const drilldownPaymentSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  orderNumber: z.string(),
  provider: paymentProviderSchema,
  amountFen: z.number().int(),
  status: paymentStatusSchema,
  paidAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
});

// ---------------------------------------------------------------------------------------------------
// The customer page

export const customerPageSchema = z.object({
  profile: z.object({
    id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    isClient: z.boolean(),
    isFreelancer: z.boolean(),
    /** True for a staff account (its marketplace side is usually empty). */
    isStaff: z.boolean(),
    status: z.enum(['active', 'suspended', 'banned']),
    suspendedUntil: isoDateTime.nullable(),
    createdAt: isoDateTime,
    /** Always masked (`138****8000`); the clear value only through the audited reveal. */
    phone: z.string().nullable(),
    phoneVerified: z.boolean(),
    realNameStatus: realNameStatusSchema,
  }),
  orders: bounded(
    z.object({
      id: z.number().int(),
      orderNumber: z.string(),
      serviceTitle: z.string(),
      status: orderStatusSchema,
      amountFen: z.number().int(),
      /** The customer's side of this order. */
      role: z.enum(['client', 'freelancer']),
      counterpart: personSchema,
      createdAt: isoDateTime,
    }),
  ),
  payments: bounded(drilldownPaymentSchema),
  payouts: bounded(
    z.object({
      id: z.number().int(),
      amountFen: z.number().int(),
      channel: withdrawalChannelSchema,
      status: payoutStatusSchema,
      createdAt: isoDateTime,
      paidAt: isoDateTime.nullable(),
      case: drilldownCaseRefSchema.nullable(),
    }),
  ),
  disputes: bounded(
    z.object({
      id: z.number().int(),
      orderId: z.number().int(),
      orderNumber: z.string(),
      /** The customer's side of the disputed order. */
      role: z.enum(['client', 'freelancer']),
      /** Whether this customer opened the dispute. */
      openedByCustomer: z.boolean(),
      status: z.enum(['open', 'resolved']),
      resolution: disputeOutcomeSchema.nullable(),
      createdAt: isoDateTime,
      resolvedAt: isoDateTime.nullable(),
      case: drilldownCaseRefSchema.nullable(),
    }),
  ),
  reports: bounded(
    z.object({
      id: z.number().int(),
      /** `by`: the customer reported someone; `against`: someone reported the customer's content. */
      direction: z.enum(['by', 'against']),
      targetType: reportTargetTypeSchema,
      /** The reason code with its words (unknown codes keep the code in both). */
      reasonText: z.object({ zh: z.string(), en: z.string() }),
      /** The other person: whose content was reported (`by`), or who reported it (`against`; null when the scanner did). */
      counterpart: personSchema.nullable(),
      createdAt: isoDateTime,
      case: drilldownCaseRefSchema.nullable(),
    }),
  ),
  supportChats: bounded(
    z.object({
      id: z.number().int(),
      subject: z.string(),
      orderId: z.number().int().nullable(),
      orderNumber: z.string().nullable(),
      status: supportConversationStatusSchema,
      createdAt: isoDateTime,
      updatedAt: isoDateTime,
      case: drilldownCaseRefSchema.nullable(),
    }),
  ),
  sanctions: bounded(
    z.object({
      id: z.number().int(),
      kind: sanctionKindSchema,
      status: z.enum(SANCTION_STATUSES),
      reasonText: z.object({ zh: z.string(), en: z.string() }),
      days: z.number().int().nullable(),
      startsAt: isoDateTime,
      endsAt: isoDateTime.nullable(),
      createdAt: isoDateTime,
      case: drilldownCaseRefSchema.nullable(),
    }),
  ),
});
export type CustomerPage = z.infer<typeof customerPageSchema>;

// ---------------------------------------------------------------------------------------------------
// The order page

/** Who moved the order: one of its parties, a member of staff, or the platform (payment, timers). */
export const ORDER_ACTOR_KINDS = ['client', 'freelancer', 'staff', 'system'] as const;
export const ORDER_ACTOR_LABELS: Labels<(typeof ORDER_ACTOR_KINDS)[number]> = {
  client: { zh: '雇主', en: 'Client' },
  freelancer: { zh: '服务商', en: 'Freelancer' },
  staff: { zh: '平台员工', en: 'Staff member' },
  system: { zh: '系统', en: 'The platform' },
};

/**
 * What one journal did to the order's money, line by line (the pass-through postings through the
 * client's wallet are left out): money frozen in or leaving escrow, the freelancer's earning, the
 * client's refund, the platform fee, and money returned the way it came (原路退回).
 */
export const MONEY_MOVEMENTS = [
  'escrow_freeze',
  'escrow_out',
  'freelancer_earning',
  'client_refund',
  'platform_fee',
  'back_to_gateway',
] as const;
export const moneyMovementSchema = z.enum(MONEY_MOVEMENTS);
export type MoneyMovement = z.infer<typeof moneyMovementSchema>;
export const MONEY_MOVEMENT_LABELS: Labels<MoneyMovement> = {
  escrow_freeze: { zh: '冻结入托管', en: 'Frozen in escrow' },
  escrow_out: { zh: '从托管转出', en: 'Out of escrow' },
  freelancer_earning: { zh: '放款给服务商', en: 'Released to the freelancer' },
  client_refund: { zh: '退款给雇主', en: 'Refunded to the client' },
  platform_fee: { zh: '平台服务费', en: 'Platform fee' },
  back_to_gateway: { zh: '原路退回支付渠道', en: 'Returned to the payment channel' },
};

export const orderPageSchema = z.object({
  order: z.object({
    id: z.number().int(),
    orderNumber: z.string(),
    serviceId: z.number().int(),
    serviceTitle: z.string(),
    tier: packageTierSchema,
    status: orderStatusSchema,
    amountFen: z.number().int(),
    platformFeeFen: z.number().int().nullable(),
    client: personSchema,
    freelancer: personSchema,
    revisionsUsed: z.number().int(),
    revisionsAllowed: z.number().int(),
    createdAt: isoDateTime,
    paidAt: isoDateTime.nullable(),
    deliveryDeadline: isoDateTime.nullable(),
    completedAt: isoDateTime.nullable(),
    cancelledAt: isoDateTime.nullable(),
  }),
  /** State transitions, oldest first. `action` is `created` or an order action (`ORDER_TRANSITIONS`). */
  timeline: bounded(
    z.object({
      id: z.number().int(),
      at: isoDateTime,
      action: z.string(),
      fromStatus: orderStatusSchema.nullable(),
      toStatus: orderStatusSchema,
      actor: z.object({
        kind: z.enum(ORDER_ACTOR_KINDS),
        id: z.number().int().nullable(),
        nickname: z.string().nullable(),
      }),
      note: z.string(),
    }),
  ),
  /** Ledger journals recorded for the order, oldest first, with what each did to its money. */
  money: bounded(
    z.object({
      journalId: z.number().int(),
      kind: z.string(),
      at: isoDateTime,
      lines: z.array(z.object({ movement: moneyMovementSchema, amountFen: z.number().int() })),
    }),
  ).extend({
    /** What the order's escrow holds now. */
    escrowFen: z.number().int(),
  }),
  payments: bounded(drilldownPaymentSchema),
  /** Cases about the order (disputes, support chats), newest first. */
  cases: bounded(drilldownCaseSchema),
});
export type OrderPage = z.infer<typeof orderPageSchema>;
