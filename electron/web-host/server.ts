import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import {
  BridgeContractError,
  type BridgeProblem,
  type BridgeReply,
  bridgeProblem,
  parseBridgeCall,
  WEB_BRIDGE,
} from '@jiangxin/shared/bridge';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { ConsoleEngineHandle } from '../engine/api';
import { contentTypeOf } from '../renderer-files';

/**
 * The web host: the operations console in a browser tab. One `node:http` server on 127.0.0.1 serves the
 * built renderer and, at `/bridge`, a WebSocket that carries the console bridge to the engine.
 *
 * Who may use the bridge: a page that knows the per-launch secret AND runs on this host's own origin.
 * - The secret travels in the URL fragment (`/#key=…`): browsers never send fragments to servers, so it
 *   stays out of Referer headers and logs. The renderer passes it as a second WebSocket subprotocol,
 *   `jiangxin.key.<secret>`, next to `jiangxin.bridge.v1` (the only one the host selects, so the secret is
 *   never echoed). Checking it during the HTTP upgrade means a socket without the key never carries a
 *   single frame — no half-authenticated state to get wrong.
 * - The Origin header must be exactly `http://127.0.0.1:PORT`: another local page (any other origin,
 *   including DNS-rebound names) is refused with a plain 403 before the upgrade, and so is a request
 *   without an Origin (a non-browser process).
 * - A page on the right origin whose key is wrong (a tab left open across a restart of the host, which
 *   draws a new secret) is upgraded and at once closed with 4401, so the renderer can tell the person to
 *   open the new address instead of retrying forever.
 *
 * Several staff on one host (`engine` is `SessionEngines`, as `start:web` runs it): the key admits a
 * browser; a session cookie (`jx_console_session`, 32 random bytes, HttpOnly, SameSite=Strict, set on the
 * 101 of a keyed upgrade that brought none the host knows) maps it server-side to that browser's own engine
 * — its member, cache file and events, which go to its pages only. The map is keyed by the cookie's
 * SHA-256. A page without a known cookie never reaches another browser's engine: it gets a fresh,
 * signed-out one.
 * - Sign-in rotates the cookie (session fixation): the session is re-keyed under a new cookie and its pages
 *   are closed with 4000. Every page also carries a page cookie of its own (`jx_console_page_<random>`, a
 *   name per page so tabs do not overwrite each other's); only a request bearing the signing page's one is
 *   handed the new session cookie, for a minute. Whoever knew the old cookie — even with a page open in
 *   that session before the sign-in — comes back to a fresh, signed-out session.
 * - After a successful `auth.logout` the host forgets the cookie, discards the engine and closes that
 *   browser's pages with 4000, so they reconnect and get a new cookie.
 * - Limits (`limits`): at most `maxSessions` browser sessions at once (a page past it gets a `host_full`
 *   problem, status 503, zh/en, at every call until a place is free, then its link is closed with 4000 so
 *   it reconnects into a session of its own); a session with no page open is discarded after `idleMs`
 *   (signed out: after at most 60 s) and its engine closed.
 *
 * Wire protocol (JSON text frames): host → page `{t:'ready'}` first, once the key is accepted (the
 * browser's `open` fires for a refused key too, just before the 4401 close, so the page waits for this);
 * page → host `{t:'call', id, method, args}`; host → page `{t:'reply', id, reply: BridgeReply}` and
 * `{t:'event', event, payload}` (every event of a page's engine to that engine's pages). Calls are checked against
 * the shared contract here and again by the engine.
 */

// The protocol's names live in the shared contract: the renderer's transport uses the same ones.
const {
  path: BRIDGE_PATH,
  protocol: BRIDGE_PROTOCOL,
  keyPrefix: KEY_PROTOCOL_PREFIX,
  closeBadKey: CLOSE_BAD_KEY,
} = WEB_BRIDGE;
/** The browser session cookie: a random id the host maps to that browser's own engine. */
export const SESSION_COOKIE = 'jx_console_session';
/**
 * Each page's own cookie (`jx_console_page_<random>`): which page of a browser signed in, so only that
 * browser is given the session's new cookie after the sign-in.
 */
