import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import { afterCommit, type Tx } from '../../platform/db/database';
import type { LedgerAccountKind } from '../../platform/db/schema';

/**
 * Ledger accounts. Users have `available` and `payout_pending`; every paid order has its own escrow
 * account; the platform has a fee account and one clearing account per gateway (money in transit to or
 * from the gateway; it goes negative by design). Hot platform accounts keep no cached balance, so
 * concurrent payments never queue on one row; their balance is the sum of their postings.
 */
export const accountCode = {
  available: (userId: number) => `user:${userId}:available`,
  payoutPending: (userId: number) => `user:${userId}:payout_pending`,
  escrow: (orderId: number) => `order:${orderId}:escrow`,
  fees: () => 'platform:fees',
  clearing: (provider: PaymentProvider) => `platform:clearing:${provider}`,
};

/** An account as a journal names it: by code, with what it takes to create it on first use. */
export interface AccountRef {
  code: string;
  kind: LedgerAccountKind;
  userId?: number;
  orderId?: number;
}

/** The accounts the money flows post to. */
export const ledgerAccount = {
  available: (userId: number): AccountRef => ({
    code: accountCode.available(userId),
    kind: 'user_available',
    userId,
  }),
  payoutPending: (userId: number): AccountRef => ({
    code: accountCode.payoutPending(userId),
    kind: 'user_payout_pending',
    userId,
  }),
  escrow: (orderId: number): AccountRef => ({ code: accountCode.escrow(orderId), kind: 'escrow', orderId }),
  fees: (): AccountRef => ({ code: accountCode.fees(), kind: 'platform_fees' }),
  clearing: (provider: PaymentProvider): AccountRef => ({
    code: accountCode.clearing(provider),
    kind: 'gateway_clearing',
  }),
};

/** Creates a user's two wallet accounts (idempotent). */
export async function ensureUserAccounts(tx: Tx, userId: number): Promise<void> {
  await tx
    .insertInto('ledger_accounts')
    .values([
      {
        code: accountCode.available(userId),
        kind: 'user_available',
        user_id: userId,
        balance: 0,
        allow_negative: false,
      },
      {
        code: accountCode.payoutPending(userId),
        kind: 'user_payout_pending',
        user_id: userId,
        balance: 0,
        allow_negative: false,
      },
    ])
    .onConflict((oc) => oc.column('code').doNothing())
    .execute();
}

const platformCache = new WeakMap<object, Map<string, number>>();

/**
 * The id of an account by code, creating it on first use. Platform account ids are cached per database
 * once the transaction that read (or created) them has committed: an id from a rolled-back attempt —
 * `transact()` retries deadlocks — would name an account that does not exist.
 */
export async function accountId(
  tx: Tx,
  code: string,
  spec: { kind: LedgerAccountKind; userId?: number; orderId?: number },
  cacheKey?: object,
): Promise<number> {
  const cache = cacheKey ? (platformCache.get(cacheKey) ?? new Map<string, number>()) : undefined;
  if (cacheKey && cache && !platformCache.has(cacheKey)) platformCache.set(cacheKey, cache);
  const hit = cache?.get(code);
  if (hit !== undefined) return hit;
  const tracked = spec.kind !== 'platform_fees' && spec.kind !== 'gateway_clearing';
  // Create-if-missing and read the id in one round trip: the new row's id, else the existing row's.
  const rows = await tx
    .with('ins', (db) =>
      db
        .insertInto('ledger_accounts')
        .values({
          code,
          kind: spec.kind,
          user_id: spec.userId ?? null,
          order_id: spec.orderId ?? null,
          balance: tracked ? 0 : null,
          allow_negative: spec.kind === 'gateway_clearing',
        })
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('id'),
    )
    .selectFrom('ins')
    .select('id')
    .unionAll((db) => db.selectFrom('ledger_accounts').select('id').where('code', '=', code))
    .execute();
  let id = rows[0]?.id;
  if (id === undefined) {
    // The row was committed by a concurrent transaction while the insert waited on it: the statement's
    // snapshot predates it, so read it with a fresh one.
    id = (
      await tx.selectFrom('ledger_accounts').select('id').where('code', '=', code).executeTakeFirstOrThrow()
    ).id;
  }
  if (cache) afterCommit(tx, () => cache.set(code, id));
  return id;
}
