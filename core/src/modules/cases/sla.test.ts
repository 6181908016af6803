import type { CaseKind } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness';
import { changeCase, openCase } from './commands';
import { getCaseRow, lockCase } from './queries';
import { escalateOverdueCases } from './sla';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

let subject = 1000;
async function open(kind: CaseKind, priority = 1) {
  subject += 1;
  return t.db.transact((tx) =>
    openCase(t.ctx, tx, {
      kind,
      subjectType: 'user',
      subjectId: subject,
      stage: 'open',
      title: '测试工单',
      priority,
    }),
  );
}

describe('SLA escalation', () => {
  it('escalates open and waiting cases past their deadline once, by the system, and leaves the rest', async () => {
    const overdue = await open('report', 1);
    const urgent = await open('report', 3);
    const waiting = await open('support_chat', 0);
    const resolved = await open('report', 1);
    await t.db.transact(async (tx) => {
      await changeCase(t.ctx, tx, (await lockCase(tx, waiting.id))!, null, 'waiting', { status: 'waiting' });
      await changeCase(t.ctx, tx, (await lockCase(tx, resolved.id))!, null, 'resolved', {
        status: 'resolved',
      });
    });

    // Nothing is due yet.
    expect(await escalateOverdueCases(t.ctx)).toBe(0);

    const latest = Math.max(...[overdue, urgent, waiting].map((c) => Date.parse(c.slaDueAt!)));
    t.clock.advance(latest - Date.now() + 60_000);
    const later = await open('dispute', 1); // its own SLA (72 h) starts now: not due

    const eventsBefore = await t.db.write
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'case.upserted')
      .executeTakeFirstOrThrow();
    await t.app.sweep();

    const row = async (id: number) => (await getCaseRow(t.db.read, id))!;
    expect(await row(overdue.id)).toMatchObject({
      sla_breached: true,
      priority: 2,
      version: overdue.version + 1,
    });
    expect((await row(overdue.id)).flags).toContain('sla_breached');
    expect(await row(urgent.id)).toMatchObject({ sla_breached: true, priority: 3 });
    expect(await row(waiting.id)).toMatchObject({ sla_breached: true, priority: 1, status: 'waiting' });
    expect(await row(resolved.id)).toMatchObject({ sla_breached: false });
    expect(await row(later.id)).toMatchObject({ sla_breached: false, priority: 1 });
    const history = await t.db.write
      .selectFrom('case_history')
      .select(['case_id', 'actor_id', 'note'])
      .where('action', '=', 'sla_breached')
      .where('case_id', 'in', [overdue.id, urgent.id, waiting.id])
      .execute();
    expect(history).toHaveLength(3);
    for (const h of history) {
      expect(h.actor_id).toBeNull();
      expect(h.note).toMatch(/SLA/);
    }
    const eventsAfter = await t.db.write
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('type', '=', 'case.upserted')
      .executeTakeFirstOrThrow();
    expect(Number(eventsAfter.n) - Number(eventsBefore.n)).toBe(3);

    // Exactly once: running again (twice at the same time) changes nothing.
    t.clock.advance(3_600_000);
    const again = await Promise.all([escalateOverdueCases(t.ctx), escalateOverdueCases(t.ctx)]);
    expect(again).toEqual([0, 0]); // the dispute opened later has 72 h
    expect(await row(overdue.id)).toMatchObject({ version: overdue.version + 1, priority: 2 });

    // A reopened case gets a fresh deadline and a clean slate.
    const reopened = await t.db.transact(async (tx) =>
      changeCase(t.ctx, tx, (await lockCase(tx, overdue.id))!, null, 'reopened', { restartSla: true }),
    );
    expect(reopened.slaBreached).toBe(false);
    expect(reopened.flags).not.toContain('sla_breached');
  });
});
