import { type Selectable, sql } from 'kysely';
import { PAYMENT_COLUMNS, prefixedSelections, splitPrefixed } from './columns';
import type { Tx } from './database';
import type { Database } from './schema';

/*
 * THE LOCK ORDER (payments, orders, ledger, payouts, disputes, notifications).
 *
 * A transaction takes row locks only downwards in this list, so no two transactions can wait on each
 * other in a cycle (a deadlock):
 *
 *   1. the case (`cases` row), when a staff action or a job acts through one (cases/queries lockCase);
 *   2. the case's subject: the dispute (disputes/commands lockDispute), the payout (`lockPayout`), or
 *      the user a withdrawal draws on (`lockUser`);
 *   3. the order (`lockOrder`);
 *   4. the order's payments, in id order (`lockPaymentsOfOrder`), then its refunds;
 *   5. ledger account balances, in id order (ledger/journal.ts takes them all in one statement);
 *   6. rows that are only inserted — journals, postings, events, notifications, case history — and the
 *      audit chain's advisory lock, last.
 *
 * Find what to lock before locking it: a payment notification finds its payment's order id without a
 * lock, locks the order, then the payment (`lockPaymentWithOrder`, one statement). Never lock a row
 * and then its parent. Rows the transaction inserted itself are out of the order: nobody else can see
 * them before the commit.
 *
 * These helpers lock FOR NO KEY UPDATE, not FOR UPDATE. Inserting a row that references another (a
 * notification for a user, a payout of a user, a payment of an order, a posting of an account) makes
 * PostgreSQL take FOR KEY SHARE on the referenced row for the foreign-key check, wherever in the
 * transaction that insert happens. FOR UPDATE conflicts with that lock, FOR NO KEY UPDATE does not
 * (while excluding other writers just the same); none of these commands changes a key. FOR UPDATE on a
 * user once closed a cycle: a payout settling held its owner's `payout_pending` balance and then queued
 * the "paid" notification, whose foreign key waited for the user row, which a withdrawal by the same
 * user held FOR UPDATE while waiting for that balance.
 *
 * What the order cannot rule out (a lock taken by a module outside this list) `Db.transact` retries.
 */

/** A row the caller has locked in the same transaction (by one of the helpers below). */
export type Locked<T> = T & { readonly __locked: true };

/**
 * Locks an order (step 3) for the rest of the transaction and returns it, or undefined when there is
 * no such order. Take it before any of the order's payments, refunds or ledger balances.
 */
export async function lockOrder(
  tx: Tx,
  orderId: number,
): Promise<Locked<Selectable<Database['orders']>> | undefined> {
  const row = await tx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', orderId)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row as Locked<Selectable<Database['orders']>> | undefined;
}

/**
 * Locks every payment attempt of an order in id order (step 4) and returns them in that order. The
 * caller must hold the order already (`lockOrder`): that is what keeps two notifications of one order
 * from each holding its own payment while wanting the other's.
 */
export async function lockPaymentsOfOrder(
  tx: Tx,
  orderId: number,
): Promise<Locked<Selectable<Database['payments']>>[]> {
  const rows = await tx
    .selectFrom('payments')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  return rows as Locked<Selectable<Database['payments']>>[];
}

/**
 * A payment notification's locks in one statement: finds the payment by `out_trade_no` (no lock), locks
 * its order (step 3), then the payment itself (step 4), and returns both; undefined when no payment has
 * that number. Locking only this payment under the order is enough: every path to an order's payments
 * takes the order first, so two notifications of one order queue on the order, never on each other's
 * payment. The order is read as locked (its latest version); the payment too.
 */
export async function lockPaymentWithOrder(
  tx: Tx,
  outTradeNo: string,
): Promise<
  | { order: Locked<Selectable<Database['orders']>>; payment: Locked<Selectable<Database['payments']>> }
  | undefined
> {
  const { rows } = await sql<Record<string, unknown>>`
    WITH o AS MATERIALIZED (
      SELECT * FROM orders
      WHERE id = (SELECT order_id FROM payments WHERE out_trade_no = ${outTradeNo})
      FOR NO KEY UPDATE
    )
    SELECT o.*, ${sql.join(prefixedSelections('p', PAYMENT_COLUMNS, 'p_'))}
    FROM o JOIN payments p ON p.order_id = o.id AND p.out_trade_no = ${outTradeNo}
    FOR NO KEY UPDATE OF p`.execute(tx);
  const row = rows[0];
  if (!row) return undefined;
  const [order, payment] = splitPrefixed(row, 'p_');
  return {
    order: order as Locked<Selectable<Database['orders']>>,
    payment: payment as Locked<Selectable<Database['payments']>>,
  };
}

/**
 * Locks a payout (step 2) and returns it; throws when there is none. A staff action locks the payout's
 * case first, and so does the execution job when it settles the payout.
 */
export async function lockPayout(tx: Tx, id: number): Promise<Locked<Selectable<Database['payouts']>>> {
  const row = await tx
    .selectFrom('payouts')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  return row as Locked<Selectable<Database['payouts']>>;
}

/**
 * Locks a user row (step 2) so that two commands drawing on one wallet (two withdrawals) run one after
 * the other. FOR NO KEY UPDATE: notifications, payouts and orders that reference the user can still be
 * inserted meanwhile by other transactions (their foreign-key checks take FOR KEY SHARE).
 */
export async function lockUser(
  tx: Tx,
  userId: number,
): Promise<Pick<Selectable<Database['users']>, 'id' | 'status' | 'real_name_status'> | undefined> {
  return tx
    .selectFrom('users')
    .select(['id', 'status', 'real_name_status'])
    .where('id', '=', userId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}
