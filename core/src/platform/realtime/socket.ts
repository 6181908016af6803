import type { Server as HttpServer } from 'node:http';
import { SOCKET_EVENT } from '@jiangxin/shared/events';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { Server } from 'socket.io';
import type { Db } from '../db/database';
import type { EventDispatcher, SequencedEvent } from '../events/dispatcher';
import type { AccessTokens } from '../http/auth';

const REPLAY_LIMIT = 1000;

/**
 * Live events for marketplace users. A socket authenticates with its access token (handshake `auth.token`)
 * and joins `user:<id>`; each sequenced event goes to the rooms of its audience. A reconnecting client
 * sends `auth.lastSeq` and first receives what it missed (up to 1000 events; beyond that it should reload).
 * With REDIS_URL the Redis adapter carries emits between instances, so only the sequencing instance emits.
 */
export async function attachRealtime(opts: {
  server: HttpServer;
  db: Db;
  tokens: AccessTokens;
  dispatcher: EventDispatcher;
  redisUrl?: string | undefined;
  redisKeyPrefix?: string;
  onError?: (err: unknown) => void;
}) {
  const io = new Server(opts.server, { path: '/socket.io', serveClient: false, cors: { origin: false } });
  const redis: Redis[] = [];
  if (opts.redisUrl) {
    const pub = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    const sub = pub.duplicate();
    // A dropped Redis connection reconnects by itself; report it rather than crash on an unhandled event.
    for (const r of [pub, sub]) r.on('error', (err) => opts.onError?.(err));
    await Promise.all([pub.connect(), sub.connect()]);
    redis.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: `${opts.redisKeyPrefix ?? 'jiangxin'}:socket.io` }));
  }

  io.use(async (socket, next) => {
    try {
      const token = socket.handshake.auth['token'];
      if (typeof token !== 'string') throw new Error('missing token');
      const principal = await opts.tokens.verify(token);
      socket.data['userId'] = principal.userId;
      next();
    } catch {
      next(new Error('unauthenticated'));
    }
  });

  io.on('connection', async (socket) => {
    const userId = socket.data['userId'] as number;
    await socket.join(`user:${userId}`);
    const lastSeq = Number(socket.handshake.auth['lastSeq']);
    if (Number.isSafeInteger(lastSeq) && lastSeq >= 0) {
      const missed = await sql<{
        seq: number;
        type: string;
        aggregate_type: string;
        aggregate_id: number;
        payload: unknown;
        created_at: Date;
      }>`
        SELECT seq, type, aggregate_type, aggregate_id, payload, created_at FROM events
        WHERE seq > ${lastSeq} AND audience @> ARRAY[${userId}]::bigint[]
        ORDER BY seq LIMIT ${REPLAY_LIMIT}`.execute(opts.db.read);
      for (const r of missed.rows) {
        socket.emit(SOCKET_EVENT, {
          seq: r.seq,
          type: r.type,
          aggregateType: r.aggregate_type,
          aggregateId: r.aggregate_id,
          occurredAt: new Date(r.created_at).toISOString(),
          payload: r.payload,
        });
      }
    }
  });

  const unsubscribe = opts.dispatcher.subscribe((events: SequencedEvent[]) => {
    for (const e of events) {
      if (!e.audience.length) continue;
      const { audience, ...envelope } = e;
      io.to(audience.map((id) => `user:${id}`)).emit(SOCKET_EVENT, envelope);
    }
  });

  return {
    io,
    async close() {
      unsubscribe();
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await Promise.all(redis.map((r) => r.quit().catch(() => r.disconnect())));
    },
  };
}
