import { EVENT_PAYLOADS, type EventPayload, type EventType } from '@jiangxin/shared/events';
import type { Tx } from '../db/database';
import { reactionsOf } from './reactions';

export interface EventTarget {
  aggregateType: string;
  aggregateId: number;
  /** Users whose sockets receive this event live (and on resume). Staff consumers read every event. */
  audience?: readonly number[];
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
  await tx
    .insertInto('events')
    .values({
      type,
      aggregate_type: target.aggregateType,
      aggregate_id: target.aggregateId,
      payload: JSON.stringify(parsed),
      audience: [...new Set(target.audience ?? [])],
    })
    .execute();
  await reactionsOf(tx)?.run(tx, type, parsed as EventPayload<T>, target);
}
