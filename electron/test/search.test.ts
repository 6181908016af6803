import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCase } from '../../core/src/modules/cases/commands';
import { ApiClient, signUp } from '../../core/src/test/client';
import { insertPublishedService, orderThroughCommands } from '../../core/src/test/factories/catalog';
import { type StaffMember, signUpStaff } from '../../core/src/test/factories/staff';
import { startTestApp, type TestApp } from '../../core/src/test/harness';
import { type EngineUnderTest, openEngine, removeDir, until } from './support';

/**
 * Ctrl+K against a real core: the users and orders the cases name reach the cache with the sync route's
 * directory (snapshot pages, and a read after live cases), so they are found offline by username, phone
 * digits and order number — with the phone only as staff see it.
 */
let t: TestApp;
let support: StaffMember;
let e: EngineUnderTest | undefined;
let subject = 770_000;

beforeAll(async () => {
  t = await startTestApp();
  support = await signUpStaff(t, ['support'], '客服小陈');
});
afterAll(async () => {
  if (e) {
    await e.close();
    removeDir(e.dir);
  }
  await t?.close();
});

/** A client with a phone, an order of theirs in progress, and a dispute case naming both. */
async function disputeOf(username: string, nickname: string, phone: string) {
  const client = await signUp(new ApiClient(t.url), { username, nickname });
  const freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
  // Sealed as the core stores phones (personal data at rest).
  await t.db.write
    .updateTable('users')
    .set({ phone: t.ctx.pii.seal('users.phone', phone), phone_bidx: t.ctx.pii.blindIndex('phone', phone) })
    .where('id', '=', client.userId)
    .execute();
  const { serviceId } = await insertPublishedService(t, freelancer.userId);
  const order = await orderThroughCommands(t, { serviceId, clientId: client.userId, status: 'in_progress' });
  const c = await t.db.transact((tx) =>
    openCase(t.ctx, tx, {
      kind: 'dispute',
      subjectType: 'dispute',
      subjectId: subject++,
      stage: 'open',
      title: `订单 ${order.order_number} 纠纷`,
      userId: client.userId,
      orderId: order.id,
      summary: { orderNumber: order.order_number, clientId: client.userId, freelancerId: freelancer.userId },
    }),
  );
  return { userId: client.userId, order, caseId: c.id };
}

describe('find anything offline (Ctrl+K)', () => {
  it('finds users by username and phone and orders by number, synced before and live, with the core down', async () => {
    const before = await disputeOf('client001', '青柠', '13812345678');
    e = await openEngine(t.url);
    await e.call('auth.login', { login: support.username, password: 'correct-horse-1' });
    await until('online', async () => (await e!.call('sync.status')).state === 'online');
    const after = await disputeOf('client002', '橘子', '13900002222');

    const users = async (q: string) => (await e!.call('search.query', { q, limit: 20 })).users;
    await until('the live case’s user described', async () => (await users('client002')).length === 1);

    await t.stop();
    await until('offline', async () => (await e!.call('sync.status')).state !== 'online');

    expect(await users('client001')).toEqual([
      { id: before.userId, username: 'client001', nickname: '青柠', phone: '138****5678' },
    ]);
    expect((await users('5678')).map((u) => u.id)).toEqual([before.userId]);
    expect((await users('13812345678')).map((u) => u.id)).toEqual([before.userId]);
    expect(await users('client002')).toEqual([
      { id: after.userId, username: 'client002', nickname: '橘子', phone: '139****2222' },
    ]);
    const orders = (await e.call('search.query', { q: before.order.order_number, limit: 20 })).orders;
    expect(orders).toEqual([
      {
        id: before.order.id,
        orderNumber: before.order.order_number,
        status: 'in_progress',
        amountFen: before.order.amount_fen,
      },
    ]);
    expect((await e.call('search.query', { q: `#${after.caseId}`, limit: 20 })).cases[0]?.id).toBe(
      after.caseId,
    );
    // The clear numbers never reached the console.
    const all = JSON.stringify(await e.call('search.query', { q: '1', limit: 50 }));
    expect(all).not.toContain('13812345678');
    expect(all).not.toContain('13900002222');
    await t.restart();
  });
});
