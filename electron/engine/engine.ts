import {
  BRIDGE_METHODS,
  type BridgeArgs,
  BridgeContractError,
  type BridgeEvent,
  type BridgeEventPayload,
  type BridgeMethod,
  type BridgeProblem,
  type BridgeReply,
  type BridgeResult,
  bridgeProblem,
  type ConsoleSession,
  FILE_CONTENT_MAX_BYTES,
  parseBridgeCall,
  type SyncStatus,
} from '@jiangxin/shared/bridge';
import { MAX_SAVED_VIEWS, type QueueViewState } from '@jiangxin/shared/console/views';
import type { EventEnvelope } from '@jiangxin/shared/events';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { caseDetailSchema, caseSummarySchema } from '@jiangxin/shared/ops/cases';
import { OPS_STREAM } from '@jiangxin/shared/ops/stream';
import {
  staffSupportMessagePageSchema,
  supportPreviewsSchema,
  supportUnreadSchema,
} from '@jiangxin/shared/ops/support';
import { hasPermission } from '@jiangxin/shared/permissions';
import { z } from 'zod';
import { type ActionMethod, actionRequest, isActionMethod } from './actions';
import type { ConsoleEngineHandle, ConsoleEngineOptions, EngineListener } from './api';
import type { CacheChanges } from './cache/cases';
import { toOutboxItem } from './cache/outbox';
import { openRemoteCache, type RemoteCache } from './cache-worker/remote';
import { CORE_CALLS } from './core-calls';
import {
  CoreClient,
  CoreRefusal,
  CoreUnavailable,
  CoreUnreachable,
  toCoreError,
  UNREACHABLE_MESSAGE,
} from './net/core-client';
import { SettingsFile, TooManyViews } from './settings';
import { SyncLoop } from './sync/sync';

const OFFLINE_STATUS: SyncStatus = {
  state: 'offline',
  lastSeq: 0,
  headSeq: 0,
  behindBy: 0,
  snapshot: null,
  lastSyncedAt: null,
  problem: null,
};

const actionResponseSchema = z.object({ case: caseSummarySchema, result: z.record(z.string(), z.unknown()) });

/** One signed-in staff account: its core client, its cache and its sync loop. */
interface Session {
  info: ConsoleSession;
  client: CoreClient;
  cache: RemoteCache;
  sync: SyncLoop | null;
  /** Cases held by me, to notice the ones newly assigned to me. */
  mine: Set<number>;
  /** Cases I just acted on (my own claim is not news). */
  actedOn: Map<number, number>;
  /** Until the core confirms the stored login after a restart, the console runs on the cache alone. */
  resumed: boolean;
  resumeTimer: NodeJS.Timeout | null;
}

const notSignedIn = () =>
  new CoreRefusal(bridgeProblem('not_signed_in', { zh: '请先登录', en: 'Sign in first' }));
const offline = () => new CoreRefusal(bridgeProblem('offline', UNREACHABLE_MESSAGE));

/**
 * The console engine: everything behind the bridge. Owns the signed-in session (core client with token
 * refresh, the per-account offline cache on its worker thread, the sync loop), answers the renderer's
 * calls from the cache where they must work offline, sends actions to the core or queues them durably in
 * the outbox, replays the outbox in order on reconnect, and pushes events to the renderer.
 */
