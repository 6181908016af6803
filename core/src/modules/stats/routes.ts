import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { computeStats } from './queries';

const DEFAULT_SPAN_MS = { hour: 86_400_000, day: 30 * 86_400_000 } as const;

/** `GET /ops/stats`: the operations dashboard's figures (permission `stats.view`). */
export async function registerStatsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'getStats', async (req) => {
    const now = ctx.now();
    const to = req.query.to ? new Date(req.query.to) : now;
    const from = req.query.from
      ? new Date(req.query.from)
      : new Date(to.getTime() - DEFAULT_SPAN_MS[req.query.bucket]);
    return computeStats(ctx.db.read, { from, to, bucket: req.query.bucket }, now);
  });
}
