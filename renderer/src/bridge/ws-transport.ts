import {
  type BridgeArgs,
  BridgeCallError,
  type BridgeEvent,
  type BridgeEventPayload,
  type BridgeMethod,
  type BridgeReply,
  type BridgeResult,
  bridgeProblem,
  type ConsoleBridge,
  WEB_BRIDGE,
} from '@jiangxin/shared/bridge';
import type { BridgeConnection, ConnectionSnapshot } from './connection';

const { protocol: BRIDGE_PROTOCOL, keyPrefix: KEY_PROTOCOL_PREFIX, closeBadKey: CLOSE_BAD_KEY } = WEB_BRIDGE;

const MAX_BACKOFF_MS = 5000;
/** A link down this long (retries failing all along) is reported as `stopped`: the host is gone. */
export const STOPPED_AFTER_MS = 3000;

interface Pending {
  frame: string;
  sent: boolean;
  resolve: (result: unknown) => void;
  reject: (err: BridgeCallError) => void;
}

type ServerFrame =
  | { t: 'ready' }
  | { t: 'reply'; id: number | null; reply: BridgeReply }
  | { t: 'event'; event: string; payload: unknown };

/**
 * The console bridge over the web host's WebSocket (browser mode). The key goes in a subprotocol
 * (`jiangxin.key.<key>`), which the host checks before upgrading; the link counts as open at the host's
 * `{t:'ready'}` frame, not at the socket's `open`. Calls wait for an open link; when the
 * socket drops, every call not yet answered is rejected with `bridge_disconnected` (the engine may or may
 * not have run it — actions that matter are idempotent or sit in the engine's outbox) and the transport
 * reconnects with backoff; a link still down after STOPPED_AFTER_MS is reported as `stopped` (the host is
 * gone), retries going on. A 4401 close means the key is stale (the host restarted with a new one): it
 * stops retrying and reports `refused`, so the page can send the person to the new address. `useKey`
 * (the person pasted the new address into this tab) drops the current socket and connects with the new key.
 */
export class WebSocketBridge implements ConsoleBridge, BridgeConnection {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();
  private readonly watchers = new Set<() => void>();
  private snapshot: ConnectionSnapshot = { state: 'connecting', opens: 0 };
  private failures = 0;
  /** When the link was last lost (null while open or before the first open). */
  private downSince: number | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly url: string,
    private key: string,
  ) {
    this.connect();
  }

  /**
   * Connects with `key` from now on (a new address with a new key, pasted into this tab). The current
   * socket is dropped even if it is open, and a refused link is tried again at once.
   */
  useKey(key: string): void {
    if (key === this.key && this.snapshot.state !== 'refused') return;
    this.key = key;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    const old = this.socket;
    if (old) {
      old.onclose = null;
      old.onmessage = null;
      old.close(1000, 'new key');
      this.dropPending();
    }
    this.failures = 0;
    this.downSince = null;
    this.setSnapshot({ state: 'connecting', opens: this.snapshot.opens });
    this.connect();
  }

  call<M extends BridgeMethod>(method: M, args: BridgeArgs<M>): Promise<BridgeResult<M>> {
    if (this.snapshot.state === 'refused') return Promise.reject(disconnected());
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const entry: Pending = {
        frame: JSON.stringify({ t: 'call', id, method, args }),
        sent: false,
        resolve: (result) => resolve(result as BridgeResult<M>),
        reject,
      };
      this.pending.set(id, entry);
      if (this.snapshot.state === 'open') this.send(entry);
    });
  }

  on<E extends BridgeEvent>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const untyped = listener as (payload: unknown) => void;
    set.add(untyped);
    return () => set.delete(untyped);
  }

  current(): ConnectionSnapshot {
    return this.snapshot;
  }

  subscribe(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private setSnapshot(snapshot: ConnectionSnapshot) {
    this.snapshot = snapshot;
    for (const watcher of this.watchers) watcher();
  }

  private connect() {
    this.retry = null;
    const socket = new WebSocket(this.url, [BRIDGE_PROTOCOL, `${KEY_PROTOCOL_PREFIX}${this.key}`]);
    this.socket = socket;
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = (event) => {
      this.socket = null;
      this.dropPending();
      if (event.code === CLOSE_BAD_KEY) {
        this.setSnapshot({ state: 'refused', opens: this.snapshot.opens });
        return;
      }
      this.downSince ??= Date.now();
      const gone = Date.now() - this.downSince >= STOPPED_AFTER_MS;
      this.setSnapshot({ state: gone ? 'stopped' : 'reconnecting', opens: this.snapshot.opens });
      const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.failures);
      this.failures += 1;
      this.retry = setTimeout(() => this.connect(), delay);
    };
  }

  /** Every call not yet answered fails: its socket is gone. */
  private dropPending() {
    for (const entry of this.pending.values()) entry.reject(disconnected());
    this.pending.clear();
  }

  private send(entry: Pending) {
    this.socket?.send(entry.frame);
    entry.sent = true;
  }

  private receive(data: unknown) {
    if (typeof data !== 'string') return;
    const frame = JSON.parse(data) as ServerFrame;
    if (frame.t === 'ready') {
      this.failures = 0;
      this.downSince = null;
      this.setSnapshot({ state: 'open', opens: this.snapshot.opens + 1 });
      for (const entry of this.pending.values()) if (!entry.sent) this.send(entry);
      return;
    }
    if (frame.t === 'event') {
      for (const listener of this.listeners.get(frame.event) ?? []) listener(frame.payload);
      return;
    }
    if (frame.id === null) return;
    const entry = this.pending.get(frame.id);
    if (!entry) return;
    this.pending.delete(frame.id);
    if (frame.reply.ok) entry.resolve(frame.reply.result);
    else entry.reject(new BridgeCallError(frame.reply.problem));
  }
}

const disconnected = () =>
  new BridgeCallError(
    bridgeProblem('bridge_disconnected', {
      zh: '与控制台服务的连接已断开，请稍后重试',
      en: 'The connection to the console service was lost; try again in a moment',
    }),
  );
