import type { Server as HttpServer } from 'node:http';
import { SOCKET_EVENT } from '@jiangxin/shared/events';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { Server, type Socket } from 'socket.io';
import type { Db } from '../db/database';
import type { EventDispatcher, SequencedEvent } from '../events/dispatcher';
import type { AccessTokens } from '../http/auth';
import { closeRedis, failFastRedis } from '../redis/clients';

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
  /** A publish slower than this fails (default 250 ms). */
  redisCommandTimeoutMs?: number;
  onError?: (err: unknown) => void;
}) {
  const io = new Server(opts.server, { path: '/socket.io', serveClient: false, cors: { origin: false } });
  const redis: Redis[] = [];
  if (opts.redisUrl) {
    const onError = (err: unknown) => opts.onError?.(err);
    // Publishing must never wait on Redis (an emit is fire-and-forget): no offline queue, a short timeout.
    const pub = failFastRedis(opts.redisUrl, opts.redisCommandTimeoutMs);
    // Subscriptions wait for Redis as long as it takes (and are restored after each reconnect).
    const sub = pub.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
    });
    // A dropped Redis connection reconnects by itself; report it rather than crash on an unhandled event.
    for (const r of [pub, sub]) r.on('error', onError);
    // The adapter publishes and subscribes without handling a refusal; while Redis is down each would
    // be an unhandled rejection, which ends a Node process.
    catchRejections(pub, ['publish'], onError);
    catchRejections(sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'], onError);
    // Redis being down does not stop the start: live events reach this instance's sockets meanwhile.
    await Promise.all([pub.connect().catch(onError), sub.connect().catch(onError)]);
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

  io.on('connection', (socket) => {
    // The database may be unreachable (an outage): the socket stays, and the replay is tried again
    // until it answers (live events reach the socket meanwhile, so some may come before the replay).
    const replay = (attempt: number) => {
      replayMissed(socket).catch((err: unknown) => {
        opts.onError?.(err);
        if (socket.connected)
          setTimeout(() => socket.connected && replay(attempt + 1), Math.min(10_000, 500 * 2 ** attempt));
      });
    };
    replay(0);
  });

  async function replayMissed(socket: Socket): Promise<void> {
    const userId = socket.data['userId'] as number;
    await socket.join(`user:${userId}`);
    const lastSeq = Number(socket.handshake.auth['lastSeq']);
    if (Number.isSafeInteger(lastSeq) && lastSeq >= 0) {
      // From the primary: events a lagging replica has not replayed yet were already sent live, before
      // this socket joined, so they would be lost.
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
        ORDER BY seq LIMIT ${REPLAY_LIMIT}`.execute(opts.db.fresh);
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
  }

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
      await Promise.all(redis.map(closeRedis));
    },
  };
}

/**
 * Attaches a rejection handler to every promise the named methods of `client` return (the callers still
 * get the same promise): for libraries that call them without handling a refusal.
 */
function catchRejections(client: Redis, methods: readonly string[], onError: (err: unknown) => void): void {
  const target = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of methods) {
    const original = target[name]!.bind(client);
    target[name] = (...args: unknown[]) => {
      const result = original(...args);
      if (result && typeof (result as Promise<unknown>).then === 'function')
        (result as Promise<unknown>).then(undefined, onError);
      return result;
    };
  }
}
