import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { closeRedis, failFastRedis } from '../redis/clients';

export interface Invalidation {
  keys?: readonly string[];
  /** Every entry stored with one of these tags goes too (a user's listings when the user changes). */
  tags?: readonly string[];
}

export interface L2CacheOptions {
  /** With Redis: a second layer shared by the instances, and invalidations reach every instance. */
  redisUrl?: string | undefined;
  keyPrefix?: string;
  /** Safety net only: entries are invalidated by events, the TTL bounds what a lost message could cost. */
  ttlMs?: number;
  max?: number;
  /**
   * A Redis command slower than this fails, and the read goes to the database (default 250 ms). With no
   * offline queue either, a Redis outage costs a read at most this long, never a stall.
   */
  commandTimeoutMs?: number;
  /** Told of Redis failures, at most once per 10 s (an outage would otherwise log every read). */
  onError?: (err: unknown) => void;
}

/** How often a Redis failure is reported while an outage lasts. */
const REPORT_EVERY_MS = 10_000;

/**
 * A read-through cache for public read paths: an in-process LRU, and Redis behind it when REDIS_URL is
 * set. Values are stored as JSON (each read gets its own copy). Invalidation is driven by domain events
 * (see `cacheInvalidationsFor`): the instance that sequences an event deletes the Redis entries and
 * publishes the keys; every instance drops them from its LRU and deletes them from Redis again, which
 * also removes a stale value another instance wrote while the change committed. A load that overlaps
 * any invalidation is returned but not stored.
 *
 * Redis is an accelerator, never a requirement (it fails open): while it is down or slow, reads go to
 * the loader after at most `commandTimeoutMs`, invalidations apply here at once and are kept to be sent
 * to Redis (deleted there and published) when it is back, and since the other instances may have missed
 * invalidations meanwhile, each instance empties its in-process layer when its subscription comes back.
 */
export class L2Cache {
  private readonly local: LRUCache<string, string>;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly keyTags = new Map<string, string[]>();
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private epoch = 0;
  /** Invalidations Redis has not taken yet (it was down): sent when it is back. */
  private readonly pendingKeys = new Set<string>();
  private readonly pendingTags = new Set<string>();
  private lastReportAt = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private subscribedOnce = false;
  /** The subscription is live: invalidations published by the other instances reach this one. */
  private subscribed = false;
  private closed = false;
  private readonly prefix: string;
  private readonly channel: string;
  private readonly ttlMs: number;
  readonly stats = { hits: 0, redisHits: 0, misses: 0, invalidations: 0 };

  constructor(private readonly opts: L2CacheOptions = {}) {
    this.prefix = `${opts.keyPrefix ?? 'jiangxin'}:cache:`;
    this.channel = `${this.prefix}invalidate`;
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.local = new LRUCache({
      max: opts.max ?? 10_000,
      ttl: this.ttlMs,
      dispose: (_v, key) => this.untag(key),
    });
  }

