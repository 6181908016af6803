import { ORDER_STATUSES } from '@jiangxin/shared/orders';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { eventually, idem, openPayPage, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';

/**
 * The seed's §4 order flow end to end over HTTP: order, pay in the sandbox gateway (signed async
 * notification), freeze escrow, accept, deliver with a file, revise, accept delivery, release minus
 * the platform fee — and the ways it can go wrong.
 */
let t: TestApp;
let api: ApiClient;
let client: Awaited<ReturnType<typeof signUp>>;
let freelancer: Awaited<ReturnType<typeof signUp>>;
let serviceId: number;
let prices: Record<string, number>;

beforeAll(async () => {
  t = await startTestApp({ payments: true, env: { SWEEP_INTERVAL_SECONDS: '0' } });
  api = new ApiClient(t.url);
  client = await signUp(api, { userType: 'client', nickname: '王女士' });
  freelancer = await signUp(api, { userType: 'freelancer', nickname: '小鱼设计工作室' });
  ({ serviceId, prices } = await insertPublishedService(t, freelancer.userId, { revisions: [1, 2, 3] }));
});
afterAll(() => t?.close());

async function uploadPng(who: ApiClient): Promise<number> {
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100ffff03000006000557bfab0000000049454e44ae426082',
    'hex',
  );
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), '交付稿.png');
  const res = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

