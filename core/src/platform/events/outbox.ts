import { EVENT_PAYLOADS, type EventPayload, type EventType } from '@jiangxin/shared/events';
import { writeAtCommit } from '../db/at-commit';
import type { Tx } from '../db/database';
import { reactionsOf } from './reactions';

export interface EventTarget {
  aggregateType: string;
  aggregateId: number;
  /** Users whose sockets receive this event live (and on resume). Staff consumers read every event. */
  audience?: readonly number[];
}

interface EventRow {
  type: string;
  aggregate_type: string;
  aggregate_id: number;
  payload: string;
  audience: number[];
}

/** The events of a `Db.transact` transaction not yet written, in the order they were appended. */
const pendingOfTx = new WeakMap<Tx, EventRow[]>();

/**
 * Called by `Db.transact` as it opens `tx`: the events appended in it are kept and written together, in
 * one multi-row INSERT that `flushEvents` hands to the transaction's last statement (at-commit.ts): a
 * paid order appends four events, written with no round trip of their own. Outside `Db.transact` each
 * event is written at once.
 */
export function collectEvents(tx: Tx): void {
  pendingOfTx.set(tx, []);
}

/** Adds the events `tx` has collected to its last statement; `Db.transact` calls it before flushing that. */
export async function flushEvents(tx: Tx): Promise<void> {
  const rows = pendingOfTx.get(tx);
  if (!rows || rows.length === 0) return;
  pendingOfTx.set(tx, []);
  await writeAtCommit(tx, tx.insertInto('events').values(rows));
}

/**
 * Appends a domain event in the caller's transaction: it becomes visible exactly when the state change
 * it describes commits, and never otherwise. The payload is validated against the shared contract.
 * Reactions registered for the type (opening a case, say) run next, in the same transaction.
 */
export async function appendEvent<T extends EventType>(
  tx: Tx,
  type: T,
  target: EventTarget,
  payload: EventPayload<T>,
): Promise<void> {
  const parsed = EVENT_PAYLOADS[type].parse(payload);
  const row: EventRow = {
    type,
    aggregate_type: target.aggregateType,
    aggregate_id: target.aggregateId,
    payload: JSON.stringify(parsed),
    audience: [...new Set(target.audience ?? [])],
  };
  const pending = pendingOfTx.get(tx);
  if (pending) pending.push(row);
  else await tx.insertInto('events').values(row).execute();
  await reactionsOf(tx)?.run(tx, type, parsed as EventPayload<T>, target);
}
