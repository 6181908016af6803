import type { BridgeProblem, SyncStatus } from '@jiangxin/shared/bridge';
import { ERROR_MESSAGES } from '@jiangxin/shared/errors';
import { EVENT_PAYLOADS, type EventEnvelope, eventEnvelopeSchema } from '@jiangxin/shared/events';
import { opsSyncResponseSchema } from '@jiangxin/shared/ops/cases';
import {
  OPS_NAMESPACE,
  OPS_STREAM,
  type OpsReady,
  type OpsResync,
  type OpsTyping,
  type Presence,
} from '@jiangxin/shared/ops/stream';
import { io, type Socket } from 'socket.io-client';
import type { CacheChanges, StreamEnvelope } from '../cache/cases';
import type { RemoteCache } from '../cache-worker/remote';
import {
  type CoreClient,
  CoreRefusal,
  CoreUnavailable,
  CoreUnreachable,
  UNREACHABLE_MESSAGE,
} from '../net/core-client';

/** What the console shows before a session has synced anything (and after it ends). */
export const OFFLINE_STATUS: SyncStatus = {
  state: 'offline',
  lastSeq: 0,
  headSeq: 0,
  behindBy: 0,
  snapshot: null,
  lastSyncedAt: null,
  problem: null,
};

export interface SyncLoopOptions {
  client: CoreClient;
  cache: RemoteCache;
  /** Cases the cache changed: `live` for events from the stream, false for snapshot and catch-up pages. */
  onCasesChanged(changes: CacheChanges, live: boolean): void;
  onStatus(status: SyncStatus): void;
  /** Every live event after it is in the cache (chat messages, payouts for the dashboards …). */
  onEvent(event: EventEnvelope): void;
  onPresence(presence: Presence): void;
  onTyping(typing: OpsTyping): void;
  /** The connection is live and the cache is current: time to send the outbox. */
  onOnline(): void;
  /** Rows per sync page (the core allows up to 1000). */
  pageSize?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** What the core says when it cannot work, if its refusal carried no words. */
const UNAVAILABLE_MESSAGE = {
  zh: ERROR_MESSAGES.service_unavailable.zh,
  en: ERROR_MESSAGES.service_unavailable.en,
};

/** How long after a live case naming someone new the directory is read (one read per burst). */
const DIRECTORY_DELAY_MS = 250;

/** Delay before retrying a catch-up or reconnect that failed, growing to 10 s. */
const backoff = (attempt: number) => Math.min(10_000, 250 * 2 ** attempt);

/**
 * Keeps the cache equal to the core's view of the cases this person may see:
 *
 * 1. catch up through `GET /ops/sync` — a paged snapshot the first time (progress reported), only the
 *    changes after the cache's `lastSeq` afterwards;
 * 2. open the `/ops` socket with that `lastSeq`: the core replays what happened since, says `ready`, then
 *    streams live; events are applied in batches, in seq order, one transaction per batch;
 * 3. a batch that does not continue the cache (`gap`), a `resync` (too far behind, or the core's stream
 *    restarted), or a reconnect after the core went away → back to 1 for the missing part.
 *
 * Cache writes are serialized on one chain, so a catch-up and live batches never interleave.
 */
export class SyncLoop {
  private socket: Socket | null = null;
  private stopped = false;
  /** What this connection delivered last (the handshake's `lastSeq`, then each event and `ready`). */
  private connSeq = 0;
  private handshakeSeq = 0;
  private writes: Promise<unknown> = Promise.resolve();
  private batch: StreamEnvelope[] = [];
  private batchPrev = 0;
  private flushScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempts = 0;
  private state: SyncStatus = { ...OFFLINE_STATUS, state: 'connecting' };
  /** Live cases named people the directory has not described: the sync route is asked from this seq. */
  private directoryAfter: number | null = null;
  private directoryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SyncLoopOptions) {}

  get status(): SyncStatus {
    return this.state;
  }

  async start(): Promise<void> {
    const s = await this.opts.cache.syncState();
    this.setStatus({ lastSeq: s.lastSeq, headSeq: s.headSeq, lastSyncedAt: s.lastSyncedAt });
    void this.begin();
  }

  /**
   * A cache without a complete snapshot pages one through the sync route first (with progress); then the
   * socket resumes from the cursor. Also the retry after a failure.
   */
  private async begin(): Promise<void> {
    if (this.stopped) return;
    try {
      const s = await this.opts.cache.syncState();
      if (!s.snapshotDone) await this.serial(() => this.catchUp('first snapshot'));
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.stopped) return;
    if (this.socket) this.socket.connect();
    else this.connect();
  }

