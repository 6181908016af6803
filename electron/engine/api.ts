import type { BridgeEvent, BridgeEventPayload, BridgeReply } from '@jiangxin/shared/bridge';

/**
 * What a host (the Electron main process, the web host) needs from the console engine. The host owns the
 * transport and its guards (IPC sender check, WebSocket secret and Origin); the engine owns everything
 * else. `dispatch` validates the call against the shared contract again, so a host bug cannot let a
 * malformed call through.
 */

/** The refresh token kept between launches, per core. */
export interface StoredLogin {
  refreshToken: string;
  userId: number;
  username: string;
}

/**
 * Where refresh tokens live: Electron's `safeStorage` (encrypted with the OS keychain) on the desktop,
 * memory in the web host. Keyed by the core URL.
 */
export interface TokenStore {
  load(coreUrl: string): Promise<StoredLogin | null>;
  save(coreUrl: string, login: StoredLogin): Promise<void>;
  clear(coreUrl: string): Promise<void>;
}

export type EngineListener = <E extends BridgeEvent>(event: E, payload: BridgeEventPayload<E>) => void;

export interface ConsoleEngineOptions {
  /** Electron's userData, or the web host's data folder: the console's settings and cache files. */
  dataDir: string;
  /** Used until the person configures another core (the embedded core's address). */
  defaultCoreUrl: string;
  tokenStore: TokenStore;
  /**
   * How the host opens a link in the system browser: false when the link is not on the host's allow-list
   * (the call is then refused as `link_not_allowed`). Without it `app.openExternal` is refused.
   */
  openExternal?: (url: string) => Promise<boolean>;
  /** Clock (tests pin it). */
  now?: () => Date;
  /** Diagnostic lines (connection changes, refusals); default: none. */
  log?: (line: string) => void;
}

export interface ConsoleEngineHandle {
  /** One bridge call from the renderer: validated, run, and answered as a `BridgeReply` (never throws). */
  dispatch(method: unknown, args: unknown): Promise<BridgeReply>;
  /** Engine → renderer events; returns the unsubscribe function. */
  subscribe(listener: EngineListener): () => void;
  /** Stops syncing and closes the cache (the outbox stays on disk). */
  close(): Promise<void>;
}
