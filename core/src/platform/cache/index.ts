import type { AppContext } from '../context';
import type { EventDispatcher, SequencedEvent } from '../events/dispatcher';
import { type Invalidation, L2Cache } from './l2';

export { type Invalidation, L2Cache } from './l2';

/** Cache keys of the public read paths. */
export const cacheKeys = {
  service: (id: number) => `service:${id}`,
  user: (id: number) => `user:${id}`,
  /** Tag on every cached entry that shows something of this user (their listings show their name, rating). */
  userTag: (id: number) => `user:${id}`,
};

/** What a committed event makes stale. */
export function cacheInvalidationsFor(e: Pick<SequencedEvent, 'type' | 'payload'>): Invalidation | null {
  const p = e.payload as Record<string, unknown>;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : null);
  switch (e.type) {
    case 'service.submitted':
    case 'service.status_changed': {
      const id = num('serviceId');
      return id ? { keys: [cacheKeys.service(id)] } : null;
    }
    case 'review.created': {
      const service = num('serviceId');
      const user = num('targetUserId');
      return {
        keys: [...(service ? [cacheKeys.service(service)] : []), ...(user ? [cacheKeys.user(user)] : [])],
        tags: user ? [cacheKeys.userTag(user)] : [],
      };
    }
    default: {
      // Any user.* event (profile updated, sanctioned, …) carrying the user's id.
      const user = num('userId');
      if (e.type.startsWith('user.') && user)
        return { keys: [cacheKeys.user(user)], tags: [cacheKeys.userTag(user)] };
      return null;
    }
  }
}

const caches = new WeakMap<AppContext, L2Cache>();

/** Creates the app's cache (Redis layer when REDIS_URL is set); `buildApp` calls this once. */
export async function createAppCache(ctx: AppContext): Promise<L2Cache> {
  const cache = new L2Cache({
    redisUrl: ctx.env.REDIS_URL,
    keyPrefix: ctx.env.REDIS_KEY_PREFIX,
    commandTimeoutMs: ctx.env.REDIS_COMMAND_TIMEOUT_MS,
    onError: (err) => ctx.log.warn({ err }, 'cache error'),
  });
  await cache.start();
  caches.set(ctx, cache);
  return cache;
}

/** Invalidates from the events this instance sequences (the others hear it through Redis). */
export function invalidateOnEvents(
  cache: L2Cache,
  dispatcher: EventDispatcher,
  onError: (err: unknown) => void = () => {},
): () => void {
  return dispatcher.subscribe((events) => {
    const keys = new Set<string>();
    const tags = new Set<string>();
    for (const e of events) {
      const inv = cacheInvalidationsFor(e);
      for (const k of inv?.keys ?? []) keys.add(k);
      for (const t of inv?.tags ?? []) tags.add(t);
    }
    if (keys.size || tags.size) void cache.invalidate({ keys: [...keys], tags: [...tags] }).catch(onError);
  });
}

/** Read through the app's cache (straight to `load` when the app has none). */
export function cached<T>(
  ctx: AppContext,
  key: string,
  load: () => Promise<T | null>,
  tags?: (v: T) => string[],
): Promise<T | null> {
  const cache = caches.get(ctx);
  return cache ? cache.get(key, load, tags) : load();
}

export function appCache(ctx: AppContext): L2Cache | undefined {
  return caches.get(ctx);
}
