import type { Redis } from 'ioredis';

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