  /** Stops the socket and any retry; pending cache writes finish first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.directoryTimer) clearTimeout(this.directoryTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    await this.writes.catch(() => {});
  }

  /** `sync.resync`: forget the cached cases and page a fresh snapshot (the outbox stays). */
  async resync(): Promise<void> {
    await this.serial(async () => {
      await this.opts.cache.resetSync();
      this.setStatus({ lastSeq: 0, headSeq: 0 });
    });
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    // A retry still pending belonged to the socket just abandoned; left in place it would also take the
    // place of the retry a failure of this fresh start needs (one timer at a time), and nothing would
    // try again.
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.begin();
  }

  /** For presence and typing: messages the console sends on the live socket (dropped while offline). */
  emit(name: string, payload: unknown): void {
    if (this.socket?.connected) this.socket.emit(name, payload);
  }

  private log(line: string) {
    this.opts.log?.(`[sync] ${line}`);
  }

  private stamp(): string {
    return (this.opts.now?.() ?? new Date()).toISOString();
  }

  private setStatus(patch: Partial<SyncStatus>) {
    const next = { ...this.state, ...patch };
    next.headSeq = Math.max(next.headSeq, next.lastSeq);
    next.behindBy = Math.max(0, next.headSeq - next.lastSeq);
    this.state = next;
    this.opts.onStatus(next);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(fn, fn);
    this.writes = run.catch(() => {});
    return run;
  }

  /**
   * Pages `/ops/sync` from the cache's cursor until the core says there is no more, one page ahead. A
   * snapshot (cursor 0, or a resync from 0) reports its progress. Runs on the write chain.
   */
  private async catchUp(reason: string): Promise<void> {
    const pageSize = this.opts.pageSize ?? 1000;
    const start = await this.opts.cache.syncState();
    const snapshot = start.lastSeq === 0 || !start.snapshotDone;
    this.log(`catch-up from ${start.lastSeq} (${reason})`);
    this.setStatus({ state: 'syncing', snapshot: snapshot ? { done: 0, total: 0 } : null });
    const fetchPage = (after: number) => {
      const request = this.opts.client.get(`/ops/sync`, {
        params: { after, limit: pageSize },
        schema: opsSyncResponseSchema,
      });
      // Awaited later (or never, if applying the page before it fails): no unhandled rejection meanwhile.
      request.catch(() => {});
      return request;
    };
    // The next page is on its way while this one is written on the cache's thread: the core's work and
    // the cache's overlap instead of taking turns.
    let next = fetchPage(start.lastSeq);
    for (;;) {
      const page = await next;
      if (page.hasMore) next = fetchPage(page.nextSeq);
      const changed = await this.opts.cache.applyChanges(page.changes, page.nextSeq, {
        headSeq: page.headSeq,
        hasMore: page.hasMore,
      });
      // After the cases, so the core's word on the names they mention is the one kept.
      if (page.directory) await this.opts.cache.putDirectory(page.directory);
      this.setStatus({
        lastSeq: page.nextSeq,
        headSeq: page.headSeq,
        lastSyncedAt: this.stamp(),
        snapshot: snapshot
          ? {
              done: page.nextSeq - start.lastSeq,
              total: Math.max(page.nextSeq, page.headSeq) - start.lastSeq,
            }
          : null,
      });
      if (changed.upserted.length || changed.removed.length) this.opts.onCasesChanged(changed, false);
      if (!page.hasMore) break;
    }
    this.setStatus({ snapshot: null });
  }

  /**
   * A catch-up while the stream is live (a gap, a malformed event): the console was online and stays
   * so once the sync route has filled the hole, unless something else changed the state meanwhile.
   */
  private async catchUpLive(reason: string): Promise<void> {
    const wasOnline = this.state.state === 'online';
    await this.catchUp(reason);
    if (wasOnline && this.state.state === 'syncing') this.setStatus({ state: 'online' });
  }

