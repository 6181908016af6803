import { createReportBodySchema, createReportResponseSchema } from '@jiangxin/shared/ops/moderation';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { opsRoute } from '../../platform/http/ops-route';
import { notFound } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { listSanctions } from './queries';
import { createReport } from './reports';
import { applySanction, revokeSanction } from './sanctions';

const security = [{ bearer: [] }];

/**
 * Moderation routes: users report content (`POST /reports`); staff sanction users directly, revoke
 * sanctions and read a user's sanctions. Listing reviews and report handling are case actions
 * (`POST /ops/cases/:id/perform/…`).
 */
export async function registerModerationRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/reports',
    {
      config: {
        rateLimit: {
          max: 20,
          timeWindow: '1 hour',
          keyGenerator: (req) => `report:${req.principal?.userId ?? req.ip}`,
        },
      },
      schema: {
        operationId: 'createReport',
        tags: ['moderation'],
        security,
        summary: '举报 Report a listing, review, message or user',
        body: createReportBodySchema,
        response: { 201: createReportResponseSchema },
      },
    },
    async (req, reply) => {
      const user = requireUser(req);
      return reply.status(201).send(await createReport(ctx, user.userId, req.body));
    },
  );

  opsRoute(app, 'applySanction', async (req) =>
    ctx.db.transact((tx) => applySanction(ctx, tx, req.staff.userId, req.params.id, req.body)),
  );
  opsRoute(app, 'revokeSanction', async (req) =>
    revokeSanction(ctx, req.staff, req.params.id, req.body.note),
  );
  opsRoute(app, 'listSanctions', async (req) => {
    const user = await ctx.db.fresh
      .selectFrom('users')
      .select('id')
      .where('id', '=', req.params.id)
      .executeTakeFirst();
    if (!user) throw notFound({ zh: '用户不存在', en: 'No such user' });
    return { items: await listSanctions(ctx.db.fresh, req.params.id) };
  });
}
