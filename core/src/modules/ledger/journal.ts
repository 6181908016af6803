import { sql } from 'kysely';
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
 * input before writing. Cached balances move under row locks taken in account id order; a user balance
 * that would go below zero aborts the whole transaction with `insufficient_funds`. Idempotent on the key.
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

  const finals = await applyBalanceDeltas(tx, input.postings);
  // balance_after of each posting: walk each account's postings backwards from its final balance.
  const running = new Map(finals);
  const after: (number | null)[] = new Array(input.postings.length).fill(null);
  for (let i = input.postings.length - 1; i >= 0; i--) {
    const p = input.postings[i]!;
    const balance = running.get(p.accountId);
    if (balance === undefined) continue;
    after[i] = balance;
    running.set(p.accountId, balance - p.amountFen);
  }
  const rows = input.postings.map((p, i) => ({
    journal_id: journal.id,
    account_id: p.accountId,
    amount_fen: p.amountFen,
    balance_after: after[i] ?? null,
    entry_type: p.entryType ?? null,
  }));
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

/**
 * Moves the cached balances of a journal's accounts in one statement: the rows are locked in id order
 * first (lock order step 5, platform/db/locks.ts: two journals never lock the same accounts in opposite
 * orders), then each gets its net delta. FOR NO KEY UPDATE, so postings of other journals referencing
 * these accounts are not held up by their foreign-key checks. Accounts without a cached balance are
 * skipped. A balance that would go below zero violates the table's CHECK and aborts the transaction as
 * `insufficient_funds`. Returns the final balances.
 */
async function applyBalanceDeltas(tx: Tx, postings: readonly PostingInput[]): Promise<Map<number, number>> {
  const deltas = new Map<number, number>();
  for (const p of postings) deltas.set(p.accountId, (deltas.get(p.accountId) ?? 0) + p.amountFen);
  const ids = [...deltas.keys()];
  const values = sql.join([...deltas].map(([id, delta]) => sql`(${id}::bigint, ${delta}::bigint)`));
  try {
    const { rows } = await sql<{ id: number; balance: number }>`
      WITH locked AS (
        SELECT id FROM ledger_accounts
        WHERE id = ANY(${sql.val(ids)}::bigint[]) AND balance IS NOT NULL
        ORDER BY id FOR NO KEY UPDATE
      )
      UPDATE ledger_accounts a SET balance = a.balance + v.delta
      FROM locked, (VALUES ${values}) AS v(id, delta)
      WHERE a.id = locked.id AND a.id = v.id
      RETURNING a.id, a.balance`.execute(tx);
    return new Map(rows.map((r) => [Number(r.id), Number(r.balance)]));
  } catch (err) {
    if (/ledger_accounts_check|check constraint/i.test(String((err as Error).message)))
      throw new AppError('insufficient_funds');
    throw err;
  }
}
