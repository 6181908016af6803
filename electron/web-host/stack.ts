import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BridgeReply, ConsoleSession } from '@jiangxin/shared/bridge';
import type { ConsoleEngineHandle, EngineListener } from '../engine/api';
import { type ConsoleEngine, MemoryTokenStore, startConsoleEngine } from '../engine/index';
import { SettingsFile } from '../engine/settings';
import {
  DEFAULT_LIMITS,
  type SessionEngines,
  type SessionLimits,
  startWebHost,
  type WebHost,
} from './server';

/** The built renderer the web host serves by default. */
export const RENDERER_DIST = path.resolve(import.meta.dirname, '../../renderer/dist');

export interface ConsoleStackOptions {
  /** The core the engine talks to until the person configures another one at the login page. */
  coreUrl: string;
  /**
   * The engines' settings and cache files: `members/<core>-<userId>/` per member (settings, offline cache,
   * outbox; kept across restarts of the host) and `lobby/<random>/` per browser not signed in yet.
   */
  dataDir: string;
  /** The web host's port; 0 (the default) picks a free one. */
  port?: number;
  rendererDir?: string;
  /**
   * How many browser sessions the host keeps at once, and how long one without a page survives; by default
   * from JX_WEB_MAX_SESSIONS / JX_WEB_IDLE_MINUTES (`sessionLimitsFromEnv`).
   */
  limits?: SessionLimits;
  log?: (line: string) => void;
}

export interface ConsoleStack {
  /** Makes the engine of each browser session; the web host owns and closes them. */
  engine: SessionEngines;
  host: WebHost;
  /** The running engine of a member signed in through this host (benchmarks and tests read it directly). */
  engineOf(username: string): Promise<ConsoleEngineHandle | null>;
  /** The web host, which closes every browser session's engine after its pages. */
  close(): Promise<void>;
}

/**
 * The session limits `start:web` runs with: JX_WEB_MAX_SESSIONS (browser sessions at once, default 20) and
 * JX_WEB_IDLE_MINUTES (how long a signed-in session survives without an open page, default 30). Read here
 * rather than in cli.ts so every way of starting the stack (`start:web`, the benchmarks) honours them.
 */
export function sessionLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Required<SessionLimits> {
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`${name} must be a number ≥ ${min}`);
    return value;
  };
  return {
    maxSessions: Math.floor(read('JX_WEB_MAX_SESSIONS', DEFAULT_LIMITS.maxSessions, 1)),
    idleMs: Math.round(read('JX_WEB_IDLE_MINUTES', DEFAULT_LIMITS.idleMs / 60_000, 0.1) * 60_000),
  };
}

/** One member's engine, shared by every browser session signed in as that member on this host. */
interface MemberEngine {
  key: string;
  engine: ConsoleEngine;
  /** The browser sessions on it (`BrowserEngine`s). */
  browsers: Set<object>;
}

/**
 * The web host plus console engines behind it: what `start:web` runs after its core is up, and what the
 * end-to-end tests start against a core of their own.
 *
 * Each browser session talks to a `BrowserEngine`: until it signs in, a throwaway engine of its own in
 * `lobby/<random>` (the sign-in page, its language and core address). A successful `auth.login` there
 * tells who the member is; the lobby engine is closed (its login handed over, not revoked) and the browser
 * is moved to that member's engine in `members/<core>-<userId>` — started with the handed-over login (the
 * engine's own "resume a stored login" path), or, if the member is already signed in through another
 * browser, that same engine (the new login is revoked). So a member's cache file and outbox live in a
 * folder of their own, found again after a restart of the host, and no other member's engine ever opens
 * it. Refresh tokens live in memory only: a restart of the web host means signing in again.
 */
