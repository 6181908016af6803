import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  createReportBodySchema,
  createReportResponseSchema,
  revokeSanctionBodySchema,
  sanctionInputSchema,
  sanctionListSchema,
  sanctionSchema,
} from '@jiangxin/shared/ops/moderation';
import type { AppContext } from '../../platform/context';
import { requireStaff, requireUser } from '../../platform/http/auth';
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

  const tags = ['ops: moderation'];
  app.post(
    '/ops/users/:id/sanctions',
    {
      schema: {
        tags,
        security,
        summary: '处罚用户 Warn, suspend (days) or ban a user',
        params: idParamSchema,
        body: sanctionInputSchema,
        response: { 201: sanctionSchema },
      },
    },
    async (req, reply) => {
      const staff = requireStaff(req, 'sanctions.apply');
      const sanction = await ctx.db.transact((tx) =>
        applySanction(ctx, tx, staff.userId, req.params.id, req.body),
      );
      return reply.status(201).send(sanction);
    },
  );
  app.post(
    '/ops/sanctions/:id/revoke',
    {
      schema: {
        tags,
        security,
        summary: '撤销处罚 Lift a sanction early (a takedown puts the content back)',
        params: idParamSchema,
        body: revokeSanctionBodySchema,
        response: { 200: sanctionSchema },
      },
    },
    async (req) => revokeSanction(ctx, requireStaff(req, 'sanctions.apply'), req.params.id, req.body.note),
  );
  app.get(
    '/ops/users/:id/sanctions',
    {
      schema: {
        tags,
        security,
        summary: '处罚记录 A user’s sanctions, newest first',
        params: idParamSchema,
        response: { 200: sanctionListSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'cases.view');
      const user = await ctx.db.read
        .selectFrom('users')
        .select('id')
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!user) throw notFound({ zh: '用户不存在', en: 'No such user' });
      return { items: await listSanctions(ctx.db.read, req.params.id) };
    },
  );
}
