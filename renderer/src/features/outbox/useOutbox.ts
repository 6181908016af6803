import type { OutboxItem } from '@jiangxin/shared/bridge';
import { useCallback, useEffect, useState } from 'react';
import { useBridge, useBridgeEvent, useConnection } from '../../bridge';

export interface Outbox {
  items: OutboxItem[];
  /** Re-reads the list now (after an action came back queued, before the event arrives). */
  refresh(): void;
}

/** The engine's durable outbox: actions taken offline, in the order they will be sent. */
export function useOutbox(): Outbox {
  const bridge = useBridge();
  const { opens } = useConnection();
  const [items, setItems] = useState<OutboxItem[]>([]);

  const refresh = useCallback(() => {
    // A failed read leaves the last list in place; the next outbox.changed event corrects it.
    bridge.call('outbox.list', {}).then(
      (r) => setItems(r.items),
      () => {},
    );
  }, [bridge]);

  useEffect(() => {
    if (opens > 0) refresh();
  }, [refresh, opens]);
  useBridgeEvent('outbox.changed', (payload) => setItems(payload.items));

  return { items, refresh };
}
