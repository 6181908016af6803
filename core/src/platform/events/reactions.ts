import type { EventPayload, EventType } from '@jiangxin/shared/events';
import type { Tx } from '../db/database';
import type { EventTarget } from './outbox';

export type Reaction<T extends EventType> = (
  tx: Tx,
  payload: EventPayload<T>,
  target: EventTarget,
) => Promise<void>;

/**
 * In-transaction reactions to domain events: when a command appends `service.submitted`, the cases
 * module opens a review case in the same transaction, so the two commit together or not at all, and
 * the catalog never imports the cases module. Reactions are registered by name on the database when
 * the app is built (registering a name again replaces it, so two app instances sharing one database in a
 * test do not react twice). A reaction may append events of its own.
 */
export class EventReactions {
  private readonly byType = new Map<EventType, Map<string, Reaction<EventType>>>();

  on<T extends EventType>(type: T, name: string, reaction: Reaction<T>): void {
    const named = this.byType.get(type) ?? new Map<string, Reaction<EventType>>();
    this.byType.set(type, named);
    named.set(name, reaction as unknown as Reaction<EventType>);
  }

  async run<T extends EventType>(
    tx: Tx,
    type: T,
    payload: EventPayload<T>,
    target: EventTarget,
  ): Promise<void> {
    const named = this.byType.get(type);
    if (!named) return;
    for (const reaction of named.values()) await reaction(tx, payload, target);
  }
}

const reactionsOfTx = new WeakMap<Tx, EventReactions>();

/** Called by `Db.transact` so `appendEvent` can find the reactions of the database a transaction belongs to. */
export function bindReactions(tx: Tx, reactions: EventReactions): void {
  reactionsOfTx.set(tx, reactions);
}

export function reactionsOf(tx: Tx): EventReactions | undefined {
  return reactionsOfTx.get(tx);
}
