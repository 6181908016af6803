import type { BridgeEvent, BridgeEventPayload, ConsoleBridge } from '@jiangxin/shared/bridge';
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useEffectEvent,
  useSyncExternalStore,
} from 'react';
import type { BridgeConnection, ConnectionSnapshot } from './connection';

interface BridgeContextValue {
  bridge: ConsoleBridge;
  connection: BridgeConnection;
}

const BridgeContext = createContext<BridgeContextValue | null>(null);

export function BridgeProvider(props: BridgeContextValue & { children: ReactNode }) {
  const { bridge, connection, children } = props;
  return <BridgeContext value={{ bridge, connection }}>{children}</BridgeContext>;
}

function useBridgeContext(): BridgeContextValue {
  const value = useContext(BridgeContext);
  if (!value) throw new Error('useBridge outside <BridgeProvider>');
  return value;
}

export function useBridge(): ConsoleBridge {
  return useBridgeContext().bridge;
}

export function useConnection(): ConnectionSnapshot {
  const { connection } = useBridgeContext();
  return useSyncExternalStore(
    (watcher) => connection.subscribe(watcher),
    () => connection.current(),
  );
}

/** Listens to an engine event for the component's lifetime; the latest `listener` is always the one called. */
export function useBridgeEvent<E extends BridgeEvent>(
  event: E,
  listener: (payload: BridgeEventPayload<E>) => void,
): void {
  const bridge = useBridge();
  const onEvent = useEffectEvent(listener);
  useEffect(() => bridge.on(event, (payload) => onEvent(payload)), [bridge, event]);
}
