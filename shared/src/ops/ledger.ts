import { z } from 'zod';
import { cursorSchema, idQuery, isoDateTime, queryInt } from '../api/common';
import { walletSchema } from '../api/wallet';
import { ORDER_NUMBER_PATTERN } from '../orders';

/**
 * The ledger explorer for finance staff (`GET /ops/ledger/transactions`, `GET /ops/ledger/accounts`,
 * permission `ledger.view`): journal transactions with all their postings, and accounts with their
 * balances, for one user, one order or one account. Read-only.
 */

export const LEDGER_ACCOUNT_KINDS = [
  'user_available',
  'user_payout_pending',
  'escrow',
  'platform_fees',
  'gateway_clearing',
] as const;
export const ledgerAccountKindSchema = z.enum(LEDGER_ACCOUNT_KINDS);
export type LedgerAccountKind = z.infer<typeof ledgerAccountKindSchema>;

export const LEDGER_ACCOUNT_KIND_LABELS: Record<LedgerAccountKind, { zh: string; en: string }> = {
  user_available: { zh: '可用余额', en: 'Available balance' },
  user_payout_pending: { zh: '提现中', en: 'Payout pending' },
  escrow: { zh: '订单托管', en: 'Order escrow' },
  platform_fees: { zh: '平台服务费', en: 'Platform fees' },
  gateway_clearing: { zh: '支付渠道清算', en: 'Gateway clearing' },
};

/** What each kind of journal transaction records (kinds not listed show their code). */
export const LEDGER_JOURNAL_KIND_LABELS: Record<string, { zh: string; en: string }> = {
  order_payment: { zh: '订单付款托管', en: 'Order payment into escrow' },
  order_release: { zh: '验收放款', en: 'Release to the freelancer' },
  order_refund: { zh: '订单退款', en: 'Order refund' },
  refund_failed: { zh: '原路退款失败，退回余额', en: 'Refund failed, returned to wallet' },
  dispute_split: { zh: '纠纷裁决分账', en: 'Dispute split' },
  payout_request: { zh: '提现申请', en: 'Payout requested' },
  payout_paid: { zh: '提现已打款', en: 'Payout paid' },
  payout_returned: { zh: '提现退回', en: 'Payout returned' },
  stray_payment_refund: { zh: '异常付款退回', en: 'Stray payment refunded' },
};

/** `user:12:available`, `order:7:escrow`, `platform:fees`, `platform:clearing:alipay`. */
export const ledgerAccountCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9_:]+$/, { error: 'must be an account code such as user:12:available' });

const positiveId = idQuery;

/** An order number as people quote it (`JX20261126000001`; any case, surrounding spaces ignored). */
export const orderNumberFilterSchema = z
  .string()
  .trim()
  .max(40)
  // Case-insensitive spelled out: a JSON Schema `pattern` carries no flags.
  .regex(/^[Jj][Xx][0-9]{14,38}$/, { error: 'must be an order number such as JX20261126000001' })
  .transform((v) => v.toUpperCase())
  .pipe(
    z.string().regex(ORDER_NUMBER_PATTERN, { error: 'must be an order number such as JX20261126000001' }),
  );

/**
 * Exactly one of `userId`, an order (`orderId` or the `orderNumber` staff see), `account` (the core
 * refuses none or several with a 400 that says so). A user's transactions are those touching the user's
 * own accounts; an order's are the journals recorded for it; an account's are those with a posting on it.
 */
export const ledgerFilterSchema = z.object({
  userId: positiveId.optional(),
  orderId: positiveId.optional(),
  orderNumber: orderNumberFilterSchema.optional(),
  account: ledgerAccountCodeSchema.optional(),
});
export type LedgerFilter = z.infer<typeof ledgerFilterSchema>;

export const ledgerTransactionsQuerySchema = ledgerFilterSchema.extend({
  cursor: cursorSchema().optional(),
  limit: queryInt({ min: 1, max: 100 }).default(20),
});
export type LedgerTransactionsQuery = z.infer<typeof ledgerTransactionsQuerySchema>;

/** Who an account belongs to, for display. */
const accountOwner = {
  userId: z.number().int().nullable(),
  userNickname: z.string().nullable(),
  orderId: z.number().int().nullable(),
  orderNumber: z.string().nullable(),
};

export const ledgerPostingSchema = z.object({
  id: z.number().int(),
  accountId: z.number().int(),
  accountCode: z.string(),
  accountKind: ledgerAccountKindSchema,
  ...accountOwner,
  /** Signed fen: positive raises the account's balance (debit to the account), negative lowers it. */
  amountFen: z.number().int(),
  /** The account's balance right after this posting; null for platform accounts (no cached balance). */
  balanceAfterFen: z.number().int().nullable(),
  /** How the line reads in the user's wallet history (deposit, payment, earning, …); user accounts only. */
  entryType: z.string().nullable(),
});
export type LedgerPosting = z.infer<typeof ledgerPostingSchema>;

export const ledgerTransactionSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  orderId: z.number().int().nullable(),
  orderNumber: z.string().nullable(),
  description: z.string(),
  idempotencyKey: z.string(),
  createdAt: isoDateTime,
  /** Every posting of the transaction (not only those of the filtered account); they sum to zero. */
  postings: z.array(ledgerPostingSchema),
});
export type LedgerTransaction = z.infer<typeof ledgerTransactionSchema>;

/** Newest first; `nextCursor` is null on the last page. */
export const ledgerTransactionPageSchema = z.object({
  items: z.array(ledgerTransactionSchema),
  nextCursor: z.string().nullable(),
});
export type LedgerTransactionPage = z.infer<typeof ledgerTransactionPageSchema>;

export const ledgerAccountSchema = z.object({
  id: z.number().int(),
  code: z.string(),
  kind: ledgerAccountKindSchema,
  ...accountOwner,
  /** Current balance in fen (signed: a gateway clearing account goes negative by design). */
  balanceFen: z.number().int(),
  /** `cached`: kept on the account row; `summed`: the sum of its postings (hot platform accounts). */
  balanceSource: z.enum(['cached', 'summed']),
  postingCount: z.number().int(),
  createdAt: isoDateTime,
});
export type LedgerAccount = z.infer<typeof ledgerAccountSchema>;

export const ledgerAccountsResponseSchema = z.object({
  /**
   * A user's own accounts; an order's escrow and the accounts its journals touched; or the one account.
   */
  accounts: z.array(ledgerAccountSchema),
  /** For a user: the wallet exactly as the user's `GET /wallet` reports it; null otherwise. */
  wallet: walletSchema.nullable(),
});
export type LedgerAccountsResponse = z.infer<typeof ledgerAccountsResponseSchema>;
