import type { auditVerificationSchema } from '@jiangxin/shared/ops/audit';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { verifyAuditChain } from './chain';

/** Reading the audit log and checking its hash chain (`audit.view`). */
export async function registerAuditRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'listAudit', async (req) => {
    const q = req.query;
    let query = ctx.db.read
      .selectFrom('audit_log as l')
      .leftJoin('users as u', 'u.id', 'l.actor_id')
      .selectAll('l')
      .select('u.nickname');
    if (q.actorId) query = query.where('l.actor_id', '=', q.actorId);
    if (q.action) {
      query = /[.*]$/.test(q.action)
        ? query.where('l.action', 'like', `${q.action.replace(/\*$/, '')}%`)
        : query.where('l.action', '=', q.action);
    }
    if (q.subjectType) query = query.where('l.subject_type', '=', q.subjectType);
    if (q.subjectId) query = query.where('l.subject_id', '=', q.subjectId);
    if (q.maxId) query = query.where('l.id', '<=', q.maxId);
    if (q.from) query = query.where('l.at', '>=', new Date(q.from));
    if (q.to) query = query.where('l.at', '<', new Date(q.to));
    if (q.cursor) {
      const [id] = decodeCursor(q.cursor, 'audit', z.tuple([cursorId]));
      query = query.where('l.id', '<', id);
    }
    const rows = await query
      .orderBy('l.id', 'desc')
      .limit(q.limit + 1)
      .execute();
    const page = rows.slice(0, q.limit);
    return {
      items: page.map((r) => ({
        id: r.id,
        at: new Date(r.at).toISOString(),
        actorId: r.actor_id,
        actorName: r.nickname,
        action: r.action,
        subjectType: r.subject_type,
        subjectId: r.subject_id,
        data: r.data,
        prevHash: r.prev_hash,
        hash: r.hash,
      })),
      nextCursor: rows.length > q.limit ? encodeCursor('audit', [page.at(-1)!.id]) : null,
    };
  });

  opsRoute(
    app,
    'verifyAudit',
    async () => verifyAuditChain(ctx.db.read) as Promise<z.infer<typeof auditVerificationSchema>>,
  );
}
