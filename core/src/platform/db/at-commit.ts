import { type Compilable, type QueryCreator, sql } from 'kysely';
import type { Tx } from './database';

/** An INSERT, UPDATE or DELETE built on the transaction, not yet executed. */
export type Write = Compilable & { execute(): Promise<unknown> };

/** Writes of a `Db.transact` transaction kept for its last statement, in the order they were given. */
const pendingOfTx = new WeakMap<Tx, Write[]>();

/**
 * Called by `Db.transact` as it opens `tx`: from then on `writeAtCommit` keeps writes to be sent
 * together just before the commit.
 */
export function collectWrites(tx: Tx): void {
  pendingOfTx.set(tx, []);
}

/**
 * A write that nothing later in the transaction reads or writes again — an insert into a log, an
 * outbox, the transaction's events, the stored answer of an idempotency key. It is sent with the other
 * kept writes as one statement (each a data-modifying CTE) just before the commit, instead of one round
 * trip each; it fails the commit if it fails. Because the kept writes share one statement and one
 * snapshot, two of them must not touch the same row, and none may be needed by a read in the
 * transaction. Outside `Db.transact` it is executed at once.
 */
export async function writeAtCommit(tx: Tx, write: Write): Promise<void> {
  const pending = pendingOfTx.get(tx);
  if (pending) pending.push(write);
  else await write.execute();
}

/** Sends the writes `tx` has kept (see `writeAtCommit`) in one statement; `Db.transact` calls it last. */
export async function flushWrites(tx: Tx): Promise<void> {
  const writes = pendingOfTx.get(tx);
  if (!writes || writes.length === 0) return;
  pendingOfTx.set(tx, []);
  if (writes.length === 1) {
    await writes[0]!.execute();
    return;
  }
  // WITH w0 AS (INSERT …), w1 AS (UPDATE …) SELECT 1: every data-modifying CTE runs exactly once.
  // (The CTEs' names are only placeholders, so the query creator is typed loosely here.)
  const statement = writes.reduce<QueryCreator<object>>(
    (qc, write, i) => qc.with(`w${i}`, () => write as never) as QueryCreator<object>,
    tx as unknown as QueryCreator<object>,
  );
  await statement.selectNoFrom(sql<number>`1`.as('one')).execute();
}
