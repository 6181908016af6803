/**
 * The page's own link to the engine, apart from the engine's link to the core (that is `sync.status`).
 * Electron's IPC is always open; the web host's WebSocket can drop and come back.
 *
 * `reconnecting`: the link just dropped and is being retried; `stopped`: it has stayed down a while (the
 * web host is gone — stopped, or restarted elsewhere), still retried; `refused`: the host answered but not
 * to this page's key (it restarted with a new one), not retried until the page gets a new key.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'refused';

export interface ConnectionSnapshot {
  state: ConnectionState;
  /** How many times the link has opened: screens re-read what they show when it grows (missed events). */
  opens: number;
}

/** Shaped for React's useSyncExternalStore. */
export interface BridgeConnection {
  current(): ConnectionSnapshot;
  subscribe(watcher: () => void): () => void;
}

const OPEN: ConnectionSnapshot = { state: 'open', opens: 1 };

export const alwaysOpen: BridgeConnection = {
  current: () => OPEN,
  subscribe: () => () => {},
};
