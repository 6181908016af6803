import { type ConsoleBridge, WEB_BRIDGE } from '@jiangxin/shared/bridge';
import { alwaysOpen, type BridgeConnection } from './connection';
import { WebSocketBridge } from './ws-transport';

declare global {
  interface Window {
    /** The Electron preload's bridge (IPC); absent in a browser. */
    jiangxin?: ConsoleBridge;
  }
}

const KEY_STORAGE = 'jiangxin.bridgeKey';

export type BridgeSetup =
  | { ok: true; bridge: ConsoleBridge; connection: BridgeConnection }
  | { ok: false; reason: 'no_key' };

/**
 * Picks the transport: the preload's bridge in Electron, else the web host's WebSocket on this page's
 * host, authenticated by the key the host printed in the address (`/#key=…`).
 */
export function connectBridge(): BridgeSetup {
  if (window.jiangxin) return { ok: true, bridge: window.jiangxin, connection: alwaysOpen };
  const key = takeKey();
  if (!key) return { ok: false, reason: 'no_key' };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const bridge = new WebSocketBridge(`${scheme}://${location.host}${WEB_BRIDGE.path}`, key);
  return { ok: true, bridge, connection: bridge };
}

/**
 * The key from the fragment, moved to sessionStorage (so a reload keeps working in this tab) and taken
 * off the address bar (so it is not bookmarked, shared in a screenshot or kept in history).
 */
function takeKey(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (fromHash) {
    sessionStorage.setItem(KEY_STORAGE, fromHash);
    history.replaceState(history.state, '', `${location.pathname}${location.search}`);
    return fromHash;
  }
  return sessionStorage.getItem(KEY_STORAGE);
}

export type { ConnectionState } from './connection';
export { BridgeProvider, useBridge, useBridgeEvent, useConnection } from './context';