  private connect(): void {
    if (this.stopped) return;
    const token = this.opts.client.accessToken;
    if (!token) return;
    const url = `${this.opts.client.coreUrl.replace(/\/+$/, '')}${OPS_NAMESPACE}`;
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnectionDelay: 250,
      reconnectionDelayMax: 5_000,
      // A function, so every reconnect presents the current token and the cache's current cursor.
      auth: (cb) => {
        void this.opts.cache
          .syncState()
          .then((s) => {
            this.handshakeSeq = s.lastSeq;
            cb({ token: this.opts.client.accessToken ?? '', lastSeq: s.lastSeq });
          })
          .catch(() => cb({ token: '', lastSeq: 0 }));
      },
    });
    this.socket = socket;

    socket.on('connect', () => {
      this.attempts = 0;
      this.connSeq = this.handshakeSeq;
      this.batch = [];
      this.log(`connected, resuming after ${this.connSeq}`);
      this.setStatus({ state: 'syncing', problem: null });
    });
    socket.on(OPS_STREAM.event, (event: unknown) => this.receive(event));
    socket.on(OPS_STREAM.resync, (msg: OpsResync) => {
      this.flush();
      this.connSeq = msg.headSeq;
      void this.serial(async () => {
        if (msg.after === 0) {
          // The core's stream restarted below our cursor (a new database): nothing cached can be trusted.
          await this.opts.cache.resetSync();
        }
        await this.catchUp('the core asked for a resync');
      }).catch((error) => this.failed(error));
    });
    socket.on(OPS_STREAM.ready, (msg: OpsReady) => {
      this.flush();
      const prev = this.connSeq;
      this.connSeq = msg.seq;
      void this.serial(async () => {
        let { gap } = await this.opts.cache.advanceTo(prev, msg.seq);
        if (gap) {
          await this.catchUp('a gap before ready');
          gap = (await this.opts.cache.advanceTo(prev, msg.seq)).gap;
        }
        const s = await this.opts.cache.syncState();
        this.setStatus({
          state: 'online',
          lastSeq: s.lastSeq,
          headSeq: msg.seq,
          problem: null,
          snapshot: null,
          lastSyncedAt: this.stamp(),
        });
        if (!s.snapshotDone) await this.catchUp('first snapshot');
        this.setStatus({ state: 'online' });
        this.opts.onOnline();
      }).catch((error) => this.failed(error));
    });
    socket.on(OPS_STREAM.presence, (p: Presence) => this.opts.onPresence(p));
    socket.on(OPS_STREAM.typing, (t: OpsTyping) => this.opts.onTyping(t));
    socket.on('disconnect', (reason) => {
      // We closed it ourselves (`failed`), having set the status that says why.
      if (this.stopped || reason === 'io client disconnect') return;
      this.log(`disconnected: ${reason}`);
      this.setStatus({ state: 'offline', problem: UNREACHABLE_MESSAGE });
      // The server closed us on purpose (restart, or our roles changed): socket.io does not retry that by
      // itself. Refresh the token first, so the session takes up the account's current roles (a refusal
      // ends the session, e.g. the account was disabled); if the core is simply down, connect retries.
      // Only while this is still the loop's socket: `resync` may have replaced it meanwhile, and an
      // abandoned socket reconnected here would stay connected, unheard, for good.
      if (reason === 'io server disconnect')
        this.retryLater(async () => {
          await this.opts.client.refresh().catch(() => {});
          if (!this.stopped && this.socket === socket) socket.connect();
        });
    });
    socket.on('connect_error', (error: Error & { data?: { message?: BridgeProblem['message'] } }) => {
      if (this.stopped) return;
      // The core refused the handshake because its database is down: say so, and try again later.
      const unavailable = error.message === 'service_unavailable';
      this.setStatus(
        unavailable
          ? { state: 'unavailable', problem: error.data?.message ?? UNAVAILABLE_MESSAGE }
          : { state: 'offline', problem: UNREACHABLE_MESSAGE },
      );
      // Refused by the namespace's middleware (expired token): no automatic retry; refresh, then connect
      // (unless the loop has moved on to another socket meanwhile, as above).
      if (!socket.active) {
        this.retryLater(async () => {
          if (this.stopped || this.socket !== socket) return;
          if (/unauthenticated/.test(error.message)) await this.opts.client.refresh();
          if (!this.stopped && this.socket === socket) socket.connect();
        });
      }
    });
  }

  private retryLater(fn: () => unknown): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = null;
      this.attempts += 1;
      try {
        await fn();
      } catch (error) {
        this.failed(error);
      }
    }, backoff(this.attempts));
  }

  /**
   * Live events are batched per tick: one worker call and one transaction for a burst. Each is checked
   * against the contract first, like the sync route's pages: a malformed one is not applied; the batch
   * so far is, the connection's continuity breaks at it, and the case state is read again through the
   * (validated) sync route.
   */
  private receive(raw: unknown): void {
    const event = wellFormed(raw);
    if (!event) {
      this.log('dropped a malformed live event; catching up through the sync route');
      this.flush();
      const seq = (raw as { seq?: unknown } | null)?.seq;
      if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq > this.connSeq) this.connSeq = seq;
      void this.serial(() => this.catchUpLive('a malformed live event')).catch((error) => this.failed(error));
      return;
    }
    if (this.batch.length === 0) this.batchPrev = this.connSeq;
    this.batch.push(event as StreamEnvelope);
    this.connSeq = event.seq;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (!this.batch.length) return;
    const events = this.batch;
    const prevSeq = this.batchPrev;
    this.batch = [];
    void this.serial(async () => {
      let result = await this.opts.cache.applyStream({ prevSeq, events });
      if (result.gap) {
        this.log(`gap: connection at ${prevSeq}, cache at ${result.lastSeq}`);
        await this.catchUpLive('a gap in the live stream');
        result = await this.opts.cache.applyStream({ prevSeq, events });
      }
      this.setStatus({
        lastSeq: result.lastSeq,
        headSeq: Math.max(this.state.headSeq, events.at(-1)!.seq),
        lastSyncedAt: this.stamp(),
      });
      if (result.upserted.length || result.removed.length) this.opts.onCasesChanged(result, true);
      for (const e of events) this.opts.onEvent(e as EventEnvelope);
      if (result.upserted.length && (await this.opts.cache.lacksDirectory(result.upserted)))
        this.wantDirectory(prevSeq);
    }).catch((error) => this.failed(error));
  }

  /**
   * Live events carry the case only; the users and orders it names (username, masked phone, order
   * status — what Ctrl+K finds them by) come with the sync route's pages. Shortly after a burst of live
   * cases naming someone not yet described, the sync route is read over that stretch for its directory
   * alone (the cases in it are already applied). A failed read is not retried: a later live case that
   * still names someone undescribed asks again from its own seq.
   */
  private wantDirectory(after: number): void {
    this.directoryAfter = Math.min(this.directoryAfter ?? after, after);
    if (this.directoryTimer || this.stopped) return;
    this.directoryTimer = setTimeout(() => {
      this.directoryTimer = null;
      const from = this.directoryAfter;
      this.directoryAfter = null;
      if (from === null || this.stopped) return;
      void this.fetchDirectory(from).catch((error) => {
        this.log(`directory not refreshed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }, DIRECTORY_DELAY_MS);
  }

  private async fetchDirectory(after: number): Promise<void> {
    const page = await this.opts.client.get('/ops/sync', {
      params: { after, limit: this.opts.pageSize ?? 1000 },
      schema: opsSyncResponseSchema,
    });
    if (page.directory && !this.stopped) {
      const directory = page.directory;
      await this.serial(() => this.opts.cache.putDirectory(directory));
    }
  }

  /**
   * The core answered a request with 503 `service_unavailable` (its database is down): the console is
   * in `unavailable` until a fresh connection reaches `ready` again, which also replays the outbox.
   * Repeated reports while it is so change nothing.
   */
  unavailable(error: CoreUnavailable): void {
    if (this.stopped || (this.state.state === 'unavailable' && this.retryTimer)) return;
    this.failed(error);
  }

  /** A catch-up or apply failed: offline if the core is gone, otherwise report it; retry by reconnecting. */
  private failed(error: unknown): void {
    if (this.stopped) return;
    const problem: BridgeProblem['message'] =
      error instanceof CoreUnavailable
        ? error.problem.message
        : error instanceof CoreUnreachable
          ? UNREACHABLE_MESSAGE
          : error instanceof CoreRefusal
            ? error.problem.message
            : { zh: `同步出错：${(error as Error).message}`, en: `Sync failed: ${(error as Error).message}` };
    this.log(`sync failed: ${(error as Error).message}`);
    this.setStatus({
      state: error instanceof CoreUnavailable ? 'unavailable' : 'offline',
      problem,
      snapshot: null,
    });
    // Start over from the cache's cursor on a fresh connection.
    this.socket?.disconnect();
    this.retryLater(() => this.begin());
  }
}

/**
 * A live event as the contract has it: the envelope always, and the payload of the events the cache
 * applies (the case changes); the engine checks the payloads it reads itself (live.ts).
 */
function wellFormed(raw: unknown): EventEnvelope | null {
  const envelope = eventEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return null;
  const { type } = envelope.data;
  if (type === 'case.upserted' || type === 'case.removed') {
    const payload = EVENT_PAYLOADS[type].safeParse(envelope.data.payload);
    if (!payload.success) return null;
    return { ...envelope.data, payload: payload.data } as EventEnvelope;
  }
  return envelope.data as EventEnvelope;
}
