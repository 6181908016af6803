import type { TokenPair } from '@jiangxin/shared/api/accounts';
import {
  type BridgeCallArgs,
  bridgeProblem,
  type ConsoleSession,
  type SyncStatus,
} from '@jiangxin/shared/bridge';
import type { EventEnvelope } from '@jiangxin/shared/events';
import { opsTypingSchema, presenceSchema } from '@jiangxin/shared/ops/stream';
import type { CacheChanges } from './cache/cases';
import { toOutboxItem } from './cache/outbox';
import type { EngineContext } from './context';
import {
  CoreClient,
  CoreRefusal,
  CoreUnavailable,
  CoreUnreachable,
  UNREACHABLE_MESSAGE,
} from './net/core-client';
import { EngineSession } from './session';
import { OFFLINE_STATUS, SyncLoop } from './sync/sync';

const notSignedIn = () =>
  new CoreRefusal(bridgeProblem('not_signed_in', { zh: '请先登录', en: 'Sign in first' }));
const offline = () => new CoreRefusal(bridgeProblem('offline', UNREACHABLE_MESSAGE));

/** What happens in a session that the rest of the engine reacts to (the outbox, live notifications). */
export interface SessionHooks {
  /** The core is reachable and working again: replay the outbox. */
  online(session: EngineSession): void;
  casesChanged(session: EngineSession, changes: CacheChanges, live: boolean): Promise<void>;
  event(session: EngineSession, event: EventEnvelope): Promise<void>;
}

type CoreUser = TokenPair['user'];

/**
 * Signing in and out: the one current `EngineSession`, resumed from a stored login at start (offline it
 * runs on the cache alone until the core confirms the login), its sync loop, and the status, counts and
 * outbox the renderer sees. Ending a session disposes it whole.
 */
export class Sessions {
  private session: EngineSession | null = null;
  private lastStatus: SyncStatus = OFFLINE_STATUS;

  constructor(
    private readonly ctx: EngineContext,
    private readonly hooks: SessionHooks,
    /** Settled when no outbox replay is running (a session ends only after its replay stops). */
    private readonly replaying: () => Promise<void> | null,
  ) {}

  get current(): EngineSession | null {
    return this.session;
  }

  get status(): SyncStatus {
    return this.session ? this.lastStatus : OFFLINE_STATUS;
  }

  require(): EngineSession {
    if (!this.session) throw notSignedIn();
    return this.session;
  }

  /** A call that needs the core right now (no offline answer exists for it). */
  online(): EngineSession {
    const session = this.require();
    if (!session.resumed) throw offline();
    return session;
  }

  /** The core said it cannot work now (503): the status says so, and the sync loop waits for it. */
  unavailable(error: CoreUnavailable): void {
    if (this.session?.resumed) this.session.sync?.unavailable(error);
  }

  /** Resumes the login the host stored at the last sign-in, if it belongs to the configured core. */
  async restore(): Promise<void> {
    const { coreUrl } = this.ctx.settings.get();
    const stored = await this.ctx.opts.tokenStore.load(coreUrl);
    const last = this.ctx.settings.lastSession();
    if (!stored || !last || last.userId !== stored.userId || last.coreUrl !== coreUrl) return;
    const session = await this.open(last, this.newClient(coreUrl));
    this.tryResume(session, stored.refreshToken);
  }

  async login(args: BridgeCallArgs<'auth.login'>): Promise<ConsoleSession> {
    const coreUrl = args.coreUrl ?? this.ctx.settings.get().coreUrl;
    const client = this.newClient(coreUrl);
    const pair = await client.login(args.login, args.password);
    if (!pair.user.staffRoles.length) {
      await client.logout();
      await this.ctx.opts.tokenStore.clear(coreUrl);
      throw new CoreRefusal(
        bridgeProblem('not_staff', {
          zh: '该账号不是平台员工，不能登录运营台',
          en: 'This account is not staff',
        }),
      );
    }
    const info = sessionInfo(pair.user, coreUrl);
    const previous = this.session;
    if (previous) {
      // Switching account or core: the previous account's cache goes, unless it is the same account.
      const same = previous.info.userId === info.userId && previous.info.coreUrl === coreUrl;
      await this.end({ wipe: !same, forgetLogin: !same });
    }
    this.ctx.settings.update({ coreUrl, lastSession: info });
    const session = await this.open(info, client);
    session.resumed = true;
    await this.startSync(session);
    return info;
  }

  /** Signs out: revokes the login at the core when it can, and deletes this account's cache. */
  async logout(): Promise<void> {
    if (!this.session) return;
    await this.session.client.logout();
    await this.end({ wipe: true });
  }

