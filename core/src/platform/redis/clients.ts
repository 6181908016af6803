import { Redis } from 'ioredis';

/** How long a Redis command may take before the caller gives up on it (REDIS_COMMAND_TIMEOUT_MS's default). */
export const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * A Redis client that never makes a request wait on a dead or silent Redis: no offline queue (a command
 * while disconnected fails at once), no retries of a command, `commandTimeoutMs` for a server that does
 * not answer — and reconnects in the background, at most every 2 s. Every Redis user of the core (limit
 * counters, L2 cache, socket.io adapter) opens its publishing connection through here and falls back to
 * what it can do alone. Not connected yet (`lazyConnect`): the caller connects and handles the refusal.
 */
export function failFastRedis(url: string, commandTimeoutMs = DEFAULT_REDIS_COMMAND_TIMEOUT_MS): Redis {
  return new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(200 * times, 2000),
  });
}

/**
 * Closes an ioredis connection without waiting on a dead server: `quit()` only when the connection is
 * ready (it lets queued replies arrive), otherwise `disconnect()` — a `quit()` on a connection that is
 * still trying to reach the server is queued behind the reconnect and never settles, so a core shutting
 * down during a Redis outage would hang.
 */
export async function closeRedis(r: Redis | undefined): Promise<void> {
  if (!r) return;
  if (r.status !== 'ready') {
    r.disconnect();
    return;
  }
  await r.quit().catch(() => r.disconnect());
}
