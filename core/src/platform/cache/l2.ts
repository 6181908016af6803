import { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';

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
  onError?: (err: unknown) => void;
}

/**
 * A read-through cache for public read paths: an in-process LRU, and Redis behind it when REDIS_URL is
 * set. Values are stored as JSON (each read gets its own copy). Invalidation is driven by domain events
 * (see `cacheInvalidationsFor`): the instance that sequences an event deletes the Redis entries and
 * publishes the keys; every instance drops them from its LRU and deletes them from Redis again, which
 * also removes a stale value another instance wrote while the change committed. A load that overlaps
 * any invalidation is returned but not stored.
 */
export class L2Cache {
  private readonly local: LRUCache<string, string>;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly keyTags = new Map<string, string[]>();
  private pub: Redis | undefined;
  private sub: Redis | undefined;
  private epoch = 0;
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

  async start(): Promise<void> {
    if (!this.opts.redisUrl) return;
    this.pub = new Redis(this.opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.sub = this.pub.duplicate();
    for (const r of [this.pub, this.sub]) r.on('error', (err) => this.onError(err));
    await Promise.all([this.pub.connect(), this.sub.connect()]);
    this.sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        const keys = JSON.parse(message) as string[];
        this.dropLocal(keys);
        if (keys.length) void this.pub?.del(...keys.map((k) => this.prefix + k)).catch(this.onError);
      } catch (err) {
        this.onError(err);
      }
    });
    await this.sub.subscribe(this.channel);
  }

  private readonly onError = (err: unknown) => this.opts.onError?.(err);

  /** The cached value of `key`, or `load()`'s (stored when not null). */
  async get<T>(key: string, load: () => Promise<T | null>, tags: (v: T) => string[] = () => []) {
    const hit = this.local.get(key);
    if (hit !== undefined) {
      this.stats.hits += 1;
      return JSON.parse(hit) as T;
    }
    const epoch = this.epoch;
    if (this.pub) {
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
    if (this.pub) {
      const multi = this.pub.multi().set(this.prefix + key, json, 'PX', this.ttlMs);
      for (const t of valueTags)
        multi.sadd(`${this.prefix}tag:${t}`, key).pexpire(`${this.prefix}tag:${t}`, this.ttlMs);
      await multi.exec().catch(this.onError);
    }
    return value;
  }

  /** Drops entries here and (with Redis) on every instance. */
  async invalidate(inv: Invalidation): Promise<void> {
    const keys = new Set(inv.keys ?? []);
    for (const t of inv.tags ?? []) for (const k of this.tagIndex.get(t) ?? []) keys.add(k);
    if (this.pub && inv.tags?.length) {
      const tagKeys = inv.tags.map((t) => `${this.prefix}tag:${t}`);
      const members = await Promise.all(tagKeys.map((k) => this.pub!.smembers(k)));
      for (const m of members) for (const k of m) keys.add(k);
      await this.pub.del(...tagKeys);
    }
    const list = [...keys];
    this.stats.invalidations += 1;
    this.dropLocal(list);
    if (this.pub && list.length) {
      await this.pub.del(...list.map((k) => this.prefix + k));
      await this.pub.publish(this.channel, JSON.stringify(list));
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

  private untag(key: string) {
    for (const t of this.keyTags.get(key) ?? []) {
      const set = this.tagIndex.get(t);
      if (set?.delete(key) && !set.size) this.tagIndex.delete(t);
    }
    this.keyTags.delete(key);
  }

  async close(): Promise<void> {
    this.local.clear();
    await Promise.all(
      [this.sub, this.pub].filter((r): r is Redis => !!r).map((r) => r.quit().catch(() => r.disconnect())),
    );
  }
}
