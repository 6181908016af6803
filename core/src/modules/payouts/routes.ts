import { pageQuerySchema } from '@jiangxin/shared/api/common';
import {
  createWithdrawalBodySchema,
  withdrawalPageSchema,
  withdrawalSchema,
} from '@jiangxin/shared/ops/payouts';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { idempotencyHeadersSchema } from '../../platform/http/idempotency';
import { opsRoute } from '../../platform/http/ops-route';
import { AppError, pickLang, toProblem } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { performCaseAction } from '../cases/commands';
import { requestWithdrawal } from './commands';
import { listWithdrawals } from './queries';

const security = [{ bearer: [] }];
function idempotencyKey(req: FastifyRequest): string {
  const key = req.headers['idempotency-key'];
  if (typeof key !== 'string' || !key) throw new AppError('idempotency_key_required');
  return key;
}

/** Withdrawals (the user's side) and the batch approval of payout cases (finance). */
export async function registerPayoutsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/wallet/withdrawals',
    {
      schema: {
        operationId: 'requestWithdrawal',
        tags: ['wallet'],
        security,
        summary:
          '申请提现 Withdraw from the available balance to Alipay / WeChat / a bank card (real-name verified; Idempotency-Key required)',
        headers: idempotencyHeadersSchema,
        body: createWithdrawalBodySchema,
        response: { 201: withdrawalSchema, 200: withdrawalSchema },
      },
    },
    async (req, reply) => {
      const { userId } = requireUser(req);
      const result = await requestWithdrawal(ctx, userId, req.body, idempotencyKey(req));
      if (result.replayed) reply.header('idempotent-replayed', 'true');
      return reply.status(result.replayed ? 200 : 201).send(result.body);
    },
  );

  app.get(
    '/wallet/withdrawals',
    {
      schema: {
        operationId: 'listWithdrawals',
        tags: ['wallet'],
        security,
        summary: '我的提现 My withdrawals, newest first, with their status and any rejection reason',
        querystring: pageQuerySchema,
        response: { 200: withdrawalPageSchema },
      },
    },
    async (req) => listWithdrawals(ctx.db.fresh, ctx.pii, requireUser(req).userId, req.query),
  );

  opsRoute(app, 'batchApprovePayouts', async (req) => {
    const { staff } = req;
    const lang = pickLang(req.headers['accept-language']);
    const results = [];
    for (const item of req.body.items) {
      try {
        const done = await performCaseAction(ctx, staff, item.caseId, 'approve_payout', {
          version: item.version,
        });
        results.push({
          caseId: item.caseId,
          ok: true,
          version: done.case.version,
          stage: done.case.stage,
          code: null,
          message: null,
          reason: null,
        });
      } catch (err) {
        if (!(err instanceof AppError)) {
          req.log.error({ err, caseId: item.caseId }, 'batch approval item failed');
          const problem = toProblem(new AppError('internal'), lang);
          results.push({
            caseId: item.caseId,
            ok: false,
            version: null,
            stage: null,
            code: 'internal',
            message: problem.detail,
            reason: problem.details,
          });
          continue;
        }
        const problem = toProblem(err, lang);
        results.push({
          caseId: item.caseId,
          ok: false,
          version: null,
          stage: null,
          code: err.code,
          message: problem.detail,
          reason: problem.details,
        });
      }
    }
    return { results };
  });
}
