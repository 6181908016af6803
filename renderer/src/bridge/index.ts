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
 *
 * The key in the address always wins over the one this tab stored, and not only at load: pasting the
 * address of a restarted host (same origin, new `#key=`) into an open tab changes only the fragment, which
 * does not reload the page, so the new key is picked up here as it arrives and the link reconnects with it.
 */
export function connectBridge(): BridgeSetup {
  if (window.jiangxin) return { ok: true, bridge: window.jiangxin, connection: alwaysOpen };
  const key = keyFromAddress() ?? sessionStorage.getItem(KEY_STORAGE);
  if (!key) {
    // Nothing to connect with yet: a key pasted later starts the page afresh (it is stored by then).
    watchAddressForKey(() => location.reload());
    return { ok: false, reason: 'no_key' };
  }
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const bridge = new WebSocketBridge(`${scheme}://${location.host}${WEB_BRIDGE.path}`, key);
  watchAddressForKey((next) => bridge.useKey(next));
  return { ok: true, bridge, connection: bridge };
}

/**
 * The key from the fragment, if it has one: moved to sessionStorage (so a reload keeps working in this
 * tab, with this key rather than an older one) and taken off the address bar (so it is not bookmarked,
 * shared in a screenshot or kept in history).
 */
function keyFromAddress(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('key');
  if (!fromHash) return null;
  sessionStorage.setItem(KEY_STORAGE, fromHash);
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return fromHash;
}

/**
 * Calls `onKey` with each key that appears in the address later. Listens to `popstate` as well as
 * `hashchange`: the browser fires popstate first, and the console's hash router reacts to it (and may
 * rewrite the fragment) before hashchange comes; registered before the router, this listener runs first.
 */
function watchAddressForKey(onKey: (key: string) => void): void {
  const check = () => {
    const key = keyFromAddress();
    if (key) onKey(key);
  };
  window.addEventListener('popstate', check);
  window.addEventListener('hashchange', check);
}

export type { ConnectionState } from './connection';
export { BridgeProvider, useBridge, useBridgeEvent, useConnection } from './context';
