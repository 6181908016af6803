import { CASE_VIEW_PERMISSION, type CaseKind } from '@jiangxin/shared/ops/cases';
import {
  caseRefSchema,
  OPS_NAMESPACE,
  OPS_REPLAY_LIMIT,
  OPS_STREAM,
  type OpsReady,
  type OpsResync,
  type OpsStreamScope,
  type OpsTyping,
  opsHandshakeSchema,
  opsStreamAllows,
  opsStreamScope,
  type Presence,
  SUPPORT_TYPING,
  type SupportTypingOut,
  supportTypingInSchema,
} from '@jiangxin/shared/ops/stream';
import { hasPermission, type StaffRole } from '@jiangxin/shared/permissions';
import { type RawBuilder, sql } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Server, Socket } from 'socket.io';
import type { Db } from '../db/database';
import type { EventDispatcher } from '../events/dispatcher';
import type { AccessTokens } from '../http/auth';
import { isDependencyOutage, serviceUnavailableSocketError } from '../http/unavailable';
import { OpsHub, type StreamEvent, toEnvelope } from './ops-hub';

/** Server-to-server message (through the Redis adapter) carrying a sequenced batch to the other instances. */
const BATCH = 'ops:batch';
const TYPING_MIN_INTERVAL_MS = 300;

interface Member {
  userId: number;
  roles: StaffRole[];
  nickname: string;
  scope: OpsStreamScope;
}

interface Conn {
  /** Last seq accounted for on this connection (sent, or not for this member). */
  sent: number;
  /** Live events that arrived while the replay ran; null once live. */
  pending: StreamEvent[] | null;
  viewing: Set<number>;
  lastTyping: number;
}

interface CaseRow {
  id: number;
  kind: CaseKind;
  subject_type: string;
  subject_id: number;
  user_id: number | null;
  assignee_id: number | null;
}

export interface OpsNamespaceOptions {
  db: Db;
  tokens: AccessTokens;
  dispatcher: EventDispatcher;
  /** Set when instances share a Redis adapter: sequenced batches are forwarded to the others. */
  scaledOut?: boolean;
  onError?: (err: unknown) => void;
  /** Replay cap (tests lower it). */
  replayLimit?: number;
}

/**
 * The staff namespace `/ops`: the live event stream with resume (contract in shared/ops/stream.ts),
 * presence on cases and typing in support chats.
 *
 * Delivery does not use socket.io broadcasts: each instance keeps the whole stream in seq order
 * (`OpsHub`, fed by its own dispatcher or by the sequencing instance over the adapter) and writes to its
 * own sockets, so a socket that is still replaying buffers live events and every connection gets each
 * event once, in order. Presence and typing are ephemeral and use rooms (across instances via the adapter):
 * `staff:<id>`, `perm:<permission>` and `case:<id>` (the members viewing a case).
 */
