import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import { AppError } from '../../platform/http/problem';
import type { AccountRef } from './accounts';

export interface PostingInput {
  /** The account, by code: created on first use (an order's escrow on its first payment). */
  account: AccountRef;
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
 * Posts one balanced journal transaction in the caller's transaction, in one statement (below). Refuses
 * unbalanced or malformed input before writing. Cached balances move under row locks taken in account id
 * order; a user balance that would go below zero aborts the whole transaction with `insufficient_funds`.
 * Idempotent on the key.
 */
export async function postJournal(
  tx: Tx,
  input: JournalInput,
): Promise<{ journalId: number; duplicate: boolean }> {
  if (input.postings.length < 2) throw new Error(`journal ${input.kind} needs at least two postings`);
  let sum = 0;
  const kinds = new Map<string, AccountRef['kind']>();
  for (const p of input.postings) {
    if (!Number.isSafeInteger(p.amountFen) || p.amountFen === 0)
      throw new Error(`journal ${input.kind}: bad posting amount ${p.amountFen}`);
    if ((kinds.get(p.account.code) ?? p.account.kind) !== p.account.kind)
      throw new Error(`journal ${input.kind}: account ${p.account.code} given two kinds`);
    kinds.set(p.account.code, p.account.kind);
    sum += p.amountFen;
  }
  if (sum !== 0) throw new Error(`journal ${input.kind} does not balance: sums to ${sum}`);

  let written: { journal_id: number | null; postings: number };
  try {
    written = (await journalStatement(input).execute(tx)).rows[0]!;
  } catch (err) {
    if (/ledger_accounts_check|check constraint/i.test(String((err as Error).message)))
      throw new AppError('insufficient_funds');
    throw err;
  }
  if (written.journal_id === null) {
    // Posted before (a retry of the same money movement): nothing was written; return the first journal.
    const existing = await tx
      .selectFrom('ledger_journals')
      .select('id')
      .where('idempotency_key', '=', input.idempotencyKey)
      .executeTakeFirstOrThrow();
    return { journalId: existing.id, duplicate: true };
  }
  if (Number(written.postings) !== input.postings.length) {
    // An account this journal creates was created at the same moment by a concurrent transaction: the
    // statement's snapshot could see neither its own insert nor theirs. Roll back and run again
    // (Db.transact retries a serialization failure), when the account is there to be found.
    throw Object.assign(new Error(`journal ${input.kind}: an account appeared concurrently; retrying`), {
      code: '40001',
    });
  }
  const journalId = Number(written.journal_id);
  const moved = input.postings.reduce((acc, p) => acc + Math.max(p.amountFen, 0), 0);
  await appendEvent(
    tx,
    'ledger.journal_posted',
    { aggregateType: 'journal', aggregateId: journalId, audience: input.audience ?? [] },
    { journalId, kind: input.kind, orderId: input.orderId, amountFen: moved },
  );
  return { journalId, duplicate: false };
}

/** Platform accounts carry no cached balance (see accounts.ts); gateway clearing may go negative. */
const tracked = (kind: AccountRef['kind']) => kind !== 'platform_fees' && kind !== 'gateway_clearing';

/**
 * The whole journal as one statement (data-modifying CTEs; a paid order's journal used to take five
 * round trips):
 *
 *  - `j` inserts the journal; on a duplicate key it inserts nothing and every later step is empty;
 *  - `found` reads the existing accounts by code (no lock: platform accounts are hot and have no cached
 *    balance), `locked` then locks those with a cached balance in id order (lock order step 5,
 *    platform/db/locks.ts) FOR NO KEY UPDATE, so postings of other journals referencing these accounts are
 *    not held up by their foreign-key checks, and `moved` adds each one's net delta;
 *  - `created` inserts the accounts that do not exist yet, with their delta as the opening balance;
 *  - `ins` writes the postings in the given order with `balance_after`: the account's final balance less
 *    what the account's later postings in this journal add.
 *
 * A balance that would go below zero violates the accounts' CHECK and aborts the statement. Returns the
 * journal id (null when it was a duplicate) and how many postings were written.
 */
function journalStatement(input: JournalInput) {
  const postings = sql.join(
    input.postings.map(
      (p, i) =>
        sql`(${i}::int, ${p.account.code}::text, ${p.amountFen}::bigint, ${p.entryType ?? null}::text)`,
    ),
  );
  const accounts = sql.join(
    [...new Map(input.postings.map((p) => [p.account.code, p.account])).values()].map(
      (a) =>
        sql`(${a.code}::text, ${a.kind}::text, ${a.userId ?? null}::bigint, ${a.orderId ?? null}::bigint, ${tracked(a.kind)}::boolean)`,
    ),
  );
  return sql<{ journal_id: number | null; postings: number }>`
    WITH j AS (
      INSERT INTO ledger_journals (kind, order_id, idempotency_key, description)
      VALUES (${input.kind}, ${input.orderId}, ${input.idempotencyKey}, ${input.description})
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING id
    ),
    p (ord, code, amount_fen, entry_type) AS (VALUES ${postings}),
    spec (code, kind, user_id, order_id, tracked) AS (VALUES ${accounts}),
    delta AS (SELECT code, sum(amount_fen) AS delta FROM p GROUP BY code),
    found AS (SELECT a.id, a.code FROM ledger_accounts a WHERE a.code IN (SELECT code FROM spec)),
    locked AS (
      SELECT a.id FROM ledger_accounts a
      WHERE a.id IN (SELECT id FROM found) AND a.balance IS NOT NULL AND EXISTS (SELECT 1 FROM j)
      ORDER BY a.id FOR NO KEY UPDATE
    ),
    moved AS (
      UPDATE ledger_accounts a SET balance = a.balance + d.delta
      FROM locked, delta d
      WHERE a.id = locked.id AND d.code = a.code
      RETURNING a.id, a.balance
    ),
    created AS (
      INSERT INTO ledger_accounts (code, kind, user_id, order_id, balance, allow_negative)
      SELECT s.code, s.kind, s.user_id, s.order_id, CASE WHEN s.tracked THEN d.delta END,
             s.kind = 'gateway_clearing'
      FROM spec s JOIN delta d ON d.code = s.code
      WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.code = s.code) AND EXISTS (SELECT 1 FROM j)
      ON CONFLICT (code) DO NOTHING
      RETURNING id, code, balance
    ),
    acc AS (
      SELECT f.id, f.code, m.balance FROM found f LEFT JOIN moved m ON m.id = f.id
      UNION ALL SELECT id, code, balance FROM created
    ),
    ins AS (
      INSERT INTO ledger_postings (journal_id, account_id, amount_fen, balance_after, entry_type)
      SELECT j.id, acc.id, p.amount_fen,
             acc.balance - coalesce(sum(p.amount_fen) OVER (
               PARTITION BY p.code ORDER BY p.ord DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0),
             p.entry_type
      FROM j CROSS JOIN p JOIN acc ON acc.code = p.code
      ORDER BY p.ord
      RETURNING 1
    )
    SELECT (SELECT id FROM j) AS journal_id, (SELECT count(*) FROM ins)::int AS postings`;
}
