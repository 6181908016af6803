import type { CaseFlag } from '@jiangxin/shared/ops/cases';
import type { AppContext } from '../../platform/context';
import { changeCase } from './commands';
import { lockCase } from './queries';

/**
 * Escalates open and waiting cases past their SLA deadline: flags them `sla_breached`, raises the
 * priority one step (up to urgent) and writes a system history line and a `case.upserted` event. Each
 * case is its own transaction under its row lock and is re-checked there, so a case is escalated once
 * however many instances run this at the same time; a reopened case gets a new deadline and may breach
 * again. Returns how many cases it escalated.
 */
export async function escalateOverdueCases(ctx: AppContext, limit = 500): Promise<number> {
  const now = ctx.now();
  const due = await ctx.db.write
    .selectFrom('cases')
    .select('id')
    .where('status', 'in', ['open', 'waiting'])
    .where('sla_breached', '=', false)
    .where('sla_due_at', '<=', now)
    .orderBy('sla_due_at')
    .limit(limit)
    .execute();
  let escalated = 0;
  for (const { id } of due) {
    const done = await ctx.db.transact(async (tx) => {
      const c = await lockCase(tx, id);
      if (!c || c.status === 'resolved' || c.sla_breached || !c.sla_due_at) return false;
      if (new Date(c.sla_due_at).getTime() > now.getTime()) return false;
      const overdueMinutes = Math.floor((now.getTime() - new Date(c.sla_due_at).getTime()) / 60_000);
      await changeCase(ctx, tx, c, null, 'sla_breached', {
        slaBreached: true,
        priority: Math.min(3, c.priority + 1),
        flags: [...new Set([...(c.flags as CaseFlag[]), 'sla_breached' as const])],
        note: `超过处理时限（SLA）${overdueMinutes} 分钟，已自动升级优先级`,
        data: { slaDueAt: new Date(c.sla_due_at).toISOString(), fromPriority: c.priority },
      });
      return true;
    });
    if (done) escalated += 1;
  }
  return escalated;
}