describe('order flow (seed §4) through HTTP with the sandbox gateway', () => {
  it('orders, pays, delivers, revises, completes and pays the freelancer minus the fee', async () => {
    const socket: Socket = io(t.url, { auth: { token: freelancer.api.token }, transports: ['websocket'] });
    const live: { type: string; payload: { action?: string } }[] = [];
    socket.on('event', (e) => live.push(e));
    await eventually(async () => socket.connected);

    const key = idem();
    const created = await client.api.post(
      '/orders',
      { serviceId, tier: 'standard', requirements: '公司LOGO，主色蓝色', paymentProvider: 'alipay' },
      key,
    );
    expect(created.status).toBe(201);
    expect(created.body.order).toMatchObject({
      status: 'awaiting_payment',
      amountFen: prices['standard'],
      allowedActions: ['cancel'],
    });
    expect(created.body.order.orderNumber).toMatch(/^JX\d{8}\d{6,}$/);
    expect(created.body.payment.payUrl).toContain(t.sandbox!.url);

    // The same request again is the same order; the same key with another body is refused.
    const again = await client.api.post(
      '/orders',
      { serviceId, tier: 'standard', requirements: '公司LOGO，主色蓝色', paymentProvider: 'alipay' },
      key,
    );
    expect(again.status).toBe(200);
    expect(again.body.order.id).toBe(created.body.order.id);
    const reused = await client.api.post(
      '/orders',
      { serviceId, tier: 'premium', paymentProvider: 'alipay' },
      key,
    );
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    const orderId = created.body.order.id;

    // The pay page is served by the sandbox.
    expect(await openPayPage(created.body.payment.payUrl)).toContain('支付宝');

    t.sandbox!.pay(created.body.payment.outTradeNo, 'alipay');
    const paid = await eventually(async () => {
      const r = await client.api.get(`/orders/${orderId}`);
      return r.body.status === 'pending_acceptance' ? r.body : null;
    });
    expect(paid.payments[0]).toMatchObject({ status: 'succeeded' });
    expect((await client.api.get('/wallet')).body).toMatchObject({
      availableFen: 0,
      frozenFen: prices['standard'],
    });

    // A duplicate notification changes nothing.
    const journalsBefore = (await checkLedger(t.db.read)).journals;
    await t.sandbox!.resend(created.body.payment.outTradeNo, 'alipay');
    expect((await checkLedger(t.db.read)).journals).toBe(journalsBefore);

    const act = (who: ApiClient, path: string, body: unknown = {}, headers?: Record<string, string>) =>
      who.post(`/orders/${orderId}/${path}`, body, headers);
    const wrongSide = await act(client.api, 'accept');
    expect(wrongSide.status).toBe(409);
    expect(wrongSide.body.code).toBe('invalid_transition');
    const outsider = await signUp(api);
    expect((await outsider.api.get(`/orders/${orderId}`)).status).toBe(404);

    const accepted = await act(freelancer.api, 'accept');
    expect(accepted.status).toBe(200);
    expect(accepted.body.status).toBe('in_progress');
    expect(accepted.body.deliveryDeadline).not.toBeNull();

    const fileId = await uploadPng(freelancer.api);
    const delivered = await act(freelancer.api, 'deliver', {
      message: '初稿已交付，请查收',
      fileIds: [fileId],
    });
    expect(delivered.status).toBe(200);
    expect(delivered.body.deliveries[0].files[0]).toMatchObject({ id: fileId, filename: '交付稿.png' });
    // The client (a party of the order) can download the delivered file.
    const download = await fetch(`${t.url}${delivered.body.deliveries[0].files[0].url}`, {
      headers: { authorization: `Bearer ${client.api.token}` },
    });
    expect(download.status).toBe(200);

    // Standard package allows 2 revisions.
    for (let i = 1; i <= 2; i++) {
      expect(
        (await act(client.api, 'request-revision', { message: `第${i}次修改：颜色再深一点` })).body.status,
      ).toBe('revision_requested');
      expect((await act(freelancer.api, 'start-revision')).body.status).toBe('in_progress');
      expect((await act(freelancer.api, 'deliver', { message: `第${i}次修改稿` })).body.status).toBe(
        'delivered',
      );
    }
    const third = await act(client.api, 'request-revision', { message: '再改一次' });
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('revision_limit_reached');

    // Money-moving actions need an Idempotency-Key; retrying with the same key is harmless.
    const noKey = await act(client.api, 'complete');
    expect(noKey.body.code, JSON.stringify(noKey.body)).toBe('idempotency_key_required');
    const completeKey = idem();
    const completed = await act(client.api, 'complete', {}, completeKey);
    expect(completed.status).toBe(200);
    expect(completed.body).toMatchObject({
      status: 'completed',
      platformFeeFen: Math.floor(prices['standard']! / 10),
      allowedActions: [],
    });
    expect((await act(client.api, 'complete', {}, completeKey)).status).toBe(200);

    const fee = Math.floor(prices['standard']! / 10);
    expect((await freelancer.api.get('/wallet')).body).toMatchObject({
      availableFen: prices['standard']! - fee,
      totalEarnedFen: prices['standard']! - fee,
    });
    expect((await client.api.get('/wallet')).body).toMatchObject({ availableFen: 0, frozenFen: 0 });
    const history = await client.api.get('/wallet/transactions');
    expect(
      history.body.items.map((i: { type: string; amountFen: number; balanceAfterFen: number }) => [
        i.type,
        i.amountFen,
        i.balanceAfterFen,
      ]),
    ).toEqual([
      ['payment', -prices['standard']!, 0],
      ['deposit', prices['standard'], prices['standard']],
    ]);
    const detail = await client.api.get(`/orders/${orderId}`);
    expect(detail.body.timeline.map((e: { action: string }) => e.action)).toEqual([
      'created',
      'mark_paid',
      'accept',
      'deliver',
      'request_revision',
      'start_revision',
      'deliver',
      'request_revision',
      'start_revision',
      'deliver',
      'complete',
    ]);

    // The freelancer saw the order move live.
    await eventually(async () =>
      live.some((e) => e.type === 'order.status_changed' && e.payload.action === 'complete'),
    );
    expect(live.filter((e) => e.type === 'order.status_changed').map((e) => e.payload.action)).toEqual(
      expect.arrayContaining(['mark_paid', 'accept', 'deliver', 'complete']),
    );
    socket.close();
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
  });

  it('refuses forged, tampered and wrong-amount notifications and leaves the order unpaid', async () => {
    const created = await client.api.post(
      '/orders',
      { serviceId, tier: 'basic', paymentProvider: 'alipay' },
      idem(),
    );
    const outTradeNo = created.body.payment.outTradeNo;
    const forged = new URLSearchParams({
      app_id: t.sandbox!.credentials.alipay.appId,
      out_trade_no: outTradeNo,
      trade_no: 'FAKE1',
      total_amount: '199.00',
      trade_status: 'TRADE_SUCCESS',
      sign_type: 'RSA2',
      sign: Buffer.from('not a signature').toString('base64'),
    });
    const res = await fetch(`${t.url}/api/v1/payments/alipay/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: forged.toString(),
    });
    expect(await res.text()).toBe('failure');
    const wechatForged = await fetch(`${t.url}/api/v1/payments/wechat/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'x', resource: {} }),
    });
    expect(wechatForged.status).toBeGreaterThanOrEqual(400);
    expect((await client.api.get(`/orders/${created.body.order.id}`)).body.status).toBe('awaiting_payment');
    const logged = await t.db.read
      .selectFrom('payment_notifications')
      .select(['provider', 'outcome'])
      .where('outcome', '=', 'rejected')
      .execute();
    expect(logged.map((l) => l.provider)).toEqual(expect.arrayContaining(['alipay', 'wechat']));
  });

  it('lets the client retry after a failed payment, and refunds through the gateway when the freelancer declines', async () => {
    const created = await client.api.post(
      '/orders',
      { serviceId, tier: 'premium', paymentProvider: 'wechat' },
      idem(),
    );
    expect(created.body.payment.payUrl).toContain(t.sandbox!.url);
    t.sandbox!.fail(created.body.payment.outTradeNo, 'wechat');
    const failed = await eventually(async () => {
      const r = await client.api.get(`/orders/${created.body.order.id}`);
      return r.body.payments[0].status === 'failed' ? r.body : null;
    });
    expect(failed.status).toBe('awaiting_payment');
    const retry = await client.api.post(`/orders/${created.body.order.id}/pay`, {
      paymentProvider: 'alipay',
    });
    expect(retry.status).toBe(201);
    expect(retry.body.outTradeNo).not.toBe(created.body.payment.outTradeNo);
    await openPayPage(retry.body.payUrl);
    t.sandbox!.pay(retry.body.outTradeNo, 'alipay');
    await eventually(
      async () =>
        (await client.api.get(`/orders/${created.body.order.id}`)).body.status === 'pending_acceptance',
    );

    const declined = await freelancer.api.post(
      `/orders/${created.body.order.id}/decline`,
      { reason: '档期已满' },
      idem(),
    );
    expect(declined.body.status).toBe('cancelled');
    await t.app.sweep();
    const refund = await t.db.read
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', created.body.order.id)
      .executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ status: 'succeeded', amount_fen: prices['premium'] });
    const day = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10); // statements are per China day
    expect(
      t.sandbox!.statement(day).some((e) => e.kind === 'refund' && e.amountFen === prices['premium']),
    ).toBe(true);
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
  });

  it('cancels unpaid orders, refunds unaccepted ones and auto-completes delivered ones when their deadlines pass', async () => {
    const unpaid = (
      await client.api.post('/orders', { serviceId, tier: 'basic', paymentProvider: 'alipay' }, idem())
    ).body.order;
    const { order: unaccepted } = await placePaidOrder(t, client.api, serviceId);
    const { order: delivered } = await placePaidOrder(t, client.api, serviceId);
    await freelancer.api.post(`/orders/${delivered.id}/accept`);
    await freelancer.api.post(`/orders/${delivered.id}/deliver`, { message: '交付' });

    t.clock.advance(8 * 86_400_000);
    await t.app.sweep();
    const statusOf = async (id: number) => (await client.api.get(`/orders/${id}`)).body;
    expect((await statusOf(unpaid.id)).status).toBe('cancelled');
    expect((await statusOf(unaccepted.id)).timeline.at(-1).action).toBe('expire_acceptance');
    expect((await statusOf(delivered.id)).timeline.at(-1).action).toBe('auto_complete');
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
  });

  it('refuses bad order input with a problem naming the field and writes nothing', async () => {
    const before = (
      await t.db.read
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    const cases: [unknown, string][] = [
      [{ serviceId: -1, tier: 'basic', paymentProvider: 'alipay' }, 'body.serviceId'],
      [{ serviceId, tier: 'gold', paymentProvider: 'alipay' }, 'body.tier'],
      [{ serviceId, tier: 'basic', paymentProvider: 'paypal' }, 'body.paymentProvider'],
      [{ serviceId, tier: 'basic', paymentProvider: 'alipay', amountFen: 1 }, 'body'],
      [{ serviceId: 1.5, tier: 'basic', paymentProvider: 'alipay' }, 'body.serviceId'],
    ];
    for (const [body, field] of cases) {
      const res = await client.api.post('/orders', body, idem());
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).join(), JSON.stringify(body)).toContain(
        field,
      );
    }
    expect(
      (await client.api.post('/orders', { serviceId, tier: 'basic', paymentProvider: 'alipay' })).body.code,
    ).toBe('idempotency_key_required');
    const own = await freelancer.api.post(
      '/orders',
      { serviceId, tier: 'basic', paymentProvider: 'alipay' },
      idem(),
    );
    expect(own.body.code).toBe('cannot_order_own_service');
    const after = (
      await t.db.read
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
    expect(Number(after)).toBe(Number(before));
    expect(ORDER_STATUSES).toContain('disputed');
  });
});
