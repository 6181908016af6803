import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { closeRedis, failFastRedis } from '../redis/clients';

/** One counter's state after a hit: how many hits its window holds and how long the window has left. */
export interface CounterHit {
  count: number;
  ttlMs: number;
}

/** A client with `HIT_SCRIPT` defined as a command (ioredis adds it at run time, untyped). */
type HitCommand = Redis & { jxHit(key: string, windowMs: number, by: number): Promise<[number, number]> };

/** Where the counters live at this moment: Redis, or this process because Redis is unreachable or unset. */
export type CounterBackend = 'redis' | 'local';

// INCRBY, starting a window on the first hit; answers the count and the window's remaining time.
const HIT_SCRIPT = `
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if count == tonumber(ARGV[2]) or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
`;

/**
 * Fixed-window counters for every limit of the service (write budgets, sign-up and login limits). They
 * live in Redis when REDIS_URL is set, so every instance counts together; when Redis is unset, down or
 * slower than `commandTimeoutMs`, they live in this process instead (fail open to a *local* limiter, never
 * to none), and a request never waits on a dead Redis: no offline queue, a short command timeout.
 *
 * What that costs during a Redis outage: each instance counts on its own, so a limit of N admits up to
 * N × instances, and counts made before the outage are not seen until Redis returns.
 */
export class LimitCounters {
  private readonly redis: HitCommand | undefined;
  private readonly local = new Map<string, { count: number; resetAt: number }>();
  private hitsSincePrune = 0;
  private lastWarnAt = 0;
  /** After a failed or timed-out command, Redis is skipped until then (a partition must not cost every hit a timeout). */
  private suspectUntil = 0;

  constructor(
    private readonly opts: {
      redisUrl?: string | undefined;
      /** Key namespace on a shared Redis (REDIS_KEY_PREFIX). */
      prefix: string;
      log: Logger;
      /** A Redis command slower than this falls back to the local counters (REDIS_COMMAND_TIMEOUT_MS). */
      commandTimeoutMs?: number;
      /** How long Redis is skipped after a failed command before it is tried again. */
      retryAfterFailureMs?: number;
      /** Local counters kept at most (the oldest go first), so a flood of distinct keys cannot fill memory. */
      maxLocalKeys?: number;
      /** The clock (tests move it). */
      now?: () => number;
    },
  ) {
    if (!opts.redisUrl) return;
    const redis = failFastRedis(opts.redisUrl, opts.commandTimeoutMs);
    // Sent once, then run by its digest (EVALSHA): the script that `jxHit` names.
    redis.defineCommand('jxHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis = redis as HitCommand;
    this.redis.on('error', (err) => this.warn(err, 'limit counters: Redis connection error'));
    this.redis.connect().catch((err) => this.warn(err, 'limit counters: Redis not reachable at start'));
  }

  /** Where counts go right now (for the metrics; `/readyz` asks `probe()`). */
  get backend(): CounterBackend {
    return this.redis?.status === 'ready' && this.nowMs() >= this.suspectUntil ? 'redis' : 'local';
  }

  /**
   * Asks Redis itself (a PING within the command timeout) rather than trusting the connection state: in a
   * partition the socket stays open and looks ready while nothing answers.
   */
  async probe(): Promise<CounterBackend> {
    if (this.redis?.status !== 'ready') return 'local';
    try {
      await this.redis.ping();
      this.suspectUntil = 0;
      return 'redis';
    } catch (err) {
      this.suspect(err as Error);
      return 'local';
    }
  }

  /** Whether Redis is configured at all. */
  get usesRedis(): boolean {
    return this.redis !== undefined;
  }

  /** Adds `by` to the counter `key` (a window of `windowMs` starts with its first hit) and answers its state. */
  async hit(key: string, windowMs: number, by = 1): Promise<CounterHit> {
    if (this.backend === 'redis' && this.redis) {
      try {
        const [count, ttlMs] = await this.redis.jxHit(this.key(key), windowMs, by);
        return { count, ttlMs };
      } catch (err) {
        this.suspect(err as Error);
      }
    }
    return this.hitLocal(key, windowMs, by);
  }

  /** Takes back one earlier hit (a login that turned out to be right is not a failure). */
  async undo(key: string, windowMs: number): Promise<void> {
    await this.hit(key, windowMs, -1);
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }

  private suspect(err: Error): void {
    this.suspectUntil = this.nowMs() + (this.opts.retryAfterFailureMs ?? 2000);
    this.warn(err, 'limit counters: Redis command failed, counting locally');
  }

  private nowMs(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private key(key: string): string {
    return `${this.opts.prefix}:lim:${key}`;
  }

  private hitLocal(key: string, windowMs: number, by: number): CounterHit {
    const now = this.nowMs();
    if (++this.hitsSincePrune >= 1000) this.prune(now);
    let entry = this.local.get(key);
    if (!entry || entry.resetAt <= now) {
      entry = { count: 0, resetAt: now + windowMs };
      this.local.delete(key);
      this.local.set(key, entry);
    }
    entry.count = Math.max(0, entry.count + by);
    return { count: entry.count, ttlMs: entry.resetAt - now };
  }

  private prune(now: number): void {
    this.hitsSincePrune = 0;
    for (const [k, e] of this.local) if (e.resetAt <= now) this.local.delete(k);
    const max = this.opts.maxLocalKeys ?? 100_000;
    for (const k of this.local.keys()) {
      if (this.local.size <= max) break;
      this.local.delete(k);
    }
  }

  /** At most one warning every 10 s: an outage must not flood the log. */
  private warn(err: Error, msg: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.opts.log.warn({ err: { message: err.message } }, msg);
  }
}
