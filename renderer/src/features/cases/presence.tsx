import type { Presence } from '@jiangxin/shared/ops/stream';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { useBridgeEvent } from '../../bridge';

type Viewers = Presence['viewers'];
const PresenceContext = createContext<ReadonlyMap<number, Viewers>>(new Map());

/**
 * Who is looking at which case, from the core's presence broadcasts (every console that opens a case
 * announces it), so each row and each open case can say "王芳 正在查看" before two people work the same
 * case.
 */
export function PresenceProvider({ children }: { children: ReactNode }) {
  const [viewers, setViewers] = useState<ReadonlyMap<number, Viewers>>(new Map());
  useBridgeEvent('presence', (p) =>
    setViewers((prev) => {
      const next = new Map(prev);
      if (p.viewers.length === 0) next.delete(p.caseId);
      else next.set(p.caseId, p.viewers);
      return next;
    }),
  );
  return <PresenceContext value={viewers}>{children}</PresenceContext>;
}

export function usePresence(): ReadonlyMap<number, Viewers> {
  return useContext(PresenceContext);
}
