import type { TokenPair } from '@jiangxin/shared/api/accounts';
import { platformFee } from '@jiangxin/shared/money';
import type { CustomerPage, OrderPage } from '@jiangxin/shared/ops/drilldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, uniqueName } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { idem } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';

/**
 * The drill-down pages over HTTP: a customer with orders on both sides, a payout, a dispute, a report
 * each way, a support chat and a sanction, all on one page for every staff role with personal data
 * masked; an order with its timeline, its money movements from the ledger and its cases.
 */
let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
const PRICE = 20_000;
interface Person {
  api: ApiClient;
  userId: number;
}
let client: Person;
let freelancer: Person;
let completedOrderId: number;
let disputedOrderId: number;

async function register(nickname: string, userType: 'client' | 'freelancer', phone: string): Promise<Person> {
  const api = new ApiClient(t.url);
  const res = await api.post<TokenPair>('/auth/register', {
    username: uniqueName(userType),
    password: 'correct-horse-1',
    nickname,
    userType,
    phone,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { api: api.as(res.body.accessToken), userId: res.body.user.id };
}

beforeAll(async () => {
  t = await startTestApp({ payments: true, env: { SWEEP_INTERVAL_SECONDS: '0' } });
  team = await signUpStaffTeam(t);
  client = await register('王女士', 'client', '13900139000');
  freelancer = await register('小鱼设计工作室', 'freelancer', '13700137000');
  await t.db.write
    .updateTable('users')
    .set({ real_name_status: 'verified' })
    .where('id', '=', freelancer.userId)
    .execute();
  const { serviceId } = await insertPublishedService(t, freelancer.userId, {
    prices: [PRICE, PRICE * 2, PRICE * 3],
  });
  completedOrderId = (await orderThroughCommands(t, { serviceId, clientId: client.userId })).id;
  disputedOrderId = (
    await orderThroughCommands(t, { serviceId, clientId: client.userId, status: 'delivered' })
  ).id;
  const disputed = await client.api.post(`/orders/${disputedOrderId}/dispute`, {
    reason: '交付的设计与需求完全不符，沟通后对方拒绝修改',
  });
  expect(disputed.status, JSON.stringify(disputed.body)).toBe(200);
  const withdrawal = await freelancer.api.post(
    '/wallet/withdrawals',
    { amountFen: 10_000, channel: 'alipay', account: { name: '于小鱼', number: 'payee@example.com' } },
    idem(),
  );
  expect(withdrawal.status, JSON.stringify(withdrawal.body)).toBe(201);
  const report = await client.api.post('/reports', {
    targetType: 'user',
    targetId: freelancer.userId,
    reason: 'fraud',
    detail: '要求私下转账',
  });
  expect(report.status, JSON.stringify(report.body)).toBeLessThan(300);
  const chat = await client.api.post('/support/conversations', {
    subject: '纠纷进度咨询',
    message: '你好，我的纠纷什么时候处理？',
    orderId: disputedOrderId,
  });
  expect(chat.status, JSON.stringify(chat.body)).toBe(201);
  const sanction = await team.moderator.api.post(`/ops/users/${freelancer.userId}/sanctions`, {
    kind: 'warn',
    reason: 'spam',
  });
  expect(sanction.status, JSON.stringify(sanction.body)).toBe(201);
});
afterAll(() => t?.close());

describe('the customer page', () => {
  it('shows a freelancer’s orders, payout, dispute, report against them and sanction, phone masked, for every role', async () => {
    for (const member of [team.moderator, team.finance, team.support, team.admin]) {
      const res = await member.api.get<CustomerPage>(`/ops/customers/${freelancer.userId}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const page = res.body;
      expect(page.profile).toMatchObject({
        id: freelancer.userId,
        nickname: '小鱼设计工作室',
        isFreelancer: true,
        status: 'active',
        phone: '137****7000',
      });
      // Masked for every role, admin included: the clear number only through the audited reveal.
      expect(JSON.stringify(page)).not.toContain('13700137000');
      expect(page.orders.total).toBe(2);
      expect(page.orders.items.map((o) => o.id)).toEqual([disputedOrderId, completedOrderId]);
      expect(page.orders.items[0]).toMatchObject({
        role: 'freelancer',
        status: 'disputed',
        amountFen: PRICE,
        counterpart: { id: client.userId, nickname: '王女士' },
      });
      expect(page.payouts).toMatchObject({
        total: 1,
        items: [{ amountFen: 10_000, channel: 'alipay', status: 'pending_review', case: { kind: 'payout' } }],
      });
      expect(JSON.stringify(page.payouts)).not.toContain('payee@example.com');
      expect(page.disputes).toMatchObject({
        total: 1,
        items: [
          {
            orderId: disputedOrderId,
            role: 'freelancer',
            openedByCustomer: false,
            status: 'open',
            case: { kind: 'dispute', status: 'open' },
          },
        ],
      });
      expect(page.reports).toMatchObject({
        total: 1,
        items: [
          {
            direction: 'against',
            targetType: 'user',
            reasonText: { zh: '欺诈', en: 'Fraud' },
            counterpart: { id: client.userId, nickname: '王女士' },
            case: { kind: 'report' },
          },
        ],
      });
      expect(page.sanctions).toMatchObject({
        total: 1,
        items: [{ kind: 'warn', status: 'active', reasonText: { zh: '垃圾广告' } }],
      });
      expect(page.payments.total).toBe(0);
      expect(page.supportChats.total).toBe(0);
    }
  });

  it('shows a client’s payments, the report they made and their support chat about an order', async () => {
    const res = await team.support.api.get<CustomerPage>(`/ops/customers/${client.userId}`);
    expect(res.status).toBe(200);
    const page = res.body;
    expect(page.profile.phone).toBe('139****9000');
    expect(page.orders.items.every((o) => o.role === 'client')).toBe(true);
    expect(page.payments.total).toBe(2);
    expect(page.payments.items.every((p) => p.status === 'succeeded' && p.amountFen === PRICE)).toBe(true);
    expect(page.reports.items).toMatchObject([
      { direction: 'by', counterpart: { id: freelancer.userId, nickname: '小鱼设计工作室' } },
    ]);
    expect(page.disputes.items).toMatchObject([{ role: 'client', openedByCustomer: true }]);
    const order = await t.db.read
      .selectFrom('orders')
      .select('order_number')
      .where('id', '=', disputedOrderId)
      .executeTakeFirstOrThrow();
    expect(page.supportChats).toMatchObject({
      total: 1,
      items: [
        {
          subject: '纠纷进度咨询',
          orderId: disputedOrderId,
          orderNumber: order.order_number,
          status: 'open',
          case: { kind: 'support_chat', status: 'open' },
        },
      ],
    });
  });

  it('bounds each list to the newest 50 with the total count', async () => {
    const someone = await register('多次警告用户', 'client', '13600136000');
    await t.db.write
      .insertInto('sanctions')
      .values(
        Array.from({ length: 53 }, (_, i) => ({
          user_id: someone.userId,
          kind: 'warn' as const,
          status: 'expired' as const,
          reason: 'spam',
          starts_at: new Date(Date.UTC(2026, 0, 1, 0, i)),
          created_by: team.moderator.userId,
        })),
      )
      .execute();
    const page = (await team.support.api.get<CustomerPage>(`/ops/customers/${someone.userId}`)).body;
    expect(page.sanctions.total).toBe(53);
    expect(page.sanctions.items).toHaveLength(50);
    const ids = page.sanctions.items.map((s) => s.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('refuses a bad id with 400 naming it, an unknown one with 404, and anyone not staff', async () => {
    const bad = await team.support.api.get('/ops/customers/abc');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['params.id']);
    expect((await team.support.api.get('/ops/customers/0')).status).toBe(400);
    expect((await team.support.api.get('/ops/customers/987654321')).status).toBe(404);
    expect((await client.api.get(`/ops/customers/${client.userId}`)).status).toBe(403);
    expect((await new ApiClient(t.url).get(`/ops/customers/${client.userId}`)).status).toBe(401);
  });
});

describe('the order page', () => {
  it('tells a completed order’s story: timeline with actors, money in and out of escrow with the fee', async () => {
    const res = await team.moderator.api.get<OrderPage>(`/ops/orders/${completedOrderId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body;
    expect(page.order).toMatchObject({
      id: completedOrderId,
      status: 'completed',
      tier: 'basic',
      amountFen: PRICE,
      client: { id: client.userId, nickname: '王女士' },
      freelancer: { id: freelancer.userId, nickname: '小鱼设计工作室' },
    });
    expect(page.timeline.items.map((e) => [e.action, e.actor.kind, e.toStatus])).toEqual([
      ['created', 'client', 'awaiting_payment'],
      ['mark_paid', 'system', 'pending_acceptance'],
      ['accept', 'freelancer', 'in_progress'],
      ['deliver', 'freelancer', 'delivered'],
      ['complete', 'client', 'completed'],
    ]);
    expect(page.timeline.items[2]!.actor).toEqual({
      kind: 'freelancer',
      id: freelancer.userId,
      nickname: '小鱼设计工作室',
    });
    const fee = platformFee(PRICE, 1000);
    const feeNow = page.order.platformFeeFen ?? fee;
    expect(page.money.items.map((j) => [j.kind, j.lines])).toEqual([
      ['order_payment', [{ movement: 'escrow_freeze', amountFen: PRICE }]],
      [
        'order_release',
        [
          { movement: 'escrow_out', amountFen: PRICE },
          { movement: 'freelancer_earning', amountFen: PRICE - feeNow },
          ...(feeNow > 0 ? [{ movement: 'platform_fee', amountFen: feeNow }] : []),
        ],
      ],
    ]);
    expect(page.money.escrowFen).toBe(0);
    expect(page.payments.items).toMatchObject([{ status: 'succeeded', amountFen: PRICE }]);
    expect(page.cases.total).toBe(0);
  });

  it('lists the cases about a disputed order, without the titles of kinds the role may not open', async () => {
    const asSupport = (await team.support.api.get<OrderPage>(`/ops/orders/${disputedOrderId}`)).body;
    expect(asSupport.money.escrowFen).toBe(PRICE);
    expect(asSupport.timeline.items.at(-1)).toMatchObject({
      action: 'dispute',
      fromStatus: 'delivered',
      toStatus: 'disputed',
      actor: { kind: 'client', id: client.userId },
    });
    expect(asSupport.cases.items.map((c) => c.kind).sort()).toEqual(['dispute', 'support_chat']);
    expect(asSupport.cases.items.every((c) => c.title !== null)).toBe(true);
    const asFinance = (await team.finance.api.get<OrderPage>(`/ops/orders/${disputedOrderId}`)).body;
    const chat = asFinance.cases.items.find((c) => c.kind === 'support_chat');
    expect(chat?.title).toBeNull();
    expect(asFinance.cases.items.find((c) => c.kind === 'dispute')?.title).toContain('纠纷');
  });

  it('refuses a bad id with 400 naming it, an unknown one with 404, and a marketplace user', async () => {
    const bad = await team.finance.api.get('/ops/orders/JX1');
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['params.id']);
    expect((await team.finance.api.get('/ops/orders/987654321')).status).toBe(404);
    expect((await client.api.get(`/ops/orders/${completedOrderId}`)).status).toBe(403);
  });
});