export function attachOpsNamespace(
  io: Server,
  opts: OpsNamespaceOptions,
): { onlineStaff(): Promise<Set<number>>; close(): void } {
  const { db } = opts;
  const nsp = io.of(OPS_NAMESPACE);
  const conns = new Map<Socket, Conn>();
  const replayLimit = opts.replayLimit ?? OPS_REPLAY_LIMIT;
  const onError = (err: unknown) => opts.onError?.(err);

  const send = (socket: Socket, conn: Conn, e: StreamEvent) => {
    if (e.seq <= conn.sent) return;
    conn.sent = e.seq;
    if (opsStreamAllows((socket.data as Member).scope, e.type, e.payload)) socket.emit(OPS_STREAM.event, e);
  };
  const hub = new OpsHub(
    db,
    (events) => {
      for (const e of events) {
        // A member's roles or state changed: close their streams here, so they reconnect with what
        // they may now see (or, disabled, are refused). Every instance sees every event.
        if (e.type === 'staff.access_changed') {
          const userId = (e.payload as { userId?: unknown } | null)?.userId;
          for (const socket of conns.keys())
            if ((socket.data as Member).userId === userId) socket.disconnect(true);
        }
        // Live sockets that should get it, then one broadcast: socket.io encodes the packet once.
        const targets: string[] = [];
        for (const [socket, conn] of conns) {
          if (conn.pending) conn.pending.push(e);
          else if (e.seq > conn.sent) {
            conn.sent = e.seq;
            if (opsStreamAllows((socket.data as Member).scope, e.type, e.payload)) targets.push(socket.id);
          }
        }
        if (targets.length) nsp.local.to(targets).emit(OPS_STREAM.event, e);
      }
    },
    { onError },
  );
  const hubReady = hub.start().catch((err) => {
    onError(err);
    throw err;
  });
  hubReady.catch(() => {});

  const unsubscribe = opts.dispatcher.subscribe((batch) => {
    const events: StreamEvent[] = batch.map(({ audience: _audience, ...e }) => e);
    hub.ingest(events);
    if (opts.scaledOut) nsp.serverSideEmit(BATCH, events);
  });
  nsp.on(BATCH, (events: StreamEvent[]) => hub.ingest(events));

  // Short-lived lookups of cases for presence and typing bursts.
  const caseCache = new LRUCache<number, CaseRow>({ max: 5000, ttl: 5_000 });
  async function loadCase(id: number): Promise<CaseRow | null> {
    const hit = caseCache.get(id);
    if (hit) return hit;
    const row = await db.fresh
      .selectFrom('cases')
      .select(['id', 'kind', 'subject_type', 'subject_id', 'user_id', 'assignee_id'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    const c = { ...row, kind: row.kind as CaseKind };
    caseCache.set(id, c);
    return c;
  }

  nsp.use(async (socket, next) => {
    try {
      const token = socket.handshake.auth['token'];
      if (typeof token !== 'string') throw new Error('missing token');
      const principal = await opts.tokens.verify(token);
      if (!principal.staffRoles.length) return next(new Error('forbidden'));
      // The account as it is now (the primary): a disabled member is refused, and the stream's scope
      // follows the stored roles rather than the token's.
      const user = await db.write
        .selectFrom('users')
        .select(['nickname', 'staff_roles', 'staff_disabled_at'])
        .where('id', '=', principal.userId)
        .executeTakeFirst();
      if (!user || user.staff_disabled_at) return next(new Error('unauthenticated'));
      const roles = user.staff_roles as StaffRole[];
      if (!roles.length) return next(new Error('forbidden'));
      const member: Member = {
        userId: principal.userId,
        roles,
        nickname: user.nickname,
        scope: opsStreamScope(roles),
      };
      Object.assign(socket.data, member);
      next();
    } catch (err) {
      // The database is unreachable: not the console's token. It shows 服务暂不可用 and tries again.
      if (isDependencyOutage(err)) return next(serviceUnavailableSocketError());
      next(new Error('unauthenticated'));
    }
  });

  /** Set by close(): sockets dropped while the server shuts down announce no presence (Redis is going away). */
  let closing = false;

  async function broadcastPresence(caseId: number, kind: CaseKind): Promise<void> {
    if (closing) return;
    const sockets = await nsp.in(`case:${caseId}`).fetchSockets();
    if (closing) return;
    const viewers = new Map<number, string>();
    for (const s of sockets) {
      const m = s.data as Member;
      viewers.set(m.userId, m.nickname);
    }
    const msg: Presence = {
      caseId,
      viewers: [...viewers].map(([userId, nickname]) => ({ userId, nickname })),
    };
    nsp.to(`perm:${CASE_VIEW_PERMISSION[kind]}`).emit(OPS_STREAM.presence, msg);
  }

  /** The case if the member may see it. */
  async function visibleCase(member: Member, raw: unknown): Promise<CaseRow | null> {
    const ref = caseRefSchema.safeParse(raw);
    if (!ref.success) return null;
    const c = await loadCase(ref.data.caseId);
    if (!c || !member.scope.caseKinds.includes(c.kind)) return null;
    return c;
  }

  nsp.on('connection', (socket) => {
    const member = socket.data as Member;
    const conn: Conn = { sent: -1, pending: [], viewing: new Set(), lastTyping: 0 };
    const permissionRooms = [...new Set(Object.values(CASE_VIEW_PERMISSION))]
      .filter((p) => hasPermission(member.roles, p))
      .map((p) => `perm:${p}`);
    void socket.join([`staff:${member.userId}`, ...permissionRooms]);

    socket.on(OPS_STREAM.presenceView, async (raw: unknown) => {
      try {
        const c = await visibleCase(member, raw);
        if (!c || !socket.connected) return;
        conn.viewing.add(c.id);
        await socket.join(`case:${c.id}`);
        await broadcastPresence(c.id, c.kind);
      } catch (err) {
        onError(err);
      }
    });
    socket.on(OPS_STREAM.presenceLeave, async (raw: unknown) => {
      try {
        const c = await visibleCase(member, raw);
        if (!c || !conn.viewing.delete(c.id)) return;
        await socket.leave(`case:${c.id}`);
        await broadcastPresence(c.id, c.kind);
      } catch (err) {
        onError(err);
      }
    });
    socket.on(OPS_STREAM.typing, async (raw: unknown) => {
      try {
        const now = Date.now();
        if (now - conn.lastTyping < TYPING_MIN_INTERVAL_MS) return;
        conn.lastTyping = now;
        if (!member.scope.caseKinds.includes('support_chat')) return;
        const c = await visibleCase(member, raw);
        if (!c || c.kind !== 'support_chat' || c.subject_type !== 'support_conversation' || !c.user_id)
          return;
        const msg: SupportTypingOut = { conversationId: c.subject_id, side: 'agent' };
        io.of('/').to(`user:${c.user_id}`).emit(SUPPORT_TYPING, msg);
      } catch (err) {
        onError(err);
      }
    });
    socket.on('disconnect', () => {
      conns.delete(socket);
      for (const caseId of conn.viewing) {
        void loadCase(caseId)
          .then((c) => c && broadcastPresence(c.id, c.kind))
          .catch(onError);
      }
    });

    conns.set(socket, conn);
    void replay(socket, conn).catch((err) => {
      onError(err);
      socket.disconnect(true);
    });
  });

  async function replay(socket: Socket, conn: Conn): Promise<void> {
    await hubReady;
    const member = socket.data as Member;
    const raw = socket.handshake.auth['lastSeq'];
    // Decimal digits (or a number) only: `Number()` would have read `0x10` or ` 16` as 16.
    const parsed = opsHandshakeSchema.shape.lastSeq.safeParse(raw === null || raw === '' ? undefined : raw);
    const lastSeq = parsed.success ? (parsed.data ?? null) : null;
    let replayed = 0;
    if (lastSeq === null) {
      const r = await sql<{ head: number | null }>`SELECT max(seq) AS head FROM events`.execute(db.write);
      conn.sent = Number(r.rows[0]?.head ?? 0);
    } else {
      // One statement, one snapshot: the head and every event up to it that this member may see.
      const rows = await sql<{
        head: number;
        archived: number;
        seq: number | null;
        type: string;
        aggregate_type: string;
        aggregate_id: number;
        payload: unknown;
        created_at: Date;
      }>`
        WITH h AS (
          SELECT coalesce(max(seq), 0) AS head,
            coalesce((SELECT archived_through FROM event_retention), 0) AS archived
          FROM events)
        SELECT h.head, h.archived, e.seq, e.type, e.aggregate_type, e.aggregate_id, e.payload, e.created_at
        FROM h LEFT JOIN LATERAL (
          SELECT seq, type, aggregate_type, aggregate_id, payload, created_at FROM events
          WHERE seq > ${lastSeq} AND seq <= h.head AND (${scopeFilter(member.scope)})
          ORDER BY seq LIMIT ${replayLimit + 1}
        ) e ON true
        ORDER BY e.seq`.execute(db.write);
      const head = Number(rows.rows[0]?.head ?? 0);
      // Events up to `archived` may have moved to the archive (platform/events/retention.ts): a replay
      // from below it would have holes, while /ops/sync from lastSeq is complete for cases.
      const archived = Number(rows.rows[0]?.archived ?? 0);
      const found = rows.rows.filter((r) => r.seq !== null);
      if (!socket.connected) return;
      if (lastSeq > head || found.length > replayLimit || lastSeq < archived) {
        const msg: OpsResync = {
          reason: lastSeq < archived && lastSeq <= head ? 'events_archived' : 'too_far_behind',
          after: lastSeq > head ? 0 : lastSeq,
          headSeq: head,
        };
        socket.emit(OPS_STREAM.resync, msg);
      } else {
        for (const r of found) socket.emit(OPS_STREAM.event, toEnvelope(r as never));
        replayed = found.length;
      }
      conn.sent = head;
    }
    const pending = conn.pending ?? [];
    conn.pending = null;
    for (const e of pending) send(socket, conn, e);
    const ready: OpsReady = { seq: conn.sent, replayed };
    socket.emit(OPS_STREAM.ready, ready);
  }

  // Customers' typing in support chats, on the default namespace (its auth middleware sets data.userId).
  const customerTyping = new WeakMap<Socket, number>();
  let conversationsTable: Promise<boolean> | undefined;
  async function supportCase(customerId: number, conversationId: number) {
    conversationsTable ??= sql<{ t: string | null }>`SELECT to_regclass('support_conversations')::text AS t`
      .execute(db.fresh)
      .then((r) => Boolean(r.rows[0]?.t));
    if (await conversationsTable) {
      const conv = await sql<{ case_id: number | null }>`
        SELECT case_id FROM support_conversations WHERE id = ${conversationId} AND user_id = ${customerId}`.execute(
        db.fresh,
      );
      if (!conv.rows.length) return null;
      const caseId = conv.rows[0]?.case_id;
      if (caseId) return loadCase(Number(caseId));
    }
    return db.fresh
      .selectFrom('cases')
      .select(['id', 'assignee_id'])
      .where('subject_type', '=', 'support_conversation')
      .where('subject_id', '=', conversationId)
      .where('user_id', '=', customerId)
      .orderBy('id', 'desc')
      .executeTakeFirst();
  }
  const onCustomer = (socket: Socket) => {
    socket.on(SUPPORT_TYPING, async (raw: unknown) => {
      try {
        const userId = socket.data['userId'] as number | undefined;
        const msg = supportTypingInSchema.safeParse(raw);
        if (!userId || !msg.success) return;
        const now = Date.now();
        if (now - (customerTyping.get(socket) ?? 0) < TYPING_MIN_INTERVAL_MS) return;
        customerTyping.set(socket, now);
        const c = await supportCase(userId, msg.data.conversationId);
        if (!c) return;
        const out: OpsTyping = { caseId: Number(c.id), side: 'customer' };
        const rooms = [`case:${c.id}`, ...(c.assignee_id ? [`staff:${c.assignee_id}`] : [])];
        nsp.to(rooms).emit(OPS_STREAM.typing, out);
      } catch (err) {
        onError(err);
      }
    });
  };
  io.of('/').on('connection', onCustomer);

  return {
    /**
     * Staff with the console open now: a connected `/ops` stream on any instance (through the adapter
     * when scaled out, which refuses when an instance does not answer in time).
     */
    async onlineStaff(): Promise<Set<number>> {
      const sockets = await nsp.fetchSockets();
      return new Set(sockets.map((socket) => (socket.data as Member).userId));
    },
    close() {
      closing = true;
      unsubscribe();
      hub.close();
      io.of('/').off('connection', onCustomer);
      nsp.removeAllListeners(BATCH);
    },
  };
}

/** The SQL form of `opsStreamAllows`. */
function scopeFilter(scope: OpsStreamScope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (scope.caseKinds.length)
    parts.push(sql`(type LIKE 'case.%' AND payload->>'kind' IN (${sql.join(scope.caseKinds)}))`);
  for (const p of scope.prefixes) parts.push(sql`type LIKE ${`${p}%`}`);
  return parts.length ? sql.join(parts, sql` OR `) : sql`false`;
}
