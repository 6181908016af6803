import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import { AppError } from '../../platform/http/problem';

export interface PostingInput {
  accountId: number;
  /** Signed fen: positive raises the account's balance. */
  amountFen: number;
  /** How the line reads in a wallet history (deposit, payment, earning, refund, …); user accounts only. */
  entryType?: string;
}

export interface JournalInput {
  kind: string;
  orderId: number | null;
  /** Unique per money movement: posting the same key twice is a no-op that returns the first journal. */
  idempotencyKey: string;
  description: string;
  postings: PostingInput[];
  /** Users whose wallets change (they receive the live event). */
  audience?: number[];
}

/**
 * Posts one balanced journal transaction in the caller's transaction. Refuses unbalanced or malformed
 * input before writing. Cached balances move in posting order under row locks; a user balance that
 * would go below zero aborts the whole transaction with `insufficient_funds`. Idempotent on the key.
 */
export async function postJournal(
  tx: Tx,
  input: JournalInput,
): Promise<{ journalId: number; duplicate: boolean }> {
  if (input.postings.length < 2) throw new Error(`journal ${input.kind} needs at least two postings`);
  let sum = 0;
  for (const p of input.postings) {
    if (!Number.isSafeInteger(p.amountFen) || p.amountFen === 0)
      throw new Error(`journal ${input.kind}: bad posting amount ${p.amountFen}`);
    sum += p.amountFen;
  }
  if (sum !== 0) throw new Error(`journal ${input.kind} does not balance: sums to ${sum}`);

  const journal = await tx
    .insertInto('ledger_journals')
    .values({
      kind: input.kind,
      order_id: input.orderId,
      idempotency_key: input.idempotencyKey,
      description: input.description,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!journal) {
    const existing = await tx
      .selectFrom('ledger_journals')
      .select('id')
      .where('idempotency_key', '=', input.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { journalId: existing.id, duplicate: true };
  }

  const rows = [];
  for (const p of input.postings) {
    let balanceAfter: number | null = null;
    try {
      const updated = await tx
        .updateTable('ledger_accounts')
        .set((eb) => ({ balance: eb('balance', '+', p.amountFen) }))
        .where('id', '=', p.accountId)
        .where('balance', 'is not', null)
        .returning('balance')
        .executeTakeFirst();
      balanceAfter = updated?.balance ?? null;
    } catch (err) {
      if (/ledger_accounts_check|check constraint/i.test(String((err as Error).message)))
        throw new AppError('insufficient_funds');
      throw err;
    }
    rows.push({
      journal_id: journal.id,
      account_id: p.accountId,
      amount_fen: p.amountFen,
      balance_after: balanceAfter,
      entry_type: p.entryType ?? null,
    });
  }
  await tx.insertInto('ledger_postings').values(rows).execute();
  const moved = input.postings.reduce((acc, p) => acc + Math.max(p.amountFen, 0), 0);
  await appendEvent(
    tx,
    'ledger.journal_posted',
    { aggregateType: 'journal', aggregateId: journal.id, audience: input.audience ?? [] },
    { journalId: journal.id, kind: input.kind, orderId: input.orderId, amountFen: moved },
  );
  return { journalId: journal.id, duplicate: false };
}