  /** Connects to Redis when configured. Redis being down does not stop the start: it is used once it is up. */
  async start(): Promise<void> {
    if (!this.opts.redisUrl) return;
    this.pub = failFastRedis(this.opts.redisUrl, this.opts.commandTimeoutMs);
    // The subscriber holds no commands to time out (a subscription waits for messages by design).
    this.sub = this.pub.duplicate({ commandTimeout: undefined });
    for (const r of [this.pub, this.sub]) r.on('error', (err) => this.onError(err));
    this.sub.on('close', () => {
      this.subscribed = false;
    });
    this.pub.on('ready', () => void this.flushPending());
    this.sub.on('ready', () => {
      // Back after a break: invalidations published meanwhile never reached us, so nothing held in this
      // process can be trusted. Subscribing again is harmless if the client already resubscribed.
      if (this.subscribedOnce) this.dropAllLocal();
      this.sub?.subscribe(this.channel).then(
        () => {
          this.subscribedOnce = true;
          this.subscribed = true;
        },
        (err) => this.onError(err),
      );
    });
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const keys = JSON.parse(message) as string[];
        this.dropLocal(keys);
        if (keys.length && this.redisReady)
          void this.pub?.del(...keys.map((k) => this.prefix + k)).catch(this.onError);
      } catch (err) {
        this.onError(err);
      }
    });
    await Promise.all(
      [this.pub, this.sub].map((r) => r.connect().catch((err: unknown) => this.onError(err))),
    );
  }

  private get redisReady(): boolean {
    return this.pub?.status === 'ready';
  }

  /**
   * `up` once both connections are ready and the subscription is live — which is after the in-process
   * layer was emptied on a reconnect, so a caller that waits for `up` (a health check, a test) knows that
   * the cache holds only what it will keep.
   */
  redisState(): 'up' | 'down' | 'not_configured' {
    if (!this.opts.redisUrl) return 'not_configured';
    return this.redisReady && this.subscribed && this.sub?.status === 'ready' ? 'up' : 'down';
  }

  private readonly onError = (err: unknown) => {
    const now = Date.now();
    if (now - this.lastReportAt < REPORT_EVERY_MS) return;
    this.lastReportAt = now;
    this.opts.onError?.(err);
  };

  /** The cached value of `key`, or `load()`'s (stored when not null). */
  async get<T>(key: string, load: () => Promise<T | null>, tags: (v: T) => string[] = () => []) {
    const hit = this.local.get(key);
    if (hit !== undefined) {
      this.stats.hits += 1;
      return JSON.parse(hit) as T;
    }
    const epoch = this.epoch;
    if (this.pub && this.redisReady) {
      try {
        const shared = await this.pub.get(this.prefix + key);
        if (shared !== null) {
          this.stats.redisHits += 1;
          const value = JSON.parse(shared) as T;
          if (epoch === this.epoch) this.storeLocal(key, shared, tags(value));
          return value;
        }
      } catch (err) {
        this.onError(err);
      }
    }
    this.stats.misses += 1;
    const value = await load();
    if (value === null || value === undefined || epoch !== this.epoch) return value;
    const json = JSON.stringify(value);
    const valueTags = tags(value);
    this.storeLocal(key, json, valueTags);
    if (this.pub && this.redisReady) {
      const multi = this.pub.multi().set(this.prefix + key, json, 'PX', this.ttlMs);
      for (const t of valueTags)
        multi.sadd(`${this.prefix}tag:${t}`, key).pexpire(`${this.prefix}tag:${t}`, this.ttlMs);
      await multi.exec().catch(this.onError);
    }
    return value;
  }

  /**
   * Drops entries here at once and (with Redis) on every instance. Redis being down does not keep a stale
   * value here, and what Redis could not take is sent when it is back (a rejection still reports it).
   */
  async invalidate(inv: Invalidation): Promise<void> {
    const local = new Set(inv.keys ?? []);
    for (const t of inv.tags ?? []) for (const k of this.tagIndex.get(t) ?? []) local.add(k);
    this.stats.invalidations += 1;
    this.dropLocal([...local]);
    if (!this.pub) return;
    for (const k of inv.keys ?? []) this.pendingKeys.add(k);
    for (const t of inv.tags ?? []) this.pendingTags.add(t);
    if (this.redisReady) await this.flushPending(true);
    else this.flushLater();
  }

  /**
   * Tries the kept invalidations again in a second: a reconnect flushes them too, but a partition that
   * heals without the connection ever dropping gives no reconnect.
   */
  private flushLater(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      if (this.redisReady) void this.flushPending();
      else this.flushLater();
    }, 1000);
    this.flushTimer.unref();
  }

  /** Sends the invalidations Redis has not taken: tag members and keys deleted, the keys published. */
  private async flushPending(rethrow = false): Promise<void> {
    const pub = this.pub;
    if (!pub || (!this.pendingKeys.size && !this.pendingTags.size)) return;
    const keys = new Set(this.pendingKeys);
    const tags = [...this.pendingTags];
    this.pendingKeys.clear();
    this.pendingTags.clear();
    try {
      if (tags.length) {
        const tagKeys = tags.map((t) => `${this.prefix}tag:${t}`);
        const members = await Promise.all(tagKeys.map((k) => pub.smembers(k)));
        for (const m of members) for (const k of m) keys.add(k);
        await pub.del(...tagKeys);
      }
      const list = [...keys];
      if (list.length) {
        await pub.del(...list.map((k) => this.prefix + k));
        await pub.publish(this.channel, JSON.stringify(list));
        // A read that went to Redis while this was on its way may have stored the old value here.
        this.dropLocal(list);
      }
    } catch (err) {
      for (const k of keys) this.pendingKeys.add(k);
      for (const t of tags) this.pendingTags.add(t);
      this.onError(err);
      this.flushLater();
      if (rethrow) throw err;
    }
  }

  private storeLocal(key: string, json: string, tags: string[]) {
    this.local.set(key, json);
    if (tags.length) this.keyTags.set(key, tags);
    for (const t of tags) {
      const set = this.tagIndex.get(t) ?? new Set<string>();
      set.add(key);
      this.tagIndex.set(t, set);
    }
  }

  private dropLocal(keys: readonly string[]) {
    this.epoch += 1;
    for (const k of keys) this.local.delete(k);
  }

  private dropAllLocal() {
    this.epoch += 1;
    this.local.clear();
  }

  private untag(key: string) {
    for (const t of this.keyTags.get(key) ?? []) {
      const set = this.tagIndex.get(t);
      if (set?.delete(key) && !set.size) this.tagIndex.delete(t);
    }
    this.keyTags.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.flushTimer);
    this.local.clear();
    await Promise.all([this.sub, this.pub].map(closeRedis));
  }
}
