import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { hasPermission } from '@jiangxin/shared/permissions';
import { openRemoteCache, type RemoteCache } from './cache-worker/remote';
import type { CoreClient } from './net/core-client';
import type { SyncLoop } from './sync/sync';

/** How long after my own action a change to that case is not news (no "assigned to you" notification). */
const ACTED_ON_QUIET_MS = 30_000;

/**
 * One signed-in staff account and everything that belongs to it alone: the core client with its tokens,
 * the account's offline cache, its sync loop, the badge figures and the timers. Signing out or switching
 * account disposes the whole object, so nothing of one account (an unread count, a pending timer) can
 * leak into the next one's badge, title or tray.
 */
export class EngineSession {
  sync: SyncLoop | null = null;
  /** Until the core confirms the stored login after a restart, the console runs on the cache alone. */
  resumed = false;
  /** Unread customer messages in the chats I hold (support staff only); 0 until the core says otherwise. */
  unread = 0;
  private ended = false;
  private unreadTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  /** Cases I just acted on, by when: my own claim is not news. */
  private readonly actedOn = new Map<number, number>();

  private constructor(
    public info: ConsoleSession,
    readonly client: CoreClient,
    readonly cache: RemoteCache,
    /** Cases held by me, to notice the ones newly assigned to me. */
    readonly mine: Set<number>,
  ) {}

  static async open(info: ConsoleSession, client: CoreClient, dataDir: string): Promise<EngineSession> {
    const cache = await openRemoteCache({
      dir: dataDir,
      account: { userId: info.userId, coreUrl: info.coreUrl },
    });
    const held = await cache.listCases({ assignee: 'me', statuses: ['open', 'waiting'], limit: 100_000 });
    return new EngineSession(info, client, cache, new Set(held.items.map((c) => c.id)));
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** The core is there and has accepted this login (not only the cache). */
  get online(): boolean {
    const state = this.sync?.status.state;
    return this.resumed && state !== 'offline' && state !== 'unavailable';
  }

  actedOnNow(caseId: number): void {
    this.actedOn.set(caseId, Date.now());
  }

  /** Whether a change to this case just now is my own doing (and so not worth a notification). */
  recentlyActedOn(caseId: number, now = Date.now()): boolean {
    for (const [id, at] of this.actedOn) if (now - at > ACTED_ON_QUIET_MS) this.actedOn.delete(id);
    const at = this.actedOn.get(caseId);
    return at !== undefined && now - at <= ACTED_ON_QUIET_MS;
  }

  /**
   * Re-reads the unread count from the core after `delayMs` (events arrive in bursts; one read serves
   * them all). Only for members who handle support chats; offline the count stays until the next event.
   */
  scheduleUnread(onCount: () => void, delayMs = 300): void {
    if (this.ended || this.unreadTimer || !hasPermission(this.info.roles, 'support.chat')) return;
    this.unreadTimer = setTimeout(async () => {
      this.unreadTimer = null;
      try {
        const unread = await this.client.call('getSupportUnread', {});
        if (this.ended) return;
        this.unread = unread.total;
        onCount();
      } catch {
        // Offline: the count stays as it was until the next event.
      }
    }, delayMs);
  }

  /** Runs `retry` later (confirming a stored login while the core is away); dropped when the session ends. */
  retryLater(retry: () => void, delayMs: number): void {
    if (this.ended) return;
    this.resumeTimer = setTimeout(retry, delayMs);
  }

  /** Stops the sync loop and the timers and closes (or, at sign-out, deletes) the account's cache. */
  async dispose(opts: { wipe: boolean; whileReplaying?: Promise<void> | null }): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.unreadTimer) clearTimeout(this.unreadTimer);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
    this.unreadTimer = null;
    this.resumeTimer = null;
    this.unread = 0;
    await this.sync?.stop();
    await opts.whileReplaying?.catch(() => {});
    if (opts.wipe) await this.cache.wipe();
    else await this.cache.close();
  }
}
