import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { registerAccountsRoutes } from './modules/accounts/routes';
import { registerAuditRoutes } from './modules/audit/routes';
import { registerCasesRoutes } from './modules/cases/routes';
import { registerCatalogRoutes } from './modules/catalog/routes';
import { registerDisputesOps } from './modules/disputes/ops';
import { registerDisputesRoutes } from './modules/disputes/routes';
import { registerFilesRoutes } from './modules/files/routes';
import { registerLedgerRoutes } from './modules/ledger/routes';
import { registerMessagingRoutes } from './modules/messaging/routes';
import { registerModerationOps } from './modules/moderation/ops';
import { registerModerationRoutes } from './modules/moderation/routes';
import { registerOrdersRoutes } from './modules/orders/routes';
import { runOrderTimeouts } from './modules/orders/timeouts';
import { processRefunds } from './modules/payments/commands';
import { registerPaymentsRoutes } from './modules/payments/routes';
import { registerPayoutsOps } from './modules/payouts/ops';
import { registerPayoutsRoutes } from './modules/payouts/routes';
import { registerReviewsRoutes } from './modules/reviews/routes';
import { registerSearchRoutes } from './modules/search/routes';
import { registerSettingsRoutes } from './modules/settings/routes';
import { registerStatsRoutes } from './modules/stats/routes';
import { registerSupportOps } from './modules/support/ops';
import { registerSupportRoutes } from './modules/support/routes';
import type { AppContext } from './platform/context';
import { EventDispatcher } from './platform/events/dispatcher';
import { principalFromRequest } from './platform/http/auth';
import { registerMetrics } from './platform/http/metrics';
import { createHttpServer } from './platform/http/server';
import { attachOpsNamespace } from './platform/realtime/ops-socket';
import { attachRealtime } from './platform/realtime/socket';

/**
 * Assembles the core service from a context: HTTP routes of every module, the event dispatcher and the
 * socket gateway. `start()` listens; `close()` stops everything it started (not the database).
 */
export async function buildApp(ctx: AppContext) {
  const http = await createHttpServer({ logger: ctx.log, trustProxy: ctx.env.TRUST_PROXY });
  http.decorateRequest('principal', null);
  http.addHook('onRequest', async (req) => {
    req.principal = await principalFromRequest(req, ctx.tokens);
  });
  registerMetrics(http);
  wireOps(ctx);
  // Rate limits are opt-in per route (`config.rateLimit`); counters live in Redis when scaled out.
  const limiterRedis = ctx.env.REDIS_URL
    ? new Redis(ctx.env.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: true })
    : undefined;
  await limiterRedis?.connect();
  await http.register(rateLimit, {
    global: false,
    hook: 'preHandler', // after body parsing, so a limit can key on the account name
    ...(limiterRedis ? { redis: limiterRedis, nameSpace: `${ctx.env.REDIS_KEY_PREFIX}:rl:` } : {}),
  });

  http.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  http.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`SELECT 1`.execute(ctx.db.write);
      return { status: 'ready', database: ctx.db.kind };
    } catch (err) {
      reply.status(503);
      return { status: 'unavailable', error: (err as Error).message };
    }
  });

  await http.register(
    async (api) => {
      await registerAccountsRoutes(api, ctx);
      await registerCatalogRoutes(api, ctx);
      await registerSearchRoutes(api, ctx);
      await registerOrdersRoutes(api, ctx);
      await registerPaymentsRoutes(api, ctx);
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
      await registerStatsRoutes(api, ctx);
    },
    { prefix: '/api/v1' },
  );

  const dispatcher = new EventDispatcher(ctx.db, {
    onError: (err) => ctx.log.error({ err }, 'event dispatch failed'),
  });
  let realtime: Awaited<ReturnType<typeof attachRealtime>> | undefined;
  let opsRealtime: ReturnType<typeof attachOpsNamespace> | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  /** Deadlines and gateway refunds; every step is state-checked, so concurrent instances are harmless. */
  const sweep = async () => {
    await runOrderTimeouts(ctx);
    await processRefunds(ctx);
  };

  return {
    http,
    dispatcher,
    /** Listens on host:port (port 0 picks a free one) and returns the base URL. */
    async start(host = ctx.env.HOST, port = ctx.env.PORT): Promise<string> {
      await http.ready();
      realtime = await attachRealtime({
        server: http.server,
        db: ctx.db,
        tokens: ctx.tokens,
        dispatcher,
        redisUrl: ctx.env.REDIS_URL,
        redisKeyPrefix: ctx.env.REDIS_KEY_PREFIX,
      });
      opsRealtime = attachOpsNamespace(realtime.io, { db: ctx.db, tokens: ctx.tokens, dispatcher });
      await http.listen({ host, port });
      dispatcher.start();
      if (ctx.env.SWEEP_INTERVAL_SECONDS > 0) {
        sweeper = setInterval(() => {
          sweep().catch((err) => ctx.log.error({ err }, 'sweep failed'));
        }, ctx.env.SWEEP_INTERVAL_SECONDS * 1000);
        sweeper.unref();
      }
      const addr = http.server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      return `http://${host}:${actualPort}`;
    },
    /** Runs the deadline and refund sweep now (tests call it after moving the clock). */
    sweep,
    async close(): Promise<void> {
      if (sweeper) clearInterval(sweeper);
      await dispatcher.stop();
      opsRealtime?.close();
      await realtime?.close();
      await http.close();
      await limiterRedis?.quit().catch(() => limiterRedis.disconnect());
    },
  };
}

/**
 * The ops side's wiring: the kinds of case staff work on (their actions and detail) and the domain
 * events that open and close cases, reacting inside the transaction that appended the event.
 */
function wireOps(ctx: AppContext): void {
  registerModerationOps(ctx);
  registerDisputesOps(ctx);
  registerPayoutsOps(ctx);
  registerSupportOps(ctx);
}

export type App = Awaited<ReturnType<typeof buildApp>>;
