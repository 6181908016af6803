import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  disputeEvidenceBodySchema,
  disputeEvidenceSchema,
  disputeViewSchema,
} from '@jiangxin/shared/ops/disputes';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { addEvidence } from './commands';
import { disputeForParty } from './queries';

const tags = ['disputes'];
const security = [{ bearer: [] }];

/**
 * The parties' side of a dispute: add evidence until the deadline, read the dispute. Staff work on
 * disputes through the case routes (`/ops/cases/:id`, actions resolve / approve_resolution /
 * reject_resolution).
 */
export async function registerDisputesRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/disputes/:id/evidence',
    {
      schema: {
        operationId: 'addDisputeEvidence',
        tags,
        security,
        summary:
          '提交纠纷证据 Add evidence to a dispute (either party, until the evidence deadline; after it 409)',
        params: idParamSchema,
        body: disputeEvidenceBodySchema,
        response: { 201: disputeEvidenceSchema },
      },
    },
    async (req, reply) => {
      const { userId } = requireUser(req);
      const { evidence, side, files } = await addEvidence(ctx, userId, req.params.id, req.body);
      const author = await ctx.db.write
        .selectFrom('users')
        .select('nickname')
        .where('id', '=', userId)
        .executeTakeFirstOrThrow();
      return reply.status(201).send({
        id: evidence.id,
        authorId: userId,
        authorName: author.nickname,
        side,
        note: evidence.note,
        files,
        createdAt: new Date(evidence.created_at).toISOString(),
      });
    },
  );

  app.get(
    '/orders/:id/dispute',
    {
      schema: {
        operationId: 'getOrderDispute',
        tags,
        security,
        summary: '订单纠纷 The order’s dispute with its evidence, deadline and resolution (its parties only)',
        params: idParamSchema,
        response: { 200: disputeViewSchema },
      },
    },
    async (req) => disputeForParty(ctx, req.params.id, requireUser(req).userId),
  );
}
