import { useEffect } from 'react';
import { useBridge, useConnection } from '../bridge';

/**
 * Tells colleagues this case is open here while the component shows it (`presence.view`), and that it no
 * longer is (`presence.leave`); announced again when the link to the engine comes back. Best effort: a
 * presence the engine cannot pass on is not worth a message.
 */
export function useViewing(caseId: number): void {
  const bridge = useBridge();
  const { opens } = useConnection();
  useEffect(() => {
    if (opens === 0) return;
    bridge.call('presence.view', { caseId }).catch(() => {});
    return () => {
      bridge.call('presence.leave', { caseId }).catch(() => {});
    };
  }, [bridge, caseId, opens]);
}