export class ConsoleEngine implements ConsoleEngineHandle {
  private readonly listeners = new Set<EngineListener>();
  private readonly settings: SettingsFile;
  private session: Session | null = null;
  private replaying: Promise<void> | null = null;
  private replayAgain = false;
  private closed = false;
  private unreadTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly opts: ConsoleEngineOptions) {
    this.settings = new SettingsFile(opts.dataDir, opts.defaultCoreUrl);
  }

  /** Starts the engine; a login stored by the host is resumed (or, offline, the cache opened on its own). */
  static async start(opts: ConsoleEngineOptions): Promise<ConsoleEngine> {
    const engine = new ConsoleEngine(opts);
    await engine.restore();
    return engine;
  }

  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispatch(method: unknown, args: unknown): Promise<BridgeReply> {
    try {
      const call = parseBridgeCall(method, args);
      const result = await this.call(call.method, call.args as never);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof CoreUnavailable) this.coreUnavailable(error);
      return { ok: false, problem: this.problemOf(error) };
    }
  }

  /** The core said it cannot work now (503): the status says so, and the sync loop waits for it to recover. */
  private coreUnavailable(error: CoreUnavailable): void {
    const session = this.session;
    if (session?.resumed) session.sync?.unavailable(error);
  }

  /** A validated call. Throws CoreRefusal / CoreUnreachable (turned into problems by `dispatch`). */
  async call<M extends BridgeMethod>(method: M, args: BridgeArgs<M>): Promise<BridgeResult<M>> {
    if (this.closed)
      throw new CoreRefusal(
        bridgeProblem('engine_closed', { zh: '运营台正在退出', en: 'The console is closing' }),
      );
    const result = await this.run(method, args as never);
    return BRIDGE_METHODS[method].result.parse(result) as BridgeResult<M>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.unreadTimer) clearTimeout(this.unreadTimer);
    await this.endSession({ wipe: false });
    this.listeners.clear();
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────────────

  private emit<E extends BridgeEvent>(event: E, payload: BridgeEventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`listener failed on ${event}: ${(error as Error).message}`);
      }
    }
  }

  private log(line: string) {
    this.opts.log?.(line);
  }

  /** Work started from an event: a failure is logged, unless the session it belonged to has ended. */
  private background(work: Promise<unknown>): void {
    work.catch((error: unknown) => {
      if (!this.closed) this.log(`background work failed: ${(error as Error).message}`);
    });
  }

  private problemOf(error: unknown): BridgeProblem {
    if (error instanceof BridgeContractError) {
      return bridgeProblem(
        'bad_call',
        { zh: `调用参数不正确：${error.message}`, en: `Invalid call: ${error.message}` },
        { issues: error.issues },
      );
    }
    if (error instanceof CoreRefusal) return error.problem;
    // The core's own 503 problem: 服务暂不可用，请稍后再试, not "cannot connect".
    if (error instanceof CoreUnavailable) return error.problem;
    if (error instanceof CoreUnreachable) return bridgeProblem('offline', UNREACHABLE_MESSAGE);
    this.log(`internal error: ${(error as Error).stack ?? String(error)}`);
    return bridgeProblem('engine_error', {
      zh: `运营台内部错误：${(error as Error).message}`,
      en: `Console error: ${(error as Error).message}`,
    });
  }

  // ── session lifecycle ────────────────────────────────────────────────────────────────────────────

  private newClient(coreUrl: string): CoreClient {
    const client: CoreClient = new CoreClient({
      coreUrl,
      onTokens: async (pair) => {
        await this.opts.tokenStore.save(coreUrl, {
          refreshToken: pair.refreshToken,
          userId: pair.user.id,
          username: pair.user.username,
        });
        this.adoptAccess(client, pair.user);
      },
      onSessionEnded: (problem) => {
        if (this.session?.client !== client) return;
        this.log(`session ended by the core: ${problem.code}`);
        this.background(this.endSession({ wipe: false, forgetLogin: true }));
      },
    });
    return client;
  }

  private async restore(): Promise<void> {
    const { coreUrl } = this.settings.get();
    const stored = await this.opts.tokenStore.load(coreUrl);
    const last = this.settings.lastSession();
    if (!stored || !last || last.userId !== stored.userId || last.coreUrl !== coreUrl) return;
    const session = await this.openSession(last, this.newClient(coreUrl));
    this.tryResume(session, stored.refreshToken);
  }

  /** Confirms a stored login with the core; until then (offline) the console works from the cache. */
  private tryResume(session: Session, refreshToken: string, attempt = 0): void {
    void session.client
      .resume(refreshToken)
      .then(async (pair) => {
        if (this.session !== session) return;
        session.resumed = true;
        session.info = this.sessionInfo(pair.user, session.info.coreUrl);
        this.settings.update({ lastSession: session.info });
        this.emit('session.changed', session.info);
        await this.startSync(session);
      })
      .catch(async (error) => {
        if (this.session !== session) return;
        if (error instanceof CoreUnreachable) {
          const unavailable = error instanceof CoreUnavailable;
          this.publishStatus({
            ...OFFLINE_STATUS,
            ...(await this.cachedStatus(session)),
            ...(unavailable ? { state: 'unavailable' as const } : {}),
            problem: unavailable ? error.problem.message : UNREACHABLE_MESSAGE,
          });
          session.resumeTimer = setTimeout(
            () => this.tryResume(session, refreshToken, attempt + 1),
            Math.min(10_000, 500 * 2 ** attempt),
          );
          return;
        }
        // Refused (revoked, expired, suspended): sign in again; the cache stays for the same account.
        await this.endSession({ wipe: false, forgetLogin: true });
      })
      .catch((error: unknown) => this.log(`resuming the session failed: ${(error as Error).message}`));
  }

  /**
   * Every token carries the account's roles as they are now. When they differ from what the console shows
   * (an admin changed them; the core then closed this member's stream, and the reconnect refreshed the
   * token), the session is updated and the renderer rebuilds its navigation and actions: no re-sign-in.
   */
  private adoptAccess(client: CoreClient, user: Parameters<ConsoleEngine['sessionInfo']>[0]): void {
    const session = this.session;
    if (session?.client !== client || session.info.userId !== user.id) return;
    const same = (a: readonly string[], b: readonly string[]) =>
      [...a].sort().join() === [...b].sort().join();
    if (same(session.info.roles, user.staffRoles) && same(session.info.permissions, user.permissions)) return;
    this.log(`roles changed by the core: ${user.staffRoles.join(', ') || '(none)'}`);
    session.info = this.sessionInfo(user, session.info.coreUrl);
    this.settings.update({ lastSession: session.info });
    this.emit('session.changed', session.info);
  }

  private sessionInfo(
    user: {
      id: number;
      username: string;
      nickname: string;
      staffRoles: ConsoleSession['roles'];
      permissions: ConsoleSession['permissions'];
    },
    coreUrl: string,
  ): ConsoleSession {
    return {
      userId: user.id,
      username: user.username,
      nickname: user.nickname,
      roles: user.staffRoles,
      permissions: user.permissions,
      coreUrl,
    };
  }

  private async openSession(info: ConsoleSession, client: CoreClient): Promise<Session> {
    const cache = await openRemoteCache({
      dir: this.opts.dataDir,
      account: { userId: info.userId, coreUrl: info.coreUrl },
    });
    const mine = new Set(
      (await cache.listCases({ assignee: 'me', statuses: ['open', 'waiting'], limit: 100_000 })).items.map(
        (c) => c.id,
      ),
    );
    const session: Session = {
      info,
      client,
      cache,
      sync: null,
      mine,
      actedOn: new Map(),
      resumed: false,
      resumeTimer: null,
    };
    this.session = session;
    this.emit('session.changed', info);
    this.publishStatus({ ...OFFLINE_STATUS, ...(await this.cachedStatus(session)), state: 'connecting' });
    await this.publishOutbox();
    await this.publishCounts();
    return session;
  }

  private async cachedStatus(session: Session): Promise<Partial<SyncStatus>> {
    const s = await session.cache.syncState();
    return {
      lastSeq: s.lastSeq,
      headSeq: s.headSeq,
      behindBy: Math.max(0, s.headSeq - s.lastSeq),
      lastSyncedAt: s.lastSyncedAt,
    };
  }

  private async startSync(session: Session): Promise<void> {
    const sync = new SyncLoop({
      client: session.client,
      cache: session.cache,
      now: this.opts.now,
      log: (line) => this.log(line),
      onStatus: (status) => {
        if (this.session === session) this.publishStatus(status);
      },
      onCasesChanged: (changes, live) => {
        if (this.session === session) this.background(this.casesChanged(session, changes, live));
      },
      onEvent: (event) => {
        if (this.session === session) this.background(this.liveEvent(session, event));
      },
      onPresence: (presence) => this.emit('presence', presence),
      onTyping: (typing) => this.emit('chat.typing', { caseId: typing.caseId, side: typing.side }),
      onOnline: () => {
        if (this.session !== session) return;
        this.background(this.replayOutbox());
        this.scheduleUnread(session, 0);
      },
    });
    session.sync = sync;
    await sync.start();
  }

  private async endSession(opts: { wipe: boolean; forgetLogin?: boolean }): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    if (session.resumeTimer) clearTimeout(session.resumeTimer);
    await session.sync?.stop();
    await this.replaying?.catch(() => {});
    if (opts.wipe) await session.cache.wipe();
    else await session.cache.close();
    if (opts.forgetLogin || opts.wipe) {
      await this.opts.tokenStore.clear(session.info.coreUrl);
      this.settings.update({ lastSession: null });
    }
    if (!this.closed) {
      this.emit('session.changed', null);
      this.publishStatus(OFFLINE_STATUS);
      this.emit('outbox.changed', { items: [] });
    }
  }

  private lastStatus: SyncStatus = OFFLINE_STATUS;
  private publishStatus(status: SyncStatus): void {
    this.lastStatus = status;
    this.emit('sync.status', status);
  }

  private requireSession(): Session {
    if (!this.session) throw notSignedIn();
    return this.session;
  }

  /** A call that needs the core right now (no offline answer exists for it). */
  private online(): Session {
    const session = this.requireSession();
    if (!session.resumed) throw offline();
    return session;
  }

  // ── changes flowing to the renderer ──────────────────────────────────────────────────────────────

  /**
   * Tells the renderer, keeps the set of cases I hold, and notifies about a case newly assigned to me by
   * someone else — only for live changes: a snapshot or catch-up is not news.
   */
  private async casesChanged(session: Session, changes: CacheChanges, live: boolean): Promise<void> {
    this.emit('cases.changed', { upserted: changes.upserted, removed: changes.removed });
    const now = Date.now();
    const held = new Map((await session.cache.heldAmong(changes.upserted)).map((c) => [c.id, c.title]));
    for (const id of changes.upserted) {
      const title = held.get(id);
      if (title === undefined) {
        session.mine.delete(id);
        continue;
      }
      const acted = session.actedOn.get(id);
      if (live && !session.mine.has(id) && (!acted || now - acted > 30_000)) {
        this.emit('notify', {
          kind: 'case_assigned',
          title: '新工单已分配给你',
          body: `#${id} ${title}`,
          caseId: id,
        });
      }
      session.mine.add(id);
    }
    for (const id of changes.removed) session.mine.delete(id);
    for (const [id, at] of session.actedOn) if (now - at > 30_000) session.actedOn.delete(id);
    await this.publishCounts();
  }

  private unread = 0;
  private async publishCounts(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const assignedOpen = await session.cache.assignedOpenCount().catch(() => 0);
    this.emit('counts.changed', { assignedOpen, unreadChats: this.unread });
  }

  private scheduleUnread(session: Session, delayMs = 300): void {
    if (!hasPermission(session.info.roles, 'support.chat') || this.unreadTimer) return;
    this.unreadTimer = setTimeout(async () => {
      this.unreadTimer = null;
      if (this.session !== session) return;
      try {
        const unread = await session.client.get('/ops/support/unread', { schema: supportUnreadSchema });
        this.unread = unread.total;
        await this.publishCounts();
      } catch {
        // Offline: the count stays as it was until the next event.
      }
    }, delayMs);
  }

  private async liveEvent(session: Session, event: EventEnvelope): Promise<void> {
    if (event.type === 'support.message_created') {
      const p = event.payload as {
        caseId: number | null;
        senderKind: string;
        isNote: boolean;
        preview: string;
      };
      this.scheduleUnread(session);
      if (p.caseId === null) return;
      try {
        const page = await session.client.get(`/ops/support/conversations/${p.caseId}/messages`, {
          params: { limit: 20 },
          schema: staffSupportMessagePageSchema,
        });
        await session.cache.putChatMessages(p.caseId, page.items);
        const newest = page.items.at(-1) ?? page.items[0];
        const message =
          page.items.find((m) => m.id === (event.payload as { messageId: number }).messageId) ?? newest;
        if (message) this.emit('chat.message', { caseId: p.caseId, message });
      } catch {
        // Offline between the event and the fetch: the chat is re-read when it is opened.
      }
      if (p.senderKind === 'user' && session.mine.has(p.caseId)) {
        this.emit('notify', { kind: 'chat_message', title: '客户新消息', body: p.preview, caseId: p.caseId });
      }
    } else if (event.type === 'support.read') {
      this.scheduleUnread(session);
      const p = event.payload as { caseId: number | null; side: 'user' | 'agent'; upToMessageId: number };
      if (p.caseId !== null)
        this.emit('chat.read', {
          caseId: p.caseId,
          side: p.side === 'user' ? 'customer' : 'agent',
          upToMessageId: p.upToMessageId,
        });
    }
  }

  private async publishOutbox(): Promise<void> {
    const session = this.session;
    if (!session) return;
    const items = (await session.cache.outboxList()).map(toOutboxItem);
    this.emit('outbox.changed', { items });
  }

  // ── actions and the outbox ───────────────────────────────────────────────────────────────────────

  /**
   * An action: sent now when the core is there and nothing is queued before it; otherwise stored in the
   * outbox (on disk before this returns) to keep the person's order. A direct call whose answer is lost
   * is queued with the key it was sent with, so its replay cannot apply it twice.
   */
  private async action(
    method: ActionMethod,
    args: BridgeArgs<ActionMethod>,
  ): Promise<BridgeResult<'cases.claim'>> {
    const session = this.requireSession();
    const req = actionRequest(method, args as never);
    const queue = async (idempotencyKey?: string) => {
      const item = await session.cache.outboxEnqueue({
        method,
        args,
        caseId: req.caseId,
        label: req.label,
        idempotencyKey,
      });
      await this.publishOutbox();
      return { queued: true, outboxId: item.id, case: await session.cache.getCase(req.caseId), result: {} };
    };
    const ahead = (await session.cache.outboxPending()).length > 0 || this.replaying !== null;
    const state = session.sync?.status.state;
    if (!session.resumed || state === 'offline' || state === 'unavailable' || ahead) {
      const receipt = await queue();
      if (session.resumed && session.sync?.status.state === 'online') this.background(this.replayOutbox());
      return receipt;
    }
    const key = crypto.randomUUID();
    try {
      const applied = await this.send(session, req, key);
      return { queued: false, outboxId: null, case: applied.case, result: applied.result };
    } catch (error) {
      // No answer, or the core cannot work now (503): kept in the outbox with its key, sent again later.
      if (error instanceof CoreUnavailable) this.coreUnavailable(error);
      if (error instanceof CoreUnreachable) return queue(key);
      throw error;
    }
  }

  /** One action to the core; its answer updates the cache at once (the live event confirms it later). */
  private async send(
    session: Session,
    req: { caseId: number; path: string; body: Record<string, unknown> },
    idempotencyKey: string,
  ): Promise<{ case: CaseSummary; result: Record<string, unknown> }> {
    session.actedOn.set(req.caseId, Date.now());
    const raw = await session.client.post(req.path, req.body, { idempotencyKey });
    // claim/release/assign answer with the case; perform with { case, result }.
    const parsed = actionResponseSchema.safeParse(raw);
    const applied = parsed.success ? parsed.data : { case: caseSummarySchema.parse(raw), result: {} };
    const changes = await session.cache.putCase(applied.case);
    if (changes.upserted.length) await this.casesChanged(session, changes, false);
    return applied;
  }

  /**
   * Sends the pending items in the order they were taken. A refusal marks the item failed with the core's
   * reason and goes on with the next; no answer stops (the item goes back to pending) until the next
   * reconnect. Items on a case that an earlier item just moved carry the new version forward.
   */
  private replayOutbox(): Promise<void> {
    if (this.replaying) {
      this.replayAgain = true;
      return this.replaying;
    }
    const session = this.session;
    if (!session?.resumed) return Promise.resolve();
    this.replaying = (async () => {
      do {
        this.replayAgain = false;
        const moved = new Map<number, { from: number; to: number }>();
        for (const item of await session.cache.outboxPending()) {
          if (this.session !== session) return;
          const args = { ...(item.args as Record<string, unknown>) };
          const bump = item.caseId === null ? undefined : moved.get(item.caseId);
          if (bump && args['version'] === bump.from) args['version'] = bump.to;
          const sending = await session.cache.outboxMarkSending(item.id, args);
          if (!sending) continue;
          await this.publishOutbox();
          const req = actionRequest(item.method as ActionMethod, args as never);
          this.log(`outbox: sending #${item.id} ${item.method} (attempt ${sending.attempts})`);
          try {
            const applied = await this.send(session, req, item.idempotencyKey);
            await session.cache.outboxRemove(item.id);
            moved.set(req.caseId, { from: Number(args['version']), to: applied.case.version });
          } catch (error) {
            this.log(`outbox: #${item.id} ${(error as Error).message}`);
            if (error instanceof CoreRefusal) {
              await session.cache.outboxMarkFailed(item.id, error.problem);
              this.emit('notify', {
                kind: 'action_failed',
                title: `未能完成：${item.label.zh}`,
                body: error.problem.message.zh,
                caseId: item.caseId,
              });
            } else {
              // Not a refusal: no answer, or 503 (the core's database is down). The item waits; the sync
              // loop's next `ready` (the core working again) replays it.
              await session.cache.outboxRetry(item.id);
              await this.publishOutbox();
              if (error instanceof CoreUnavailable) this.coreUnavailable(error);
              return;
            }
          }
          await this.publishOutbox();
        }
      } while (this.replayAgain);
    })().finally(() => {
      this.replaying = null;
    });
    return this.replaying;
  }

  // ── the methods ──────────────────────────────────────────────────────────────────────────────────

  private async run(method: BridgeMethod, args: never): Promise<unknown> {
    if (isActionMethod(method)) return this.action(method, args);
    const coreCall = CORE_CALLS[method] as
      | ((client: CoreClient, args: never) => Promise<unknown>)
      | undefined;
    if (coreCall) return coreCall(this.online().client, args);
    const a = args as Record<string, unknown>;
    switch (method) {
      case 'auth.login':
        return this.login(args as BridgeArgs<'auth.login'>);
      case 'auth.logout':
        if (this.session) {
          await this.session.client.logout();
          await this.endSession({ wipe: true });
        }
        return { ok: true };
      case 'auth.session':
        return this.session?.info ?? null;
      case 'config.get': {
        const s = this.settings.get();
        return { coreUrl: s.coreUrl, locale: s.locale, theme: s.theme };
      }
      case 'config.set': {
        const patch = args as BridgeArgs<'config.set'>;
        if (patch.coreUrl && this.session && patch.coreUrl !== this.session.info.coreUrl) {
          throw new CoreRefusal(
            bridgeProblem('signed_in', {
              zh: '请先退出登录，再更换平台服务地址',
              en: 'Sign out before switching to another platform address',
            }),
          );
        }
        const s = this.settings.update(patch);
        return { coreUrl: s.coreUrl, locale: s.locale, theme: s.theme };
      }
      case 'views.list': {
        const { workspace } = args as BridgeArgs<'views.list'>;
        return { items: this.settings.views(this.requireSession().info.userId, workspace) };
      }
      case 'views.save': {
        const { workspace, name, state } = args as BridgeArgs<'views.save'>;
        const userId = this.requireSession().info.userId;
        try {
          return {
            items: this.settings.saveView(userId, workspace, name, state as QueueViewState, new Date()),
          };
        } catch (err) {
          if (!(err instanceof TooManyViews)) throw err;
          throw new CoreRefusal(
            bridgeProblem('too_many_views', {
              zh: `每个队列最多保存 ${MAX_SAVED_VIEWS} 个视图，请先删除不用的视图`,
              en: `At most ${MAX_SAVED_VIEWS} saved views per queue; delete one you no longer use first`,
            }),
          );
        }
      }
      case 'views.delete': {
        const { workspace, name } = args as BridgeArgs<'views.delete'>;
        return { items: this.settings.deleteView(this.requireSession().info.userId, workspace, name) };
      }
      case 'sync.status':
        return this.session ? this.lastStatus : OFFLINE_STATUS;
      case 'sync.resync': {
        const session = this.online();
        await session.sync?.resync();
        return this.lastStatus;
      }
      case 'cases.list':
        return this.requireSession().cache.listCases(args);
      case 'cases.get':
        return this.caseDetail(a['caseId'] as number);
      case 'search.query':
        return this.requireSession().cache.search(a['q'] as string, a['limit'] as number);
      case 'chat.messages':
        return this.chatMessages(a['caseId'] as number, a['cursor'] as string | undefined);
      case 'chat.markRead': {
        const session = this.online();
        await session.client.post(`/ops/support/conversations/${a['caseId']}/read`, {
          upToMessageId: a['upToMessageId'],
        });
        this.scheduleUnread(session, 0);
        return { ok: true };
      }
      case 'chat.typing':
        this.requireSession().sync?.emit(OPS_STREAM.typing, { caseId: a['caseId'] });
        return { ok: true };
      case 'presence.view':
        this.requireSession().sync?.emit(OPS_STREAM.presenceView, { caseId: a['caseId'] });
        return { ok: true };
      case 'presence.leave':
        this.requireSession().sync?.emit(OPS_STREAM.presenceLeave, { caseId: a['caseId'] });
        return { ok: true };
      case 'chat.previews':
        return this.chatPreviews(a['caseIds'] as number[]);
      case 'outbox.list':
        return { items: (await this.requireSession().cache.outboxList()).map(toOutboxItem) };
      case 'outbox.retry':
        return this.retryItem(a['id'] as number);
      case 'outbox.dismiss': {
        const session = this.requireSession();
        const removed = await session.cache.outboxDismiss(a['id'] as number);
        if (!removed) {
          throw new CoreRefusal(
            bridgeProblem('outbox_item_busy', {
              zh: '该操作正在发送或已不存在，无法忽略',
              en: 'This action is being sent or no longer exists; it cannot be dismissed',
            }),
          );
        }
        await this.publishOutbox();
        return { ok: true };
      }
      case 'files.content':
        return this.fileContent(a['fileId'] as number);
      case 'app.openExternal':
        if (!this.opts.openExternal) {
          throw new CoreRefusal(
            bridgeProblem('unsupported', {
              zh: '此环境不能打开外部链接',
              en: 'Links cannot be opened from here',
            }),
          );
        }
        if (!(await this.opts.openExternal(a['url'] as string))) {
          throw new CoreRefusal(
            bridgeProblem('link_not_allowed', {
              zh: '出于安全考虑，运营台只打开平台文档等允许的链接',
              en: 'For safety the console only opens allowed links (such as the platform docs)',
            }),
          );
        }
        return { ok: true };
    }
    throw new CoreRefusal(
      bridgeProblem('bad_call', { zh: `未知方法 ${method}`, en: `Unknown method ${method}` }),
    );
  }

  private async login(args: BridgeArgs<'auth.login'>): Promise<ConsoleSession> {
    const coreUrl = args.coreUrl ?? this.settings.get().coreUrl;
    const client = this.newClient(coreUrl);
    const pair = await client.login(args.login, args.password);
    if (!pair.user.staffRoles.length) {
      await client.logout();
      await this.opts.tokenStore.clear(coreUrl);
      throw new CoreRefusal(
        bridgeProblem('not_staff', {
          zh: '该账号不是平台员工，不能登录运营台',
          en: 'This account is not staff',
        }),
      );
    }
    const info = this.sessionInfo(pair.user, coreUrl);
    const previous = this.session;
    if (previous) {
      // Switching account or core: the previous account's cache goes, unless it is the same account.
      const same = previous.info.userId === info.userId && previous.info.coreUrl === coreUrl;
      await this.endSession({ wipe: !same, forgetLogin: !same });
    }
    this.settings.update({ coreUrl, lastSession: info });
    const session = await this.openSession(info, client);
    session.resumed = true;
    await this.startSync(session);
    return info;
  }

  private async caseDetail(caseId: number): Promise<BridgeResult<'cases.get'>> {
    const session = this.requireSession();
    const state = session.sync?.status.state;
    if (session.resumed && state !== 'offline' && state !== 'unavailable') {
      try {
        const detail = await session.client.get(`/ops/cases/${caseId}`, { schema: caseDetailSchema });
        await session.cache.putDetail(detail);
        return { detail, cachedAt: (this.opts.now?.() ?? new Date()).toISOString(), stale: false };
      } catch (error) {
        if (!(error instanceof CoreUnreachable)) throw error;
        if (error instanceof CoreUnavailable) this.coreUnavailable(error);
      }
    }
    return session.cache.getDetail(caseId);
  }

  private async chatMessages(
    caseId: number,
    cursor: string | undefined,
  ): Promise<BridgeResult<'chat.messages'>> {
    const session = this.requireSession();
    if (session.resumed) {
      try {
        const page = await session.client.get(`/ops/support/conversations/${caseId}/messages`, {
          params: cursor ? { cursor } : {},
          schema: staffSupportMessagePageSchema,
        });
        await session.cache.putChatMessages(caseId, page.items);
        return { ...page, offline: false };
      } catch (error) {
        if (!(error instanceof CoreUnreachable)) throw error;
        if (error instanceof CoreUnavailable) this.coreUnavailable(error);
      }
    }
    return {
      items: cursor ? [] : await session.cache.listChatMessages(caseId),
      nextCursor: null,
      offline: true,
    };
  }

  /** Online from the core; offline the newest cached message the customer can see, per chat. */
  private async chatPreviews(caseIds: number[]): Promise<BridgeResult<'chat.previews'>> {
    const session = this.requireSession();
    if (caseIds.length === 0) return { items: [] };
    if (session.resumed) {
      try {
        return await session.client.get('/ops/support/previews', {
          params: { caseIds: caseIds.join(',') },
          schema: supportPreviewsSchema,
        });
      } catch (error) {
        if (!(error instanceof CoreUnreachable)) throw error;
        if (error instanceof CoreUnavailable) this.coreUnavailable(error);
      }
    }
    const items: BridgeResult<'chat.previews'>['items'] = [];
    for (const caseId of caseIds) {
      const cached = await session.cache.listChatMessages(caseId, { limit: 20 });
      const last = cached.filter((m) => !m.isNote).at(-1);
      if (last) {
        const { isNote: _n, cannedReplyId: _c, ...lastMessage } = last;
        items.push({ caseId, lastMessage });
      }
    }
    return { items };
  }

  /** A file's bytes for the page (chat thumbnails, downloads); problems come back as the core's JSON. */
  private async fileContent(fileId: number): Promise<BridgeResult<'files.content'>> {
    const session = this.online();
    let res: { data: unknown; headers: Record<string, unknown> };
    try {
      res = await session.client.http.get(`/files/${fileId}/content`, {
        responseType: 'arraybuffer',
        maxContentLength: FILE_CONTENT_MAX_BYTES,
        // An error body is JSON (so the token refresh and the problem's reason still work).
        transformResponse: [
          (data: unknown, _headers: unknown, status?: number) => {
            if (status === undefined || status < 400) return data;
            try {
              return JSON.parse(Buffer.from(data as ArrayBuffer).toString('utf8'));
            } catch {
              return {};
            }
          },
        ],
      });
    } catch (error) {
      const e = toCoreError(error);
      // axios gives up on a body over maxContentLength with ERR_BAD_RESPONSE and no response.
      if (e instanceof CoreUnreachable && e.reason === 'ERR_BAD_RESPONSE')
        throw new CoreRefusal(
          bridgeProblem('file_too_large', {
            zh: '文件太大，无法在运营台中打开',
            en: 'The file is too large to open in the console',
          }),
        );
      throw e;
    }
    const bytes = Buffer.from(res.data as ArrayBuffer);
    const contentType =
      String(res.headers['content-type'] ?? 'application/octet-stream')
        .split(';')[0]
        ?.trim() || 'application/octet-stream';
    return {
      contentType,
      sizeBytes: bytes.length,
      dataUrl: `data:${contentType};base64,${bytes.toString('base64')}`,
    };
  }

  private async retryItem(id: number): Promise<BridgeResult<'outbox.retry'>> {
    const session = this.requireSession();
    const item = await session.cache.outboxRetry(id);
    if (!item) {
      throw new CoreRefusal(
        bridgeProblem('not_found', { zh: '该待发送操作已不存在', en: 'No such pending action' }),
      );
    }
    await this.publishOutbox();
    this.background(this.replayOutbox());
    return toOutboxItem(item);
  }
}

/** The host's entry point (Electron main, the web host). */
export function startConsoleEngine(opts: ConsoleEngineOptions): Promise<ConsoleEngine> {
  return ConsoleEngine.start(opts);
}
