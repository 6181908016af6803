import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { LimitCounters } from './counters';

/**
 * A store for @fastify/rate-limit over the service's `LimitCounters`, so per-route limits (write budgets,
 * sign-ups, reports) count in Redis when it is there and in this process when it is not — instead of the
 * plugin's Redis store, which failed every limited request while Redis was down.
 */
export function counterStore(counters: LimitCounters): FastifyRateLimitStoreCtor {
  const make = (prefix: string): FastifyRateLimitStore => ({
    incr(key, callback, timeWindow) {
      counters.hit(`rl:${prefix}${key}`, timeWindow).then(
        (r) => callback(null, { current: r.count, ttl: r.ttlMs }),
        (err: Error) => callback(err),
      );
    },
    child(routeOptions) {
      // The plugin passes the route as `routeInfo` (the typings say otherwise).
      const route = (routeOptions as unknown as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      return make(`${String(route?.method ?? '')}${route?.url ?? ''}:`);
    },
  });
  // The plugin constructs the store with `new`; a constructor returning an object hands that object back.
  return function CounterStore() {
    return make('');
  } as unknown as FastifyRateLimitStoreCtor;
}
