import rateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { LoginGuard, loginLimitsFromEnv } from './modules/accounts/login-guard';
import { registerAccountsRoutes } from './modules/accounts/routes';
import { registerAuditRoutes } from './modules/audit/routes';
import { registerCasesRoutes } from './modules/cases/routes';
import { registerCatalogRoutes } from './modules/catalog/routes';
import { registerDisputesRoutes } from './modules/disputes/routes';
import { registerDrilldownRoutes } from './modules/drilldown/routes';
import { registerFilesRoutes } from './modules/files/routes';
import { registerLedgerRoutes } from './modules/ledger/routes';
import { registerMessagingRoutes } from './modules/messaging/routes';
import { registerModerationRoutes } from './modules/moderation/routes';
import { registerNotificationReactions } from './modules/notifications/reactions';
import { registerOrdersRoutes } from './modules/orders/routes';
import { registerPaymentsRoutes } from './modules/payments/routes';
import { registerPayoutsRoutes } from './modules/payouts/routes';
import { registerReviewsRoutes } from './modules/reviews/routes';
import { registerRoutingRoutes } from './modules/routing/routes';
import { registerSearchRoutes } from './modules/search/routes';
import { registerSettingsRoutes } from './modules/settings/routes';
import { registerStaffRoutes } from './modules/staff/routes';
import { registerStatsRoutes } from './modules/stats/routes';
import { registerSupportRoutes } from './modules/support/routes';
import { wireOps } from './ops/wiring';
import { createAppCache, invalidateOnEvents } from './platform/cache/index';
import type { AppContext } from './platform/context';
import { EventDispatcher } from './platform/events/dispatcher';
import { principalFromRequest } from './platform/http/auth';
import {
  registerCoreMetrics,
  registerLimitMetrics,
  registerMetrics,
  registerPaymentMetrics,
} from './platform/http/metrics';
import { guardOpsRoutes } from './platform/http/ops-guard';
import { createHttpServer } from './platform/http/server';
import { Jobs } from './platform/jobs/jobs';
import { coreJobs } from './platform/jobs/schedule';
import { LimitCounters } from './platform/limits/counters';
import { counterStore } from './platform/limits/rate-limit-store';
import { attachOpsNamespace } from './platform/realtime/ops-socket';
import { attachRealtime } from './platform/realtime/socket';

/**
 * Assembles the core service from a context: HTTP routes of every module, the event dispatcher and the
 * socket gateway. `start()` listens; `close()` stops everything it started (not the database).
 */
