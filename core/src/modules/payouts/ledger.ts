import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import type { Tx } from '../../platform/db/database';
import { ledgerAccount as account, ensureUserAccounts } from '../ledger/accounts';
import { postJournal } from '../ledger/journal';

/** The payout facts a money movement needs. */
export interface PayoutMoney {
  id: number;
  userId: number;
  amountFen: number;
  provider: PaymentProvider;
}

/** Journal kinds of the payout flows (reconciliation reads `payout_paid`). */
export const PAYOUT_JOURNALS = {
  requested: 'payout_request',
  paid: 'payout_paid',
  returned: 'payout_returned',
} as const;

/**
 * A withdrawal is requested: the amount leaves the available balance for `payout_pending` at once, so it
 * cannot be spent twice while finance decides. Refuses with `insufficient_funds` when the balance is short.
 */
export async function holdPayout(tx: Tx, p: PayoutMoney) {
  await ensureUserAccounts(tx, p.userId);
  return postJournal(tx, {
    kind: PAYOUT_JOURNALS.requested,
    orderId: null,
    idempotencyKey: `payout_request:${p.id}`,
    description: `提现申请 #${p.id}`,
    audience: [p.userId],
    postings: [
      { account: account.available(p.userId), amountFen: -p.amountFen, entryType: 'withdrawal' },
      { account: account.payoutPending(p.userId), amountFen: p.amountFen, entryType: 'withdrawal' },
    ],
  });
}

/**
 * The gateway paid the payee: the money leaves `payout_pending` through the gateway's clearing account
 * (like a refund, money on its way out through the provider). Idempotent per payout.
 */
export async function settlePayout(tx: Tx, p: PayoutMoney) {
  return postJournal(tx, {
    kind: PAYOUT_JOURNALS.paid,
    orderId: null,
    idempotencyKey: `payout_paid:${p.id}`,
    description: `提现 #${p.id} 已打款`,
    audience: [p.userId],
    postings: [
      { account: account.payoutPending(p.userId), amountFen: -p.amountFen, entryType: 'withdrawal' },
      { account: account.clearing(p.provider), amountFen: p.amountFen },
    ],
  });
}

/** Rejected by finance or refused by the gateway: the money goes back to the available balance. */
export async function returnPayout(tx: Tx, p: PayoutMoney) {
  return postJournal(tx, {
    kind: PAYOUT_JOURNALS.returned,
    orderId: null,
    idempotencyKey: `payout_returned:${p.id}`,
    description: `提现 #${p.id} 退回余额`,
    audience: [p.userId],
    postings: [
      { account: account.payoutPending(p.userId), amountFen: -p.amountFen, entryType: 'withdrawal_returned' },
      { account: account.available(p.userId), amountFen: p.amountFen, entryType: 'withdrawal_returned' },
    ],
  });
}
