import type { OpsSyncResponse } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { type StaffMember, signUpStaffTeam } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';
import { openCase } from './commands';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;

async function syncAll(staff: StaffMember): Promise<OpsSyncResponse[]> {
  const pages: OpsSyncResponse[] = [];
  let cursor = 0;
  for (;;) {
    const r = await staff.api.get<OpsSyncResponse>(`/ops/sync?after=${cursor}&limit=50`);
    expect(r.status).toBe(200);
    pages.push(r.body);
    cursor = r.body.nextSeq;
    if (!r.body.hasMore) return pages;
  }
}

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
});
afterAll(() => t?.close());

describe('the sync route names the users and orders of its cases (for the console offline search)', () => {
  it('with the username, the phone masked as staff see it, and the order number and status', async () => {
    const client = await signUp(new ApiClient(t.url), { username: 'searchclient01', nickname: '青柠' });
    const freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer', nickname: '设计师阿木' });
    await t.db.write
      .updateTable('users')
      .set({
        phone: t.ctx.pii.seal('users.phone', '13812345678'),
        phone_bidx: t.ctx.pii.blindIndex('phone', '13812345678'),
      })
      .where('id', '=', client.userId)
      .execute();
    const { serviceId } = await insertPublishedService(t, freelancer.userId);
    const order = await orderThroughCommands(t, {
      serviceId,
      clientId: client.userId,
      status: 'in_progress',
    });
    const opened = await t.db.transact((tx) =>
      openCase(t.ctx, tx, {
        kind: 'dispute',
        subjectType: 'dispute',
        subjectId: 990_001,
        stage: 'open',
        title: `订单 ${order.order_number} 纠纷`,
        userId: client.userId,
        orderId: order.id,
        summary: {
          orderNumber: order.order_number,
          clientId: client.userId,
          freelancerId: freelancer.userId,
        },
      }),
    );

    // The sync reads the sequenced event log, and the dispatcher sequences a just-opened case's event
    // shortly after its commit: read again until the dispute is there (on a loaded machine it was not).
    const hasDispute = (pages: OpsSyncResponse[]) =>
      pages.some((p) => p.changes.some((c) => c.op === 'upsert' && c.case.id === opened.id));
    for (const member of [team.moderator, team.support, team.finance]) {
      let pages = await syncAll(member);
      for (let i = 0; i < 100 && !hasDispute(pages); i++) {
        await new Promise((r) => setTimeout(r, 100));
        pages = await syncAll(member);
      }
      expect(hasDispute(pages), 'the dispute reaches the sync').toBe(true);
      const users = pages.flatMap((p) => p.directory?.users ?? []);
      const orders = pages.flatMap((p) => p.directory?.orders ?? []);
      expect(users).toContainEqual({
        id: client.userId,
        username: 'searchclient01',
        nickname: '青柠',
        phoneMasked: '138****5678',
      });
      expect(users).toContainEqual(
        expect.objectContaining({ id: freelancer.userId, nickname: '设计师阿木', phoneMasked: null }),
      );
      expect(orders).toContainEqual({
        id: order.id,
        orderNumber: order.order_number,
        status: 'in_progress',
        amountFen: order.amount_fen,
      });
      // The clear number never leaves the core in bulk.
      expect(JSON.stringify(pages)).not.toContain('13812345678');
    }
  });
});
