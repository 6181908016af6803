import { hasPermission } from '@jiangxin/shared/permissions';
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import { notFound } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import {
  actionBlocker,
  assignCase,
  claimCase,
  holdRefusal,
  performCaseAction,
  releaseCase,
} from './commands';
import { caseHistory, getCaseRow, listCases, staffName, toCaseSummary, visibleKinds } from './queries';
import { caseKindHandler } from './registry';
import { syncCases } from './sync';

/** The optional `Idempotency-Key` of a case write (the console's outbox sends one with every action). */
function onceKey(req: Pick<FastifyRequest, 'headers'>): string | undefined {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** The ops queue: list, open, claim/release/assign, perform an action; and the sync route. */
export async function registerCasesRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'listCases', async (req) => listCases(ctx.db.fresh, req.staff, req.query));

  opsRoute(app, 'getCase', async (req) => {
    const { staff } = req;
    const c = await getCaseRow(ctx.db.fresh, req.params.id);
    if (!c || !visibleKinds(staff).includes(c.kind)) throw notFound({ zh: '工单不存在', en: 'No such case' });
    const handler = caseKindHandler(c.kind);
    const offers = [
      ...(['claim', 'release', 'assign'] as const).map((op) => {
        const refusal = holdRefusal(c, staff, op);
        // Claiming a case you already hold changes nothing, so it is not offered.
        const alreadyMine = op === 'claim' && c.assignee_id === staff.userId;
        return { action: op, available: refusal === null && !alreadyMine, reason: refusal?.reason ?? null };
      }),
      ...Object.entries(handler?.actions ?? {})
        .filter(([, def]) => hasPermission(staff.roles, def.permission))
        .map(([name]) => {
          const blocker = actionBlocker(c, staff, name);
          return { action: name, available: blocker === null, reason: blocker };
        }),
    ];
    return {
      case: toCaseSummary(c, await staffName(ctx.db.fresh, c.assignee_id)),
      history: await caseHistory(ctx.db.fresh, c.id),
      actions: offers,
      detail: handler?.detail ? await handler.detail(ctx, ctx.db.fresh, c, staff) : {},
    };
  });

  opsRoute(app, 'claimCase', async (req) =>
    claimCase(ctx, req.staff, req.params.id, req.body.version, onceKey(req)),
  );
  opsRoute(app, 'releaseCase', async (req) =>
    releaseCase(ctx, req.staff, req.params.id, req.body, onceKey(req)),
  );
  opsRoute(app, 'assignCase', async (req) =>
    assignCase(ctx, req.staff, req.params.id, req.body, onceKey(req)),
  );
  opsRoute(app, 'performCaseAction', async (req) =>
    performCaseAction(ctx, req.staff, req.params.id, req.params.action, req.body, onceKey(req)),
  );
  opsRoute(app, 'syncCases', async (req) => syncCases(ctx.db.fresh, ctx.pii, req.staff, req.query));
}