export const PAGE_COOKIE_PREFIX = 'jx_console_page_';
/** Pages of a browser session that just signed in or out are closed with this code; they reconnect at once. */
const CLOSE_SIGNED_OUT = 4000;
/** How long after a sign-in its browser may come back for the new cookie. */
const HANDOFF_MS = 60_000;
/** A browser session nobody is signed in to survives its last page this long at most. */
const SIGNED_OUT_IDLE_MS = 60_000;

/** How many browser sessions (each one engine) a host keeps, and for how long without a page. */
export interface SessionLimits {
  /** Browser sessions at once, signed in or not (default 20); a browser past it is told the host is full. */
  maxSessions?: number;
  /**
   * How long a signed-in session survives with no page open (default 30 min); then its engine is closed
   * (the member's files, outbox included, stay) and the browser signs in again. Signed out: at most 60 s.
   */
  idleMs?: number;
}
export const DEFAULT_LIMITS = { maxSessions: 20, idleMs: 30 * 60_000 } as const;
/** Largest accepted frame; `ws` closes the socket with 1009 above it. */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * Engines made per browser session (the web console): each signed-in member gets an engine of their own —
 * their own settings, refresh token, sync loop and offline cache file.
 */
export interface SessionEngines {
  /** A fresh, signed-out engine for one new browser session. */
  openSession(): Promise<OwnEngine>;
}

export interface OwnEngine {
  engine: ConsoleEngineHandle;
  /** Closes the engine and deletes its files (after sign-out, or a session nobody signed in to). */
  discard(): Promise<void>;
}

export interface WebHostOptions {
  /**
   * One engine every page shares (the transport tests), or `SessionEngines`: one engine per browser
   * session, which the host then owns and closes.
   */
  engine: ConsoleEngineHandle | SessionEngines;
  /** How many browser sessions at once, and how long one without an open page survives. */
  limits?: SessionLimits;
  /** The built renderer (`renderer/dist`). */
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Refused connections and socket errors (never the secret). */
  log?: (line: string) => void;
}

export interface WebHost {
  /** Where to open the console: the origin plus `/#key=<secret>`. */
  url: string;
  origin: string;
  port: number;
  secret: string;
  close(): Promise<void>;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const { log = () => {} } = opts;
  const host = opts.host ?? '127.0.0.1';
  const rendererDir = path.resolve(opts.rendererDir);
  const shell = path.join(rendererDir, 'index.html');
  const secret = randomBytes(32).toString('base64url');
  const secretBytes = Buffer.from(secret);

  const server = createServer();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    handleProtocols: (offered) => (offered.has(BRIDGE_PROTOCOL) ? BRIDGE_PROTOCOL : false),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const origin = `http://${authority}`;

  const securityHeaders: Record<string, string> = {
    // antd (the full console UI) injects its CSS-in-JS <style> elements at run time, so style-src needs
    // 'unsafe-inline'; scripts stay 'self' only, which is what keeps injected markup from running code.
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      `connect-src 'self' ws://${authority}`,
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };

