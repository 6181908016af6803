import type { Withdrawal } from '@jiangxin/shared/ops/payouts';
import { z } from 'zod';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import type { PayoutRow } from './commands';

/** Only the last four characters of a payee account are ever shown back. */
export function maskAccount(number: string): string {
  return number.length <= 4
    ? '*'.repeat(number.length)
    : `${'*'.repeat(Math.min(number.length - 4, 8))}${number.slice(-4)}`;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A withdrawal as its owner sees it: the payee name in clear, the account number masked. */
export function presentWithdrawal(pii: PiiKeyring, p: PayoutRow): Withdrawal {
  return {
    id: p.id,
    amountFen: p.amount_fen,
    channel: p.channel,
    account: {
      name: pii.open('payouts.account_name', p.account_name),
      numberMasked: maskAccount(pii.open('payouts.account_number', p.account_number)),
      bankName: p.bank_name,
    },
    status: p.status,
    rejectionReason: p.rejection_reason,
    failureReason: p.failure_reason,
    createdAt: iso(p.created_at)!,
    updatedAt: iso(p.updated_at)!,
    paidAt: iso(p.paid_at),
  };
}

/** The caller's own withdrawals, newest first, in keyset pages. */
export async function listWithdrawals(
  db: ReadDb,
  pii: PiiKeyring,
  userId: number,
  q: { cursor?: string | undefined; limit: number },
): Promise<{ items: Withdrawal[]; nextCursor: string | null }> {
  let query = db.selectFrom('payouts').selectAll().where('user_id', '=', userId);
  if (q.cursor) {
    const [before] = decodeCursor(q.cursor, 'withdrawals', z.tuple([cursorId]));
    query = query.where('id', '<', before);
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.limit + 1)
    .execute();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((p) => presentWithdrawal(pii, p)),
    nextCursor: rows.length > q.limit ? encodeCursor('withdrawals', [page.at(-1)!.id]) : null,
  };
}