export async function startConsoleStack(opts: ConsoleStackOptions): Promise<ConsoleStack> {
  const log = opts.log ?? (() => {});
  const members = new Map<string, MemberEngine>();
  /** Sign-ins to the same member run one at a time, so two browsers never start two engines on one folder. */
  const memberLocks = new Map<string, Promise<unknown>>();
  const lobbyRoot = path.join(opts.dataDir, 'lobby');
  // A lobby folder holds nothing worth keeping (no member signed in there): left-overs of a crash go.
  await fs.rm(lobbyRoot, { recursive: true, force: true });

  const startLobby = async () => {
    const dir = path.join(lobbyRoot, randomBytes(12).toString('hex'));
    await fs.mkdir(dir, { recursive: true });
    const tokens = new MemoryTokenStore();
    const engine = await startConsoleEngine({
      dataDir: dir,
      defaultCoreUrl: opts.coreUrl,
      tokenStore: tokens,
      log,
    });
    return {
      engine,
      dir,
      tokens,
      discard: async () => {
        await engine.close();
        await fs.rm(dir, { recursive: true, force: true });
      },
    };
  };
  type Lobby = Awaited<ReturnType<typeof startLobby>>;

  const memberKey = (s: ConsoleSession) =>
    `${createHash('sha256').update(s.coreUrl).digest('hex').slice(0, 16)}-${s.userId}`;

  const signedInAs = async (engine: ConsoleEngineHandle): Promise<ConsoleSession | null> => {
    const reply = await engine.dispatch('auth.session', {});
    return reply.ok ? (reply.result as ConsoleSession | null) : null;
  };

  /** Moves a lobby's fresh login to its member's engine (started now, or the one already running). */
  const adopt = async (lobby: Lobby, info: ConsoleSession): Promise<MemberEngine> => {
    const key = memberKey(info);
    const running = members.get(key);
    if (running && (await signedInAs(running.engine))?.userId === info.userId) {
      // Already signed in through another browser: one engine per member, so this login is not needed.
      await lobby.engine.dispatch('auth.logout', {});
      await lobby.discard();
      return running;
    }
    const stored = await lobby.tokens.load(info.coreUrl);
    const { locale, theme } = lobby.engine.settings.get();
    // Closing keeps the login in the lobby's token store (nothing is revoked); its folder goes.
    await lobby.discard();
    if (!stored) throw new Error('the sign-in left no login to hand over');
    if (running) {
      // The member's previous engine lost its login (signed out elsewhere, or ended by the core); the
      // browsers still on it go back to the sign-in page on their own (BrowserEngine.forward). It is
      // closed before another engine opens the same folder.
      members.delete(key);
      await running.engine.close();
    }
    const dir = path.join(opts.dataDir, 'members', key);
    await fs.mkdir(dir, { recursive: true });
    // The member's own language and theme stay, unless they picked others at this sign-in page.
    const settings = new SettingsFile(dir, opts.coreUrl);
    settings.update({
      coreUrl: info.coreUrl,
      lastSession: info,
      ...(locale !== 'zh-CN' ? { locale } : {}),
      ...(theme !== 'system' ? { theme } : {}),
    });
    const tokens = new MemoryTokenStore();
    await tokens.save(info.coreUrl, stored);
    const engine = await startConsoleEngine({
      dataDir: dir,
      defaultCoreUrl: opts.coreUrl,
      tokenStore: tokens,
      log,
    });
    const member: MemberEngine = { key, engine, browsers: new Set() };
    members.set(key, member);
    return member;
  };

  const release = async (member: MemberEngine, browser: BrowserEngine) => {
    member.browsers.delete(browser);
    if (member.browsers.size > 0 || members.get(member.key) !== member) return;
    members.delete(member.key);
    // Closed, never wiped: a queued action waits in the member's folder for their next sign-in.
    await member.engine.close();
  };

  /** What one browser session's pages talk to: its lobby engine, then its member's engine. */
  class BrowserEngine implements ConsoleEngineHandle {
    private readonly listeners = new Set<EngineListener>();
    private current: ConsoleEngineHandle;
    private member: MemberEngine | null = null;
    private unsubscribe: () => void;
    /** A sign-in in progress: other calls wait for it, so none reaches an engine being closed. */
    private switching: Promise<unknown> = Promise.resolve();
    private closed = false;

    constructor(private lobby: Lobby | null) {
      this.current = (lobby as Lobby).engine;
      this.unsubscribe = this.current.subscribe(this.forward);
    }

    private readonly forward: EngineListener = (event, payload) => {
      for (const listener of this.listeners) listener(event, payload);
      // The member's login ended (signed out in another browser, or revoked by the core): this browser
      // leaves their engine and is back at a sign-in page of its own.
      if (event === 'session.changed' && payload === null && this.member) this.toLobby(this.member);
    };

    private toLobby(from: MemberEngine) {
      const leave = this.switching.then(async () => {
        if (this.closed || this.member !== from) return;
        this.member = null;
        this.lobby ??= await startLobby();
        this.point(this.lobby.engine);
        await release(from, this);
      });
      this.switching = leave.catch((err: unknown) =>
        log(`leaving a signed-out engine failed: ${(err as Error).message}`),
      );
    }

    subscribe(listener: EngineListener): () => void {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    }

    async dispatch(method: unknown, args: unknown): Promise<BridgeReply> {
      if (method === 'auth.login') {
        const signIn = this.switching.then(() => this.signIn(args));
        this.switching = signIn.catch(() => {});
        return signIn;
      }
      await this.switching;
      return this.current.dispatch(method, args);
    }

    private async signIn(args: unknown): Promise<BridgeReply> {
      this.lobby ??= await startLobby();
      const lobby = this.lobby;
      if (this.current !== lobby.engine) this.point(lobby.engine);
      const reply = await lobby.engine.dispatch('auth.login', args);
      if (!reply.ok || this.closed) return reply;
      const info = reply.result as ConsoleSession;
      // The lobby's own goings-on from here (the handed-over login, a revoked duplicate) are not news.
      this.unsubscribe();
      this.unsubscribe = () => {};
      const key = memberKey(info);
      const previous = memberLocks.get(key) ?? Promise.resolve();
      const adopted = previous.then(() => adopt(lobby, info));
      memberLocks.set(
        key,
        adopted.catch(() => {}),
      );
      let member: MemberEngine;
      try {
        member = await adopted;
      } catch (err) {
        log(`handing the sign-in to the member's engine failed: ${(err as Error).message}`);
        this.lobby = null;
        return {
          ok: false,
          problem: {
            code: 'engine_error',
            status: null,
            message: {
              zh: '登录后无法打开该成员的控制台，请重试',
              en: "Signed in, but the member's console did not open: try again",
            },
            extra: {},
          },
        };
      }
      this.lobby = null;
      if (this.member && this.member !== member) await release(this.member, this);
      await this.attach(member);
      return reply;
    }

    /** Talks to `member`'s engine from now on and tells the pages where it stands. */
    async attach(member: MemberEngine): Promise<void> {
      if (this.closed) return;
      member.browsers.add(this);
      this.member = member;
      this.point(member.engine);
      // The engine published these when it started, before this browser listened: say them again.
      const session = await signedInAs(member.engine);
      this.forward('session.changed', session);
      const status = await member.engine.dispatch('sync.status', {});
      if (status.ok) this.forward('sync.status', status.result as never);
      const outbox = await member.engine.dispatch('outbox.list', {});
      if (outbox.ok) this.forward('outbox.changed', outbox.result as never);
    }

    private point(engine: ConsoleEngineHandle) {
      this.unsubscribe();
      this.current = engine;
      this.unsubscribe = engine.subscribe(this.forward);
    }

    async close(): Promise<void> {
      if (this.closed) return;
      this.closed = true;
      await this.switching;
      this.unsubscribe();
      this.listeners.clear();
      await this.lobby?.discard();
      this.lobby = null;
      if (this.member) await release(this.member, this);
      this.member = null;
    }
  }

  const engine: SessionEngines = {
    openSession: async () => {
      const own = new BrowserEngine(await startLobby());
      return { engine: own, discard: () => own.close() };
    },
  };
  const host = await startWebHost({
    engine,
    rendererDir: opts.rendererDir ?? RENDERER_DIST,
    port: opts.port ?? 0,
    limits: opts.limits ?? sessionLimitsFromEnv(),
    log: opts.log,
  });
  return {
    engine,
    host,
    engineOf: async (username) => {
      for (const member of members.values())
        if ((await signedInAs(member.engine))?.username === username) return member.engine;
      return null;
    },
    close: async () => {
      await host.close();
      // Engines whose browser sessions the host no longer held (none, normally) close here too.
      await Promise.all([...members.values()].map((m) => m.engine.close().catch(() => {})));
      members.clear();
    },
  };
}