  async end(opts: { wipe: boolean; forgetLogin?: boolean }): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    await session.dispose({ wipe: opts.wipe, whileReplaying: this.replaying() });
    if (opts.forgetLogin || opts.wipe) {
      await this.ctx.opts.tokenStore.clear(session.info.coreUrl);
      this.ctx.settings.update({ lastSession: null });
    }
    if (!this.ctx.closed) {
      this.ctx.emit('session.changed', null);
      this.publishStatus(OFFLINE_STATUS);
      this.ctx.emit('outbox.changed', { items: [] });
      this.ctx.emit('counts.changed', { assignedOpen: 0, unreadChats: 0 });
    }
  }

  publishStatus(status: SyncStatus): void {
    this.lastStatus = status;
    this.ctx.emit('sync.status', status);
  }

  async publishOutbox(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.ctx.emit('outbox.changed', { items: (await session.cache.outboxList()).map(toOutboxItem) });
  }

  async publishCounts(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const assignedOpen = await session.cache.assignedOpenCount().catch(() => 0);
    if (this.session !== session) return;
    this.ctx.emit('counts.changed', { assignedOpen, unreadChats: session.unread });
  }

  /** Re-reads the unread support count soon and publishes the badge figures. */
  refreshUnread(session: EngineSession, delayMs?: number): void {
    session.scheduleUnread(() => {
      if (this.session === session) this.ctx.background(this.publishCounts());
    }, delayMs);
  }

  private newClient(coreUrl: string): CoreClient {
    const client: CoreClient = new CoreClient({
      coreUrl,
      onTokens: async (pair) => {
        await this.ctx.opts.tokenStore.save(coreUrl, {
          refreshToken: pair.refreshToken,
          userId: pair.user.id,
          username: pair.user.username,
        });
        this.adoptAccess(client, pair.user);
      },
      onSessionEnded: (problem) => {
        if (this.session?.client !== client) return;
        this.ctx.log(`session ended by the core: ${problem.code}`);
        this.ctx.background(this.end({ wipe: false, forgetLogin: true }));
      },
    });
    return client;
  }

  /** Confirms a stored login with the core; until then (offline) the console works from the cache. */
  private tryResume(session: EngineSession, refreshToken: string, attempt = 0): void {
    void session.client
      .resume(refreshToken)
      .then(async (pair) => {
        if (this.session !== session) return;
        session.resumed = true;
        session.info = sessionInfo(pair.user, session.info.coreUrl);
        this.ctx.settings.update({ lastSession: session.info });
        this.ctx.emit('session.changed', session.info);
        await this.startSync(session);
      })
      .catch(async (error) => {
        if (this.session !== session) return;
        if (error instanceof CoreUnreachable) {
          const unavailable = error instanceof CoreUnavailable;
          this.publishStatus({
            ...OFFLINE_STATUS,
            ...(await cachedStatus(session)),
            ...(unavailable ? { state: 'unavailable' as const } : {}),
            problem: unavailable ? error.problem.message : UNREACHABLE_MESSAGE,
          });
          session.retryLater(
            () => this.tryResume(session, refreshToken, attempt + 1),
            Math.min(10_000, 500 * 2 ** attempt),
          );
          return;
        }
        // Refused (revoked, expired, suspended): sign in again; the cache stays for the same account.
        await this.end({ wipe: false, forgetLogin: true });
      })
      .catch((error: unknown) => this.ctx.log(`resuming the session failed: ${(error as Error).message}`));
  }

  /**
   * Every token carries the account's roles as they are now. When they differ from what the console shows
   * (an admin changed them; the core then closed this member's stream, and the reconnect refreshed the
   * token), the session is updated and the renderer rebuilds its navigation and actions: no re-sign-in.
   */
  private adoptAccess(client: CoreClient, user: CoreUser): void {
    const session = this.session;
    if (session?.client !== client || session.info.userId !== user.id) return;
    const same = (a: readonly string[], b: readonly string[]) =>
      [...a].sort().join() === [...b].sort().join();
    if (same(session.info.roles, user.staffRoles) && same(session.info.permissions, user.permissions)) return;
    this.ctx.log(`roles changed by the core: ${user.staffRoles.join(', ') || '(none)'}`);
    session.info = sessionInfo(user, session.info.coreUrl);
    this.ctx.settings.update({ lastSession: session.info });
    this.ctx.emit('session.changed', session.info);
  }

  private async open(info: ConsoleSession, client: CoreClient): Promise<EngineSession> {
    const session = await EngineSession.open(info, client, this.ctx.opts.dataDir);
    this.session = session;
    this.ctx.emit('session.changed', info);
    this.publishStatus({ ...OFFLINE_STATUS, ...(await cachedStatus(session)), state: 'connecting' });
    await this.publishOutbox();
    await this.publishCounts();
    return session;
  }

  private async startSync(session: EngineSession): Promise<void> {
    const mine = () => this.session === session;
    const sync = new SyncLoop({
      client: session.client,
      cache: session.cache,
      now: this.ctx.opts.now,
      log: (line) => this.ctx.log(line),
      onStatus: (status) => {
        if (mine()) this.publishStatus(status);
      },
      onCasesChanged: (changes, live) => {
        if (mine()) this.ctx.background(this.hooks.casesChanged(session, changes, live));
      },
      onEvent: (event) => {
        if (mine()) this.ctx.background(this.hooks.event(session, event));
      },
      // Stream messages are checked against the contract like HTTP answers; a malformed one is dropped.
      onPresence: (presence) => {
        const parsed = presenceSchema.safeParse(presence);
        if (!parsed.success) this.ctx.log('dropped a malformed presence message');
        else if (mine()) this.ctx.emit('presence', parsed.data);
      },
      onTyping: (typing) => {
        const parsed = opsTypingSchema.safeParse(typing);
        if (!parsed.success) this.ctx.log('dropped a malformed typing message');
        else if (mine()) this.ctx.emit('chat.typing', parsed.data);
      },
      onOnline: () => {
        if (!mine()) return;
        this.hooks.online(session);
        this.refreshUnread(session, 0);
      },
    });
    session.sync = sync;
    await sync.start();
  }
}

function sessionInfo(user: CoreUser, coreUrl: string): ConsoleSession {
  return {
    userId: user.id,
    username: user.username,
    nickname: user.nickname,
    roles: user.staffRoles,
    permissions: user.permissions,
    coreUrl,
  };
}

async function cachedStatus(session: EngineSession): Promise<Partial<SyncStatus>> {
  const s = await session.cache.syncState();
  return {
    lastSeq: s.lastSeq,
    headSeq: s.headSeq,
    behindBy: Math.max(0, s.headSeq - s.lastSeq),
    lastSyncedAt: s.lastSyncedAt,
  };
}
