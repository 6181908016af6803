import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  caseAssignBodySchema,
  caseDetailSchema,
  caseListQuerySchema,
  casePageSchema,
  caseReleaseBodySchema,
  caseSummarySchema,
  caseVersionBodySchema,
  opsSyncQuerySchema,
  opsSyncResponseSchema,
} from '@jiangxin/shared/ops/cases';
import { hasPermission } from '@jiangxin/shared/permissions';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { requireStaff } from '../../platform/http/auth';
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

const tags = ['ops: cases'];
const security = [{ bearer: [] }];
const actionParamsSchema = idParamSchema.extend({ action: z.string().regex(/^[a-z_]{1,40}$/) });
/**
 * How deeply an action's fields may nest before the kind's own schema reads them (the deepest real one,
 * `uphold`'s `sanction`, is 2). The Idempotency-Key's request hash and the audit row walk the body
 * recursively, so 20,000 nested arrays overflowed the stack: a 500 instead of a 400.
 */
const ACTION_FIELD_MAX_DEPTH = 8;

/** Depth of a parsed JSON value (a scalar is 0), counted without recursion; stops past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return depth + 1;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const actionFieldSchema = z
  .unknown()
  .refine((v) => jsonDepth(v, ACTION_FIELD_MAX_DEPTH) <= ACTION_FIELD_MAX_DEPTH, {
    error: `must not nest deeper than ${ACTION_FIELD_MAX_DEPTH} levels`,
  });
const performBodySchema = caseVersionBodySchema.catchall(actionFieldSchema);
const performResponseSchema = z.object({
  case: caseSummarySchema,
  result: z.record(z.string(), z.unknown()),
});

/** The optional `Idempotency-Key` of a case write (the console's outbox sends one with every action). */
function onceKey(req: FastifyRequest): string | undefined {
  const key = req.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/** The ops queue: list, open, claim/release/assign, perform an action; and the sync route. */
export async function registerCasesRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/ops/cases',
    {
      schema: {
        tags,
        security,
        summary: '工单列表 Cases of the kinds you may see; filters, sort, cursor pages',
        querystring: caseListQuerySchema,
        response: { 200: casePageSchema },
      },
    },
    async (req) => listCases(ctx.db.read, requireStaff(req, 'cases.view'), req.query),
  );

  app.get(
    '/ops/cases/:id',
    {
      schema: {
        tags,
        security,
        summary: '工单详情 One case with its history, the actions you may take now and its kind’s detail',
        params: idParamSchema,
        response: { 200: caseDetailSchema },
      },
    },
    async (req) => {
      const staff = requireStaff(req, 'cases.view');
      const c = await getCaseRow(ctx.db.read, req.params.id);
      if (!c || !visibleKinds(staff).includes(c.kind))
        throw notFound({ zh: '工单不存在', en: 'No such case' });
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
        case: toCaseSummary(c, await staffName(ctx.db.read, c.assignee_id)),
        history: await caseHistory(ctx.db.read, c.id),
        actions: offers,
        detail: handler?.detail ? await handler.detail(ctx, ctx.db.read, c, staff) : {},
      };
    },
  );

  app.post(
    '/ops/cases/:id/claim',
    {
      schema: {
        tags,
        security,
        summary: '认领工单 Claim a case (409 with the holder if someone else has it, or on a stale version)',
        params: idParamSchema,
        body: caseVersionBodySchema,
        response: { 200: caseSummarySchema },
      },
    },
    async (req) =>
      claimCase(ctx, requireStaff(req, 'cases.view'), req.params.id, req.body.version, onceKey(req)),
  );

  app.post(
    '/ops/cases/:id/release',
    {
      schema: {
        tags,
        security,
        summary: '释放工单 Give a case you hold back to the queue',
        params: idParamSchema,
        body: caseReleaseBodySchema,
        response: { 200: caseSummarySchema },
      },
    },
    async (req) => releaseCase(ctx, requireStaff(req, 'cases.view'), req.params.id, req.body, onceKey(req)),
  );

  app.post(
    '/ops/cases/:id/assign',
    {
      schema: {
        tags,
        security,
        summary: '指派/转交工单 Assign an unclaimed case, or transfer one you hold, to a colleague',
        params: idParamSchema,
        body: caseAssignBodySchema,
        response: { 200: caseSummarySchema },
      },
    },
    async (req) => assignCase(ctx, requireStaff(req, 'cases.view'), req.params.id, req.body, onceKey(req)),
  );

  app.post(
    '/ops/cases/:id/perform/:action',
    {
      schema: {
        tags,
        security,
        summary:
          '执行工单操作 Perform an action of the case’s kind (approve, reject, request_changes, resolve, approve_payout …) with its version and fields',
        params: actionParamsSchema,
        body: performBodySchema,
        response: { 200: performResponseSchema },
      },
    },
    async (req) =>
      performCaseAction(
        ctx,
        requireStaff(req, 'cases.view'),
        req.params.id,
        req.params.action,
        req.body,
        onceKey(req),
      ),
  );

  app.get(
    '/ops/sync',
    {
      schema: {
        tags,
        security,
        summary:
          '同步工单 Case changes after a seq (after=0: a full snapshot), for the console’s offline cache',
        querystring: opsSyncQuerySchema,
        response: { 200: opsSyncResponseSchema },
      },
    },
    async (req) => syncCases(ctx.db.read, requireStaff(req, 'cases.view'), req.query),
  );
}
