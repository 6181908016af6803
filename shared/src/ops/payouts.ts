import { z } from 'zod';
import { realNameStatusSchema } from '../api/accounts';
import { displayName, idSchema, isoDateTime, text } from '../api/common';
import { paymentProviderSchema } from '../api/orders';
import { fenSchema, positiveFenSchema } from '../money';

/**
 * Payouts: a user withdraws from their available balance to Alipay, WeChat or a bank card. The amount
 * moves to `payout_pending` at once; finance approves (two different people above the threshold,
 * never the withdrawer), the core transfers through the gateway with an idempotent `out_biz_no`, and a
 * refusal or a failed transfer returns the money to the available balance.
 */
export const WITHDRAWAL_CHANNELS = ['alipay', 'wechat', 'bank'] as const;
export const withdrawalChannelSchema = z.enum(WITHDRAWAL_CHANNELS);
export type WithdrawalChannel = z.infer<typeof withdrawalChannelSchema>;

export const WITHDRAWAL_CHANNEL_LABELS: Record<WithdrawalChannel, { zh: string; en: string }> = {
  alipay: { zh: '支付宝', en: 'Alipay' },
  wechat: { zh: '微信', en: 'WeChat' },
  bank: { zh: '银行卡', en: 'Bank card' },
};

/**
 * `pending_review`: waiting for finance; `approved`: cleared, queued for the gateway; `processing`: sent
 * to the gateway, result not yet known; `paid`; `failed` (the gateway refused: funds returned);
 * `rejected` (finance refused, with a reason: funds returned).
 */
export const PAYOUT_STATUSES = [
  'pending_review',
  'approved',
  'processing',
  'paid',
  'failed',
  'rejected',
] as const;
export const payoutStatusSchema = z.enum(PAYOUT_STATUSES);
export type PayoutStatus = z.infer<typeof payoutStatusSchema>;

export const PAYOUT_STATUS_LABELS: Record<PayoutStatus, { zh: string; en: string }> = {
  pending_review: { zh: '审核中', en: 'Under review' },
  approved: { zh: '已批准，等待打款', en: 'Approved, awaiting transfer' },
  processing: { zh: '打款中', en: 'Transferring' },
  paid: { zh: '已到账', en: 'Paid' },
  failed: { zh: '打款失败，已退回余额', en: 'Transfer failed, returned to balance' },
  rejected: { zh: '已驳回，已退回余额', en: 'Rejected, returned to balance' },
};

export const withdrawalAccountSchema = z
  .object({
    /** The payee's real name as the account holds it. */
    name: displayName({ min: 1, max: 50 }),
    /** Alipay login id (phone/email), WeChat openid, or bank card number. */
    number: text({ min: 3, max: 64 }).refine((s) => /^[\x21-\x7e]+$/.test(s), {
      error: 'must be visible ASCII characters without spaces',
    }),
    bankName: displayName({ min: 1, max: 50 }).optional(),
  })
  .strict();

/** `POST /wallet/withdrawals` (Idempotency-Key required). */
export const createWithdrawalBodySchema = z
  .object({
    amountFen: positiveFenSchema,
    channel: withdrawalChannelSchema,
    account: withdrawalAccountSchema,
  })
  .strict()
  .superRefine((b, c) => {
    if (b.channel === 'bank' && !b.account.bankName)
      c.addIssue({ code: 'custom', path: ['account', 'bankName'], message: 'is required for bank cards' });
  })
  .meta({
    examples: [
      {
        amountFen: 150000,
        channel: 'bank',
        account: { name: '林小雨', number: '6222021234567890123', bankName: '中国工商银行' },
      },
    ],
  });
export type CreateWithdrawalBody = z.infer<typeof createWithdrawalBodySchema>;

export const withdrawalSchema = z.object({
  id: z.number().int(),
  amountFen: fenSchema,
  channel: withdrawalChannelSchema,
  account: z.object({
    name: z.string(),
    /** Only the last four characters are shown back. */
    numberMasked: z.string(),
    bankName: z.string().nullable(),
  }),
  status: payoutStatusSchema,
  /** Why finance refused (shown to the user). */
  rejectionReason: z.string().nullable(),
  /** Why the gateway refused the transfer. */
  failureReason: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  paidAt: isoDateTime.nullable(),
});
export type Withdrawal = z.infer<typeof withdrawalSchema>;
export const withdrawalPageSchema = z.object({
  items: z.array(withdrawalSchema),
  nextCursor: z.string().nullable(),
});