  const plain = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      ...securityHeaders,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(text);
  };

  /** Resolves a request path to a file under rendererDir, or says why not. */
  const resolveStatic = async (
    rawUrl: string,
  ): Promise<{ file: string } | { status: 400 | 404; text: string }> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(rawUrl.split(/[?#]/, 1)[0] ?? '/');
    } catch {
      return { status: 400, text: 'Bad request: malformed path' };
    }
    // Refuse any dot segment, backslash or NUL outright (checked after decoding, so %2e%2e and %2f are
    // caught too), then check containment once more on the resolved path.
    const segments = decoded.split('/');
    if (!decoded.startsWith('/') || /[\\\0]/.test(decoded) || segments.some((s) => s === '..' || s === '.'))
      return { status: 400, text: 'Bad request: path not allowed' };
    const file = path.resolve(rendererDir, `.${decoded}`);
    if (file !== rendererDir && !file.startsWith(rendererDir + path.sep))
      return { status: 400, text: 'Bad request: path not allowed' };
    const stat = await fs.stat(file).catch(() => null);
    if (stat?.isFile()) return { file };
    // A path without an extension (`/`, a client route) gets the app shell. A missing asset is a 404, never
    // HTML served as a script.
    if (path.extname(decoded) === '') return { file: shell };
    return { status: 404, text: 'Not found' };
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      // DNS rebinding: a foreign name pointed at 127.0.0.1 still sends its own Host header.
      if (req.headers.host !== authority) return plain(res, 403, 'Forbidden: unexpected Host header');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return plain(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      const target = await resolveStatic(req.url ?? '/');
      if ('status' in target) return plain(res, target.status, target.text);
      const body = await fs.readFile(target.file).catch(() => null);
      if (!body) {
        if (target.file !== shell) return plain(res, 404, 'Not found');
        return plain(res, 503, 'The renderer is not built: run npm run -w renderer build');
      }
      const relative = path.relative(rendererDir, target.file);
      res.writeHead(200, {
        ...securityHeaders,
        'Content-Type': contentTypeOf(target.file),
        'Content-Length': String(body.length),
        // Vite fingerprints everything under assets/; the shell must always be fetched fresh so a rebuild
        // (new fingerprints) is picked up.
        'Cache-Control': relative.startsWith(`assets${path.sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    })().catch((err: unknown) => {
      log(`static file error: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) plain(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  const keyMatches = (req: IncomingMessage): boolean => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .find((p) => p.startsWith(KEY_PROTOCOL_PREFIX));
    if (!offered) return false;
    const candidate = Buffer.from(offered.slice(KEY_PROTOCOL_PREFIX.length));
    return candidate.length === secretBytes.length && timingSafeEqual(candidate, secretBytes);
  };

  const refuseUpgrade = (socket: Duplex, status: 403 | 404, reason: string) => {
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\n` +
        'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  /** One browser (one cookie): its engine and its open pages. */
  interface BrowserSession {
    /** The SHA-256 of its cookie: its key in `sessions`. */
    key: string;
    engine: Promise<OwnEngine>;
    pages: Set<WebSocket>;
    signedIn: boolean;
    idle: ReturnType<typeof setTimeout> | null;
    unsubscribe: () => void;
    /**
     * Right after a sign-in: the new cookie, and the page cookie (its digest) of the page that signed in.
     * Only a request carrying that page cookie is given the new session cookie, until `until`.
     */
    handoff: { cookie: string; page: string; until: number } | null;
  }
  const perSession = 'openSession' in opts.engine;
  const shared = perSession ? null : (opts.engine as ConsoleEngineHandle);
  const factory = perSession ? (opts.engine as SessionEngines) : null;
  const maxSessions = opts.limits?.maxSessions ?? DEFAULT_LIMITS.maxSessions;
  const idleMs = opts.limits?.idleMs ?? DEFAULT_LIMITS.idleMs;
  /** Keyed by the SHA-256 of the cookie value, so a lookup never compares the secret itself. */
  const sessions = new Map<string, BrowserSession>();
  /** Sessions that just signed in, by the digest of the signing page's cookie (see `handoff`). */
  const handoffs = new Map<string, BrowserSession>();
  /** Page cookies (their digests) of the pages open now. */
  const livePages = new Map<string, WebSocket>();
  /** The Set-Cookie headers an upgrade's 101 response carries. */
  const newCookies = new WeakMap<IncomingMessage, string[]>();
  const digest = (id: string) => createHash('sha256').update(id).digest('base64url');
  const cookie = (name: string, value: string) => `${name}=${value}; Path=/; HttpOnly; SameSite=Strict`;

  const cookiesOf = (req: IncomingMessage): Map<string, string> => {
    const found = new Map<string, string>();
    for (const part of String(req.headers.cookie ?? '').split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name) found.set(name, rest.join('='));
    }
    return found;
  };

  const forget = (session: BrowserSession) => {
    if (sessions.get(session.key) !== session) return;
    sessions.delete(session.key);
    if (session.handoff) handoffs.delete(session.handoff.page);
    session.handoff = null;
    if (session.idle) clearTimeout(session.idle);
    session.unsubscribe();
    void session.engine
      .then((own) => own.discard())
      .catch((err: unknown) => log(`closing a browser session failed: ${(err as Error).message}`));
  };

  /** A session with no page open goes after `idleMs` (one nobody signed in to, after at most a minute). */
  const startIdle = (session: BrowserSession) => {
    if (session.idle) clearTimeout(session.idle);
    const after = session.signedIn ? idleMs : Math.min(idleMs, SIGNED_OUT_IDLE_MS);
    session.idle = setTimeout(() => {
      log(`browser session closed after ${Math.round(after / 1000)} s without a page`);
      forget(session);
    }, after);
    session.idle.unref();
  };

  /** A new, signed-out browser session with a new cookie (or none when the host is full). */
  const newSession = (setCookies: string[]): BrowserSession | null => {
    if (sessions.size >= maxSessions) {
      log(`bridge: no new browser session, the host holds ${sessions.size} (JX_WEB_MAX_SESSIONS)`);
      return null;
    }
    const id = randomBytes(32).toString('base64url');
    setCookies.push(cookie(SESSION_COOKIE, id));
    const session: BrowserSession = {
      key: digest(id),
      engine: (factory as SessionEngines).openSession(),
      pages: new Set(),
      signedIn: false,
      idle: null,
      unsubscribe: () => {},
      handoff: null,
    };
    sessions.set(session.key, session);
    session.engine.then(
      (own) => {
        if (sessions.get(session.key) !== session) return;
        // Events go only to this browser's pages: another member never sees them.
        session.unsubscribe = own.engine.subscribe((event, payload) => {
          if (event === 'session.changed') session.signedIn = payload !== null;
          const text = JSON.stringify({ t: 'event', event, payload });
          for (const ws of session.pages) if (ws.readyState === ws.OPEN) ws.send(text);
        });
      },
      (err: unknown) => {
        log(`starting an engine failed: ${(err as Error).message}`);
        if (sessions.get(session.key) === session) sessions.delete(session.key);
      },
    );
    return session;
  };

  /**
   * The browser session a page belongs to: the one its cookie names; right after a sign-in, the one its
   * page cookie hands over (with the new session cookie); else a new one — or none, when the host is full.
   * Every page also gets a page cookie of its own (a name of its own, so tabs do not overwrite each other's),
   * and page cookies of pages no longer open are deleted.
   */
  const sessionFor = (req: IncomingMessage): { session: BrowserSession | null; page: string | null } => {
    const setCookies: string[] = [];
    newCookies.set(req, setCookies);
    const jar = cookiesOf(req);
    const now = Date.now();
    const presented = jar.get(SESSION_COOKIE);
    let session = presented ? (sessions.get(digest(presented)) ?? null) : null;
    const pageCookies = [...jar].filter(([name]) => name.startsWith(PAGE_COOKIE_PREFIX));
    if (!session) {
      for (const [, value] of pageCookies) {
        const waiting = handoffs.get(digest(value));
        if (waiting?.handoff && waiting.handoff.until > now && sessions.get(waiting.key) === waiting) {
          session = waiting;
          setCookies.push(cookie(SESSION_COOKIE, waiting.handoff.cookie));
          break;
        }
      }
    }
    for (const [name, value] of pageCookies) {
      const d = digest(value);
      if (!livePages.has(d) && !handoffs.has(d)) setCookies.push(`${name}=; Path=/; Max-Age=0`);
    }
    session ??= newSession(setCookies);
    if (!session) return { session: null, page: null };
    const pageId = randomBytes(32).toString('base64url');
    setCookies.push(cookie(`${PAGE_COOKIE_PREFIX}${randomBytes(6).toString('hex')}`, pageId));
    return { session, page: digest(pageId) };
  };

  /**
   * Signed in on `page`: the session gets a new cookie (whoever knew the old one — it was set before the
   * sign-in — no longer reaches it), and its pages are closed so they come back for it. Only requests
   * that carry the signing page's own cookie get it, for HANDOFF_MS.
   */
  const rotate = (session: BrowserSession, page: string) => {
    if (sessions.get(session.key) !== session) return;
    if (session.handoff) handoffs.delete(session.handoff.page);
    const id = randomBytes(32).toString('base64url');
    sessions.delete(session.key);
    session.key = digest(id);
    sessions.set(session.key, session);
    session.handoff = { cookie: id, page, until: Date.now() + HANDOFF_MS };
    handoffs.set(page, session);
    const expire = setTimeout(() => {
      if (session.handoff?.page !== page) return;
      handoffs.delete(page);
      session.handoff = null;
    }, HANDOFF_MS);
    expire.unref();
    for (const ws of session.pages)
      ws.close(CLOSE_SIGNED_OUT, 'signed in: reconnect for the new session cookie');
  };

  wss.on('headers', (headers, req) => {
    for (const line of newCookies.get(req) ?? []) headers.push(`Set-Cookie: ${line}`);
  });

  const pages = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => log(`bridge socket error: ${err.message}`));
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== BRIDGE_PATH) return refuseUpgrade(socket, 404, 'No such WebSocket endpoint');
    if (req.headers.host !== authority) {
      log(`bridge refused: Host ${String(req.headers.host)}`);
      return refuseUpgrade(socket, 403, 'Forbidden: unexpected Host header');
    }
    if (req.headers.origin !== origin) {
      log(`bridge refused: Origin ${String(req.headers.origin ?? '(none)')}`);
      return refuseUpgrade(socket, 403, 'Forbidden: the bridge answers only pages of its own origin');
    }
    const keyOk = keyMatches(req);
    // Only a page with the key gets (or finds) a browser session: no key, no cookie and no engine.
    const browser = keyOk && factory ? sessionFor(req) : null;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!keyOk) {
        log('bridge refused: missing or wrong key');
        ws.close(CLOSE_BAD_KEY, 'missing or wrong key: open the address the web host printed');
        return;
      }
      pages.add(ws);
      ws.on('error', (err) => log(`bridge socket error: ${err.message}`));
      if (!browser) {
        ws.on('close', () => pages.delete(ws));
        ws.on('message', (data, isBinary) => onFrame(ws, data, isBinary, shared as ConsoleEngineHandle));
        send(ws, { t: 'ready' });
        return;
      }
      const { session, page } = browser;
      if (!session || !page) {
        // The host is full: the page is told so in both languages at every call. Once a place is free, its
        // next call (the page's 重试 / Retry) closes the link instead, and the reconnect gets a session.
        ws.on('close', () => pages.delete(ws));
        ws.on('message', (data, isBinary) => {
          if (sessions.size < maxSessions) return ws.close(CLOSE_SIGNED_OUT, 'a place is free: reconnect');
          onFrame(ws, data, isBinary, hostFull(maxSessions));
        });
        send(ws, { t: 'ready' });
        return;
      }
      livePages.set(page, ws);
      session.pages.add(ws);
      if (session.idle) clearTimeout(session.idle);
      session.idle = null;
      ws.on('close', () => {
        pages.delete(ws);
        livePages.delete(page);
        session.pages.delete(ws);
        // A member's session outlives their tabs (as the desktop app's does) for `idleMs`; one nobody
        // signed in to only briefly, so pages that come and go do not pile up engines.
        if (session.pages.size === 0 && sessions.get(session.key) === session) startIdle(session);
      });
      session.engine.then(
        (own) => {
          ws.on('message', (data, isBinary) =>
            onFrame(ws, data, isBinary, own.engine, (method) => {
              if (method === 'auth.login') return rotate(session, page);
              // Signed out: the server forgets this cookie and discards the engine and its cache; the
              // pages reconnect (the renderer does so on its own) and get a new, signed-out session.
              forget(session);
              for (const other of session.pages) other.close(CLOSE_SIGNED_OUT, 'signed out');
            }),
          );
          send(ws, { t: 'ready' });
        },
        () => ws.close(1011, 'the console engine did not start'),
      );
    });
  });

  const send = (ws: WebSocket, frame: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };

  const onFrame = (
    ws: WebSocket,
    data: RawData,
    isBinary: boolean,
    engine: ConsoleEngineHandle,
    /** A sign-in or sign-out went through (the host rotates or forgets the cookie). */
    authChanged?: (method: 'auth.login' | 'auth.logout') => void,
  ) => {
    if (isBinary) return ws.close(1003, 'binary frames are not accepted: send JSON text');
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return ws.close(1007, 'frame is not valid JSON');
    }
    const call = asCall(frame);
    if (!call.ok) return send(ws, { t: 'reply', id: call.id, reply: failure(badFrame()) });
    void answer(engine, call.method, call.args).then((reply) => {
      send(ws, { t: 'reply', id: call.id, reply });
      if ((call.method === 'auth.logout' || call.method === 'auth.login') && reply.ok)
        authChanged?.(call.method);
    });
  };

  /** Checks the call against the shared contract, so a malformed one never reaches the engine. */
  const answer = async (
    engine: ConsoleEngineHandle,
    method: unknown,
    args: unknown,
  ): Promise<BridgeReply> => {
    try {
      parseBridgeCall(method, args);
    } catch (err) {
      // parseBridgeCall reports every refusal as a BridgeContractError (with no issues for an unknown method).
      return failure(badCall(method, err instanceof BridgeContractError ? err.issues : []));
    }
    // `dispatch` promises never to throw; this catch keeps a broken promise from killing the host.
    return engine.dispatch(method, args).catch((err: unknown) =>
      failure(
        bridgeProblem('internal', {
          zh: '控制台引擎内部错误',
          en: `console engine error: ${err instanceof Error ? err.message : String(err)}`,
        }),
      ),
    );
  };

  const unsubscribe = shared
    ? shared.subscribe((event, payload) => {
        if (pages.size === 0) return;
        const text = JSON.stringify({ t: 'event', event, payload });
        for (const ws of pages) if (ws.readyState === ws.OPEN) ws.send(text);
      })
    : () => {};

  return {
    url: `${origin}/#key=${secret}`,
    origin,
    port,
    secret,
    close: async () => {
      unsubscribe();
      for (const ws of wss.clients) ws.close(1001, 'web host shutting down');
      // Give the pages a moment to answer the close handshake, then cut whatever is left.
      await Promise.race([
        new Promise<void>((resolve) => wss.close(() => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Per-session engines belong to the host: closed, their files kept (an outbox may still wait there).
      const open = [...sessions.values()];
      sessions.clear();
      handoffs.clear();
      await Promise.all(
        open.map(async (session) => {
          if (session.idle) clearTimeout(session.idle);
          session.unsubscribe();
          await session.engine.then((own) => own.engine.close()).catch(() => {});
        }),
      );
    },
  };
}

type CallFrame = { ok: true; id: number; method: unknown; args: unknown } | { ok: false; id: number | null };

function asCall(frame: unknown): CallFrame {
  if (typeof frame !== 'object' || frame === null) return { ok: false, id: null };
  const f = frame as Record<string, unknown>;
  const id = Number.isSafeInteger(f['id']) ? (f['id'] as number) : null;
  if (f['t'] !== 'call' || id === null) return { ok: false, id };
  return { ok: true, id, method: f['method'], args: f['args'] };
}

const failure = (problem: BridgeProblem): BridgeReply => ({ ok: false, problem });

/** What a page is told at every call when the host holds as many browser sessions as it may. */
function hostFull(maxSessions: number): ConsoleEngineHandle {
  const problem: BridgeProblem = {
    ...bridgeProblem(
      'host_full',
      {
        zh: `控制台服务器已满：同时使用的浏览器已达上限（${maxSessions} 个）。请稍后重试，或请管理员调高 JX_WEB_MAX_SESSIONS。`,
        en: `The console server is full: ${maxSessions} browser sessions are in use, the most it allows. Try again later, or ask the administrator to raise JX_WEB_MAX_SESSIONS.`,
      },
      { maxSessions },
    ),
    status: 503,
  };
  return {
    dispatch: async () => failure(problem),
    subscribe: () => () => {},
    close: async () => {},
  };
}

const badFrame = () =>
  bridgeProblem('bad_frame', {
    zh: '无法识别的消息：应为 {t:"call", id, method, args}',
    en: 'Unrecognised frame: expected {t:"call", id, method, args}',
  });

function badCall(method: unknown, issues: BridgeContractError['issues']): BridgeProblem {
  const name = String(method).slice(0, 100);
  return bridgeProblem(
    'bad_call',
    issues.length > 0
      ? { zh: `调用 ${name} 的参数不符合约定`, en: `Invalid arguments for ${name}` }
      : { zh: `没有这个桥接方法：${name}`, en: `Unknown bridge method: ${name}` },
    { issues },
  );
}
