import type { Wallet } from '@jiangxin/shared/api/wallet';
import { ESCROW_HOLDING_STATUSES } from '@jiangxin/shared/orders';
import type { ReadDb } from '../../platform/db/database';
import { accountCode } from './accounts';

/** A user's wallet, derived from ledger balances (never from a separate counter). */
export async function getWallet(db: ReadDb, userId: number): Promise<Wallet> {
  const accounts = await db
    .selectFrom('ledger_accounts')
    .select(['code', 'balance'])
    .where('code', 'in', [accountCode.available(userId), accountCode.payoutPending(userId)])
    .execute();
  const balanceOf = (code: string) => accounts.find((a) => a.code === code)?.balance ?? 0;
  const frozen = await db
    .selectFrom('orders')
    .innerJoin('ledger_accounts as la', 'la.order_id', 'orders.id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('la.balance'), eb.lit(0)).as('total'))
    .where('orders.client_id', '=', userId)
    .where('orders.status', 'in', ESCROW_HOLDING_STATUSES)
    .where('la.kind', '=', 'escrow')
    .executeTakeFirst();
  const earned = await db
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('p.amount_fen'), eb.lit(0)).as('total'))
    .where('a.code', '=', accountCode.available(userId))
    .where('p.entry_type', '=', 'earning')
    .executeTakeFirst();
  return {
    availableFen: balanceOf(accountCode.available(userId)),
    frozenFen: Number(frozen?.total ?? 0),
    payoutPendingFen: balanceOf(accountCode.payoutPending(userId)),
    totalEarnedFen: Number(earned?.total ?? 0),
  };
}
