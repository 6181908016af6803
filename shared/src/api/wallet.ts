import { z } from 'zod';
import { fenSchema } from '../money';
import { isoDateTime, pageOf } from './common';

export const walletSchema = z.object({
  availableFen: fenSchema,
  /** Paid into escrow for this user's orders as client and not yet settled. */
  frozenFen: fenSchema,
  payoutPendingFen: fenSchema,
  totalEarnedFen: fenSchema,
});
export type Wallet = z.infer<typeof walletSchema>;

export const WALLET_TRANSACTION_TYPES = [
  'deposit',
  'payment',
  'earning',
  'refund',
  'refund_out',
  'withdrawal',
  'withdrawal_returned',
  'adjustment',
] as const;
export const walletTransactionTypeSchema = z.enum(WALLET_TRANSACTION_TYPES);
export type WalletTransactionType = z.infer<typeof walletTransactionTypeSchema>;

export const WALLET_TRANSACTION_LABELS: Record<WalletTransactionType, { zh: string; en: string }> = {
  deposit: { zh: '充值', en: 'Top-up' },
  payment: { zh: '支付订单（托管）', en: 'Order payment (escrow)' },
  earning: { zh: '订单收入', en: 'Order earning' },
  refund: { zh: '订单退款', en: 'Order refund' },
  refund_out: { zh: '原路退回', en: 'Refunded to payment method' },
  withdrawal: { zh: '提现', en: 'Withdrawal' },
  withdrawal_returned: { zh: '提现退回', en: 'Withdrawal returned' },
  adjustment: { zh: '调整', en: 'Adjustment' },
};

/** One line of a user's wallet history, derived from a ledger posting (seed's `Transaction`). */
export const walletTransactionSchema = z.object({
  id: z.number().int(),
  transactionId: z.string().describe('the journal id this line belongs to'),
  type: walletTransactionTypeSchema,
  amountFen: z.number().int().describe('signed: positive adds to the balance'),
  balanceAfterFen: fenSchema,
  orderId: z.number().int().nullable(),
  orderNumber: z.string().nullable(),
  createdAt: isoDateTime,
});
export const walletTransactionPageSchema = pageOf(walletTransactionSchema);
