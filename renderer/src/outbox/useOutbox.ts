import type { OutboxItem } from '@jiangxin/shared/bridge';
import { useState } from 'react';
import { useBridgeEvent } from '../bridge';
import { useBridgeQuery } from '../calls';

export interface Outbox {
  items: OutboxItem[];
  /** Re-reads the list now (after an action came back queued, before the event arrives). */
  refresh(): void;
}

/** The engine's durable outbox: actions taken offline, in the order they will be sent. */
export function useOutbox(): Outbox {
  const [items, setItems] = useState<OutboxItem[]>([]);
  // A failed read leaves the last list in place; the next outbox.changed event corrects it.
  const { reload: refresh } = useBridgeQuery('outbox.list', {}, { onData: (r) => setItems(r.items) });
  useBridgeEvent('outbox.changed', (payload) => setItems(payload.items));

  return { items, refresh };
}
