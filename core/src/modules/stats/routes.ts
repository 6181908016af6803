import { statsQuerySchema, statsResponseSchema } from '@jiangxin/shared/ops/stats';
import type { AppContext } from '../../platform/context';
import { requireStaff } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { computeStats } from './queries';

const DEFAULT_SPAN_MS = { hour: 86_400_000, day: 30 * 86_400_000 } as const;

/** `GET /ops/stats`: the operations dashboard's figures (permission `stats.view`). */
export async function registerStatsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/ops/stats',
    {
      schema: {
        tags: ['ops: stats'],
        security: [{ bearer: [] }],
        summary:
          '运营数据 Money per China-time hour/day (GMV, fees, refunds, payouts), orders, escrow and case queues now',
        querystring: statsQuerySchema,
        response: { 200: statsResponseSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'stats.view');
      const now = ctx.now();
      const to = req.query.to ? new Date(req.query.to) : now;
      const from = req.query.from
        ? new Date(req.query.from)
        : new Date(to.getTime() - DEFAULT_SPAN_MS[req.query.bucket]);
      return computeStats(ctx.db.read, { from, to, bucket: req.query.bucket }, now);
    },
  );
}