/** `approve_payout` on a payout case: the version only (and an optional note). */
export const approvePayoutBodySchema = z
  .object({ note: text({ max: 500, multiline: true }).optional() })
  .strict();
/** `reject_payout`: the reason the user will read. */
export const rejectPayoutBodySchema = z
  .object({ reason: text({ min: 1, max: 500, multiline: true }) })
  .strict();
/** `close_failed`: staff acknowledge a failed transfer (funds are already back on the wallet). */
export const closeFailedPayoutBodySchema = z
  .object({ note: text({ max: 500, multiline: true }).optional() })
  .strict();
/** `resolve` on a reconciliation mismatch: what was found and done. */
export const resolveMismatchBodySchema = z
  .object({ note: text({ min: 1, max: 1000, multiline: true }) })
  .strict();

/** `POST /ops/payouts/batch-approve`: each item is approved in its own transaction. */
export const batchApproveBodySchema = z
  .object({
    items: z
      .array(z.object({ caseId: idSchema, version: z.number().int().min(1) }).strict())
      .min(1)
      .max(100),
  })
  .strict();
export const batchApproveResultSchema = z.object({
  results: z.array(
    z.object({
      caseId: z.number().int(),
      ok: z.boolean(),
      /** The case after the approval (ok), or the refusal's code and message in the caller's language. */
      version: z.number().int().nullable(),
      stage: z.string().nullable(),
      code: z.string().nullable(),
      message: z.string().nullable(),
      /** The refusal in both languages (the console shows the reader's side). */
      reason: z.object({ zh: z.string(), en: z.string() }).nullable(),
    }),
  ),
});
export type BatchApproveResult = z.infer<typeof batchApproveResultSchema>;

/** A risk signal shown on the payout case screen. `high` and `medium` set the case's `risk` flag. */
export const PAYOUT_RISK_SIGNALS = [
  'new_account',
  'recent_disputes',
  'first_payout',
  'amount_spike',
  'changed_account',
] as const;
export const payoutRiskSignalSchema = z.object({
  code: z.enum(PAYOUT_RISK_SIGNALS),
  level: z.enum(['info', 'medium', 'high']),
  zh: z.string(),
  en: z.string(),
});
export type PayoutRiskSignal = z.infer<typeof payoutRiskSignalSchema>;

export const RECONCILIATION_PROBLEMS = [
  'missing_in_ledger',
  'missing_at_gateway',
  'amount_differs',
  'status_differs',
] as const;
export type ReconciliationProblem = (typeof RECONCILIATION_PROBLEMS)[number];
export const RECONCILIATION_PROBLEM_LABELS: Record<ReconciliationProblem, { zh: string; en: string }> = {
  missing_in_ledger: {
    zh: '网关有记录，平台账本无记录',
    en: 'At the gateway, missing in the ledger',
  },
  missing_at_gateway: {
    zh: '平台账本有记录，网关无记录',
    en: 'In the ledger, missing at the gateway',
  },
  amount_differs: { zh: '金额不一致', en: 'The amounts differ' },
  status_differs: {
    zh: '平台已记账，网关显示失败',
    en: 'Booked in the ledger, failed at the gateway',
  },
};

/** The money movements reconciliation compares: a payment received, a refund, a payout transfer. */
export const RECONCILIATION_MOVEMENTS = ['payment', 'refund', 'transfer'] as const;
export type ReconciliationMovement = (typeof RECONCILIATION_MOVEMENTS)[number];
export const RECONCILIATION_MOVEMENT_LABELS: Record<ReconciliationMovement, { zh: string; en: string }> = {
  payment: { zh: '收款', en: 'Payment' },
  refund: { zh: '退款', en: 'Refund' },
  transfer: { zh: '转账', en: 'Transfer' },
};

// ---------------------------------------------------------------------------------------------------
// Case details (`GET /ops/cases/:id` → `detail` for the `payout` and `reconciliation_mismatch` kinds)

/** One finance approval of a payout (maker-checker: large amounts need two different people). */
export const payoutApprovalSchema = z.object({
  staffId: z.number().int(),
  staffName: z.string(),
  at: isoDateTime,
  note: z.string(),
});

/** One of the withdrawer's other withdrawals and how it ended. */
export const payoutHistoryItemSchema = z.object({
  id: z.number().int(),
  amountFen: fenSchema,
  channel: withdrawalChannelSchema,
  accountMasked: z.string(),
  status: payoutStatusSchema,
  rejectionReason: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: isoDateTime,
  paidAt: isoDateTime.nullable(),
});

