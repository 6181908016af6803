import type { JiangxinClient } from '@jiangxin/client';
import { ORDER_STATUSES } from '@jiangxin/shared/orders';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, pathId, signUp, typed } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { eventually, idem, openPayPage, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';

/**
 * The seed's §4 order flow end to end over HTTP: order, pay in the sandbox gateway (signed async
 * notification), freeze escrow, accept, deliver with a file, revise, accept delivery, release minus
 * the platform fee — and the ways it can go wrong. The calls go through the typed API client generated
 * from the core's OpenAPI document, so every field read here is one the document promises.
 */
let t: TestApp;
let api: ApiClient;
let client: Awaited<ReturnType<typeof signUp>>;
let freelancer: Awaited<ReturnType<typeof signUp>>;
/** The client and the freelancer through the typed client. */
let buyer: JiangxinClient;
let seller: JiangxinClient;
let serviceId: number;
let prices: Record<string, number>;

beforeAll(async () => {
  t = await startTestApp({ payments: true, env: { SWEEP_INTERVAL_SECONDS: '0' } });
  api = new ApiClient(t.url);
  client = await signUp(api, { userType: 'client', nickname: '王女士' });
  freelancer = await signUp(api, { userType: 'freelancer', nickname: '小鱼设计工作室' });
  ({ serviceId, prices } = await insertPublishedService(t, freelancer.userId, { revisions: [1, 2, 3] }));
  buyer = typed(client.api);
  seller = typed(freelancer.api);
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
    const created = await buyer.POST('/api/v1/orders', {
      params: { header: key },
      body: { serviceId, tier: 'standard', requirements: '公司LOGO，主色蓝色', paymentProvider: 'alipay' },
    });
    expect(created.response.status).toBe(201);
    const placed = created.data!;
    expect(placed.order).toMatchObject({
      status: 'awaiting_payment',
      amountFen: prices['standard'],
      allowedActions: ['cancel'],
    });
    expect(placed.order.orderNumber).toMatch(/^JX\d{8}\d{6,}$/);
    expect(placed.payment.payUrl).toContain(t.sandbox!.url);

    // The same request again is the same order; the same key with another body is refused.
    const again = await buyer.POST('/api/v1/orders', {
      params: { header: key },
      body: { serviceId, tier: 'standard', requirements: '公司LOGO，主色蓝色', paymentProvider: 'alipay' },
    });
    expect(again.response.status).toBe(200);
    expect(again.data?.order.id).toBe(placed.order.id);
    const reused = await buyer.POST('/api/v1/orders', {
      params: { header: key },
      body: { serviceId, tier: 'premium', paymentProvider: 'alipay' },
    });
    expect(reused.response.status).toBe(422);
    expect(reused.error?.code).toBe('idempotency_key_reused');
    const orderId = placed.order.id;
    const order = pathId(orderId);

    // The pay page is served by the sandbox.
    expect(await openPayPage(placed.payment.payUrl)).toContain('支付宝');

    t.sandbox!.pay(placed.payment.outTradeNo, 'alipay');
    const paid = await eventually(async () => {
      const r = await buyer.GET('/api/v1/orders/{id}', { params: order });
      return r.data?.status === 'pending_acceptance' ? r.data : null;
    });
    expect(paid.payments[0]).toMatchObject({ status: 'succeeded' });
    expect((await buyer.GET('/api/v1/wallet')).data).toMatchObject({
      availableFen: 0,
      frozenFen: prices['standard'],
    });

    // A duplicate notification changes nothing.
    const journalsBefore = (await checkLedger(t.db.read)).journals;
    await t.sandbox!.resend(placed.payment.outTradeNo, 'alipay');
    expect((await checkLedger(t.db.read)).journals).toBe(journalsBefore);

    const wrongSide = await buyer.POST('/api/v1/orders/{id}/accept', { params: order, body: {} });
    expect(wrongSide.response.status).toBe(409);
    expect(wrongSide.error?.code).toBe('invalid_transition');
    const outsider = typed((await signUp(api)).api);
    expect((await outsider.GET('/api/v1/orders/{id}', { params: order })).response.status).toBe(404);

    const accepted = await seller.POST('/api/v1/orders/{id}/accept', { params: order, body: {} });
    expect(accepted.response.status).toBe(200);
    expect(accepted.data?.status).toBe('in_progress');
    expect(accepted.data?.deliveryDeadline).not.toBeNull();

    const fileId = await uploadPng(freelancer.api);
    const delivered = await seller.POST('/api/v1/orders/{id}/deliver', {
      params: order,
      body: { message: '初稿已交付，请查收', fileIds: [fileId] },
    });
    expect(delivered.response.status).toBe(200);
    const deliveredFile = delivered.data!.deliveries[0]!.files[0]!;
    expect(deliveredFile).toMatchObject({ id: fileId, filename: '交付稿.png' });
    // The client (a party of the order) can download the delivered file.
    const download = await fetch(`${t.url}${deliveredFile.url}`, {
      headers: { authorization: `Bearer ${client.api.token}` },
    });
    expect(download.status).toBe(200);

    // Standard package allows 2 revisions.
    for (let i = 1; i <= 2; i++) {
      expect(
        (
          await buyer.POST('/api/v1/orders/{id}/request-revision', {
            params: order,
            body: { message: `第${i}次修改：颜色再深一点` },
          })
        ).data?.status,
      ).toBe('revision_requested');
      expect(
        (await seller.POST('/api/v1/orders/{id}/start-revision', { params: order, body: {} })).data?.status,
      ).toBe('in_progress');
      expect(
        (
          await seller.POST('/api/v1/orders/{id}/deliver', {
            params: order,
            body: { message: `第${i}次修改稿` },
          })
        ).data?.status,
      ).toBe('delivered');
    }
    const third = await buyer.POST('/api/v1/orders/{id}/request-revision', {
      params: order,
      body: { message: '再改一次' },
    });
    expect(third.response.status).toBe(409);
    expect(third.error?.code).toBe('revision_limit_reached');

    // Money-moving actions need an Idempotency-Key; retrying with the same key is harmless.
    const noKey = await buyer.POST('/api/v1/orders/{id}/complete', { params: order, body: {} });
    expect(noKey.error?.code, JSON.stringify(noKey.error)).toBe('idempotency_key_required');
    const completeKey = idem();
    const complete = () =>
      buyer.POST('/api/v1/orders/{id}/complete', { params: { ...order, header: completeKey }, body: {} });
    const completed = await complete();
    expect(completed.response.status).toBe(200);
    expect(completed.data).toMatchObject({
      status: 'completed',
      platformFeeFen: Math.floor(prices['standard']! / 10),
      allowedActions: [],
    });
    expect((await complete()).response.status).toBe(200);

    const fee = Math.floor(prices['standard']! / 10);
    expect((await seller.GET('/api/v1/wallet')).data).toMatchObject({
      availableFen: prices['standard']! - fee,
      totalEarnedFen: prices['standard']! - fee,
    });
    expect((await buyer.GET('/api/v1/wallet')).data).toMatchObject({ availableFen: 0, frozenFen: 0 });
    const history = await buyer.GET('/api/v1/wallet/transactions');
    expect(history.data?.items.map((i) => [i.type, i.amountFen, i.balanceAfterFen])).toEqual([
      ['payment', -prices['standard']!, 0],
      ['deposit', prices['standard'], prices['standard']],
    ]);
    const detail = await buyer.GET('/api/v1/orders/{id}', { params: order });
    expect(detail.data?.timeline.map((e) => e.action)).toEqual([
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
    const created = (
      await buyer.POST('/api/v1/orders', {
        params: { header: idem() },
        body: { serviceId, tier: 'basic', paymentProvider: 'alipay' },
      })
    ).data!;
    const outTradeNo = created.payment.outTradeNo;
    /** payment_notifications_total by provider and outcome, as /metrics shows it (what the alert rules read). */
    const counted = async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const n = (provider: string, outcome: string) =>
        Number(
          new RegExp(
            `^payment_notifications_total\\{provider="${provider}",outcome="${outcome}"\\} (\\d+)$`,
            'm',
          ).exec(text)?.[1] ?? NaN,
        );
      return {
        alipay: n('alipay', 'rejected'),
        wechat: n('wechat', 'rejected'),
        accepted: n('alipay', 'accepted'),
      };
    };
    const before = await counted();
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
    expect((await buyer.GET('/api/v1/orders/{id}', { params: pathId(created.order.id) })).data?.status).toBe(
      'awaiting_payment',
    );
    const logged = await t.db.read
      .selectFrom('payment_notifications')
      .select(['provider', 'outcome'])
      .where('outcome', '=', 'rejected')
      .execute();
    expect(logged.map((l) => l.provider)).toEqual(expect.arrayContaining(['alipay', 'wechat']));
    const after = await counted();
    expect(after.alipay - before.alipay).toBe(1);
    expect(after.wechat - before.wechat).toBe(1);
    expect(after.accepted).toBe(before.accepted);
  });

  it('lets the client retry after a failed payment, and refunds through the gateway when the freelancer declines', async () => {
    const created = (
      await buyer.POST('/api/v1/orders', {
        params: { header: idem() },
        body: { serviceId, tier: 'premium', paymentProvider: 'wechat' },
      })
    ).data!;
    const order = pathId(created.order.id);
    expect(created.payment.payUrl).toContain(t.sandbox!.url);
    t.sandbox!.fail(created.payment.outTradeNo, 'wechat');
    const failed = await eventually(async () => {
      const r = await buyer.GET('/api/v1/orders/{id}', { params: order });
      return r.data?.payments[0]?.status === 'failed' ? r.data : null;
    });
    expect(failed.status).toBe('awaiting_payment');
    const retry = await buyer.POST('/api/v1/orders/{id}/pay', {
      params: order,
      body: { paymentProvider: 'alipay' },
    });
    expect(retry.response.status).toBe(201);
    const repaid = retry.data!;
    expect(repaid.outTradeNo).not.toBe(created.payment.outTradeNo);
    await openPayPage(repaid.payUrl);
    t.sandbox!.pay(repaid.outTradeNo, 'alipay');
    await eventually(
      async () =>
        (await buyer.GET('/api/v1/orders/{id}', { params: order })).data?.status === 'pending_acceptance',
    );

    const declined = await seller.POST('/api/v1/orders/{id}/decline', {
      params: { ...order, header: idem() },
      body: { reason: '档期已满' },
    });
    expect(declined.data?.status).toBe('cancelled');
    await t.app.sweep();
    const refund = await t.db.read
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', created.order.id)
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
      await buyer.POST('/api/v1/orders', {
        params: { header: idem() },
        body: { serviceId, tier: 'basic', paymentProvider: 'alipay' },
      })
    ).data!.order;
    const { order: unaccepted } = await placePaidOrder(t, client.api, serviceId);
    const { order: delivered } = await placePaidOrder(t, client.api, serviceId);
    await seller.POST('/api/v1/orders/{id}/accept', { params: pathId(delivered.id), body: {} });
    await seller.POST('/api/v1/orders/{id}/deliver', {
      params: pathId(delivered.id),
      body: { message: '交付' },
    });

    t.clock.advance(8 * 86_400_000);
    await t.app.sweep();
    const statusOf = async (id: number) =>
      (await buyer.GET('/api/v1/orders/{id}', { params: pathId(id) })).data!;
    expect((await statusOf(unpaid.id)).status).toBe('cancelled');
    expect((await statusOf(unaccepted.id)).timeline.at(-1)?.action).toBe('expire_acceptance');
    expect((await statusOf(delivered.id)).timeline.at(-1)?.action).toBe('auto_complete');
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
      // Bodies the document forbids, on purpose: the cast lets the typed client send them.
      const res = await buyer.POST('/api/v1/orders', { params: { header: idem() }, body: body as never });
      expect(res.response.status, JSON.stringify(body)).toBe(400);
      expect(res.error?.errors?.map((e) => e.field).join(), JSON.stringify(body)).toContain(field);
    }
    expect(
      (await buyer.POST('/api/v1/orders', { body: { serviceId, tier: 'basic', paymentProvider: 'alipay' } }))
        .error?.code,
    ).toBe('idempotency_key_required');
    const own = await seller.POST('/api/v1/orders', {
      params: { header: idem() },
      body: { serviceId, tier: 'basic', paymentProvider: 'alipay' },
    });
    expect(own.error?.code).toBe('cannot_order_own_service');
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