export async function buildApp(ctx: AppContext) {
  const http = await createHttpServer({
    logger: ctx.log,
    trustProxy: ctx.env.TRUST_PROXY,
    publicUrl: ctx.env.PUBLIC_URL,
  });
  http.decorateRequest('principal', null);
  http.decorateRequest('staff', null);
  http.addHook('onRequest', async (req) => {
    req.principal = await principalFromRequest(req, ctx.tokens);
  });
  const metrics = registerMetrics(http);
  const paymentMetrics = registerPaymentMetrics(metrics);
  wireOps(ctx);
  // Every write route gets a per-caller budget unless it sets its own (login, sign-up, reports); gateway
  // notifications are never limited. Set before the rate-limit plugin reads the route configs.
  http.addHook('onRoute', (route) => {
    const methods = [route.method].flat();
    if (!methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH' || m === 'DELETE')) return;
    if (!route.url.startsWith('/api/v1/') || route.url.startsWith('/api/v1/payments/')) return;
    const config = (route.config ?? {}) as { rateLimit?: unknown };
    if (config.rateLimit !== undefined) return;
    route.config = {
      ...config,
      rateLimit: {
        max: ctx.env.WRITE_LIMIT_PER_MINUTE,
        timeWindow: '1 minute',
        keyGenerator: (req: FastifyRequest) =>
          req.principal ? `write:u:${req.principal.userId}` : `write:ip:${req.ip}`,
      },
    } as typeof route.config;
  });
  // Rate limits are per route (`config.rateLimit`). Counters live in Redis when scaled out and fall back
  // to this process while Redis is unreachable (platform/limits/counters.ts): a Redis outage loosens the
  // limits to per-instance ones, it never turns writes or sign-ins into errors.
  const counters = new LimitCounters({
    redisUrl: ctx.env.REDIS_URL,
    prefix: ctx.env.REDIS_KEY_PREFIX,
    log: ctx.log,
    commandTimeoutMs: ctx.env.REDIS_COMMAND_TIMEOUT_MS,
  });
  await http.register(rateLimit, {
    global: false,
    hook: 'preHandler', // after validation, so a limit can key on the body
    store: counterStore(counters),
  });
  const limitMetrics = registerLimitMetrics(metrics, counters);
  const loginGuard = new LoginGuard(counters, loginLimitsFromEnv(ctx.env), limitMetrics.loginRefused);

  const cache = await createAppCache(ctx); // L2 cache of public read paths (before the routes that use it)

  http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  // Ready means this instance can do its work. The database is required. Redis is not: without it the
  // limits count per instance and live events reach only the consoles on this instance (they catch up
  // through sync), so the answer stays 200 but says `degraded` and names Redis.
  http.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    // Up when the limits reach Redis and the cache's subscription is live (see L2Cache.redisState).
    const redisState = async () =>
      (await counters.probe()) === 'redis' && cache.redisState() !== 'down' ? 'up' : 'down';
    const redis = counters.usesRedis ? await redisState() : 'not_configured';
    try {
      await sql`SELECT 1`.execute(ctx.db.write);
    } catch (err) {
      reply.status(503);
      return { status: 'unavailable', database: 'down', redis, error: (err as Error).message };
    }
    return {
      status: redis === 'down' ? 'degraded' : 'ready',
      database: 'up',
      databaseKind: ctx.db.kind,
      redis,
    };
  });

  let realtime: Awaited<ReturnType<typeof attachRealtime>> | undefined;
  let opsRealtime: ReturnType<typeof attachOpsNamespace> | undefined;
  const opsRoutes = guardOpsRoutes(http, '/api/v1', ctx.db.write);
  await http.register(
    async (api) => {
      await registerAccountsRoutes(api, ctx, loginGuard);
      await registerCatalogRoutes(api, ctx);
      await registerSearchRoutes(api, ctx);
      await registerOrdersRoutes(api, ctx);
      await registerPaymentsRoutes(api, ctx, paymentMetrics);
      await registerLedgerRoutes(api, ctx);
      await registerReviewsRoutes(api, ctx);
      await registerMessagingRoutes(api, ctx);
      await registerFilesRoutes(api, ctx);
      // The operations API (staff only, /api/v1/ops/…).
      await registerCasesRoutes(api, ctx);
      await registerAuditRoutes(api, ctx);
      await registerSettingsRoutes(api, ctx);
      await registerModerationRoutes(api, ctx);
      await registerDisputesRoutes(api, ctx);
      await registerPayoutsRoutes(api, ctx);
      await registerSupportRoutes(api, ctx);
      await registerDrilldownRoutes(api, ctx);
      await registerStatsRoutes(api, ctx);
      await registerRoutingRoutes(api, ctx);
      await registerStaffRoutes(api, ctx, {
        onlineStaff: async () => (opsRealtime ? opsRealtime.onlineStaff() : null),
      });
    },
    { prefix: '/api/v1' },
  );

  const dispatcher = new EventDispatcher(ctx.db, {
    onError: (err) => ctx.log.error({ err }, 'event dispatch failed'),
  });
  const stopInvalidating = invalidateOnEvents(cache, dispatcher, (err) =>
    ctx.log.warn({ err }, 'cache invalidation failed'),
  );
  const stopCoreMetrics = registerCoreMetrics(metrics, { db: ctx.db, dispatcher });
  /** Background jobs on pg-boss (deadlines, refunds, payouts, SLA, notifications, reconciliation). */
  const jobs = new Jobs(ctx, coreJobs(ctx.env), metrics);
  /** Runs every periodic job now, in-process, awaited; each is state-checked, so overlapping runs are harmless. */
  const sweep = () => jobs.sweep();

  return {
    http,
    dispatcher,
    jobs,
    /** `METHOD /path` of every staff route (each declared in shared/ops/routes.ts). */
    opsRoutes,
    /** Listens on host:port (port 0 picks a free one) and returns the base URL. */
    async start(host = ctx.env.HOST, port = ctx.env.PORT): Promise<string> {
      // Users are notified of what happens from the moment the service runs (not of the demo seed's
      // history, written through the same commands before start).
      registerNotificationReactions(ctx);
      await http.ready();
      realtime = await attachRealtime({
        server: http.server,
        db: ctx.db,
        tokens: ctx.tokens,
        dispatcher,
        redisUrl: ctx.env.REDIS_URL,
        redisKeyPrefix: ctx.env.REDIS_KEY_PREFIX,
        redisCommandTimeoutMs: ctx.env.REDIS_COMMAND_TIMEOUT_MS,
        onError: (err) => ctx.log.warn({ err }, 'socket.io Redis connection error'),
      });
      opsRealtime = attachOpsNamespace(realtime.io, {
        db: ctx.db,
        tokens: ctx.tokens,
        dispatcher,
        scaledOut: Boolean(ctx.env.REDIS_URL),
        onError: (err) => ctx.log.error({ err }, 'ops stream failed'),
      });
      await http.listen({ host, port });
      dispatcher.start();
      await jobs.start();
      const addr = http.server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      return `http://${host}:${actualPort}`;
    },
    /** Runs every periodic job now (tests call it after moving the clock). */
    sweep,
    async close(): Promise<void> {
      await jobs.stop();
      stopCoreMetrics();
      await dispatcher.stop();
      opsRealtime?.close();
      await realtime?.close();
      await http.close();
      await counters.close();
      stopInvalidating();
      await cache.close();
    },
  };
}

export type App = Awaited<ReturnType<typeof buildApp>>;