/** The `payout` case's detail: the withdrawal and its execution state, who asked, the risk, the approvals. */
export const payoutCaseDetailSchema = z.object({
  payout: withdrawalSchema.extend({
    /** 1, or 2 at and above the maker-checker threshold. */
    requiredApprovals: z.number().int(),
    /** The idempotent transfer reference sent to the gateway (set when executing). */
    outBizNo: z.string().nullable(),
    gatewayRef: z.string().nullable(),
    /** Transfer attempts so far. */
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    channelLabel: z.object({ zh: z.string(), en: z.string() }),
  }),
  user: z.object({
    id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    status: z.enum(['active', 'suspended', 'banned']),
    realNameStatus: realNameStatusSchema,
    createdAt: isoDateTime,
    accountAgeDays: z.number().int(),
  }),
  wallet: z.object({ availableFen: fenSchema, payoutPendingFen: fenSchema }),
  riskSignals: z.array(payoutRiskSignalSchema),
  /** Oldest first. */
  approvals: z.array(payoutApprovalSchema),
  /** The withdrawer's other withdrawals, newest first (up to 20). */
  payoutHistory: z.array(payoutHistoryItemSchema),
});
export type PayoutCaseDetail = z.infer<typeof payoutCaseDetailSchema>;

/** The `reconciliation_mismatch` case's detail: both sides of one money movement. */
export const reconciliationMismatchDetailSchema = z.object({
  mismatch: z.object({
    id: z.number().int(),
    /** The Asia/Shanghai day of the gateway statement (YYYY-MM-DD). */
    day: z.string(),
    kind: z.enum(RECONCILIATION_MOVEMENTS),
    provider: paymentProviderSchema,
    /** out_trade_no (payment), out_request_no (refund) or out_biz_no (transfer). */
    reference: z.string(),
    problem: z.enum(RECONCILIATION_PROBLEMS),
    ledgerAmountFen: z.number().int().nullable(),
    gatewayAmountFen: z.number().int().nullable(),
    detail: z.record(z.string(), z.unknown()),
    createdAt: isoDateTime,
  }),
  /** What the platform holds under the reference (null: nothing, e.g. money the ledger never booked). */
  ledgerRecord: z
    .object({
      type: z.enum(['payment', 'refund', 'payout']),
      id: z.number().int(),
      orderId: z.number().int().nullable(),
      userId: z.number().int().nullable(),
      status: z.string(),
      amountFen: z.number().int(),
      createdAt: isoDateTime,
      /** When it was paid / refunded / transferred, as the platform recorded it. */
      settledAt: isoDateTime.nullable(),
    })
    .nullable(),
});
export type ReconciliationMismatchDetail = z.infer<typeof reconciliationMismatchDetailSchema>;

export const PAYOUTS_ERRORS = {
  real_name_required: {
    status: 403,
    zh: '请先完成实名认证再提现',
    en: 'Complete real-name verification before withdrawing',
  },
  withdrawal_amount_out_of_range: {
    status: 400,
    zh: '提现金额不在允许范围内',
    en: 'The withdrawal amount is outside the allowed range',
  },
  payout_not_eligible: {
    status: 409,
    zh: '该提现申请已不满足放款条件',
    en: 'This withdrawal no longer qualifies for payout',
  },
  payout_not_pending: {
    status: 409,
    zh: '该提现申请已处理',
    en: 'This withdrawal has already been decided',
  },
} as const;

const payoutEventBase = {
  payoutId: z.number().int(),
  userId: z.number().int(),
  amountFen: fenSchema,
  channel: withdrawalChannelSchema,
};

export const PAYOUTS_EVENTS = {
  /** A user asked to withdraw; the payouts module opens a `payout` case in the same transaction. */
  'payout.requested': z.object({ ...payoutEventBase, status: payoutStatusSchema }),
  /** A withdrawal moved on (approved, processing, paid, failed, rejected); the user's app updates live. */
  'payout.status_changed': z.object({
    ...payoutEventBase,
    from: payoutStatusSchema,
    to: payoutStatusSchema,
    /** The rejection or failure reason, when there is one. */
    reason: z.string().nullable(),
  }),
  /** Reconciliation found a difference between the ledger and a gateway statement. */
  'reconciliation.mismatch_found': z.object({
    mismatchId: z.number().int(),
    day: z.string(),
    kind: z.string(),
    reference: z.string(),
    problem: z.enum(RECONCILIATION_PROBLEMS),
  }),
} as const;
