import { expect } from 'vitest';
import type { ApiClient } from './client';
import type { TestApp } from './harness';

let keyCounter = 0;
/** A fresh Idempotency-Key header. */
export function idem(): Record<string, string> {
  keyCounter += 1;
  return { 'idempotency-key': `test-${process.pid}-${Date.now()}-${keyCounter}` };
}

/** Polls `probe` until it returns a truthy value (or fails after `ms`). For effects of async notifications. */
export async function eventually<T>(probe: () => T | Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Places an order through the API and pays it in the sandbox; resolves once the core saw the payment. */
export async function placePaidOrder(
  t: TestApp,
  client: ApiClient,
  serviceId: number,
  opts: { tier?: string; provider?: 'alipay' | 'wechat' } = {},
) {
  const created = await client.post(
    '/orders',
    { serviceId, tier: opts.tier ?? 'basic', paymentProvider: opts.provider ?? 'alipay' },
    idem(),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await openPayPage(created.body.payment.payUrl);
  t.sandbox!.pay(created.body.payment.outTradeNo, opts.provider ?? 'alipay');
  const order = await eventually(async () => {
    const r = await client.get(`/orders/${created.body.order.id}`);
    return r.body.status === 'pending_acceptance' ? r.body : null;
  });
  return { order, payment: created.body.payment };
}

/** Opens the pay page as the client's browser would (Alipay learns of a page-pay trade only then). */
export async function openPayPage(payUrl: string): Promise<string> {
  const res = await fetch(payUrl);
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * A client reports a listing and a moderator claims the report's case from the ops queue (as the staff
 * queue does: the first report case, at its version). Returns the claimed case's id.
 */
export async function reportAndClaim(
  reporter: ApiClient,
  moderator: ApiClient,
  listingId: number,
  detail: string,
): Promise<number> {
  const report = await reporter.post('/reports', {
    targetType: 'listing',
    targetId: listingId,
    reason: 'fraud',
    detail,
  });
  expect(report.status, JSON.stringify(report.body)).toBe(201);
  const queue = await eventually(async () => {
    const r = await moderator.get('/ops/cases?kind=report');
    return r.status === 200 && r.body.items.length ? r.body.items : null;
  });
  const claimed = await moderator.post(`/ops/cases/${queue[0].id}/claim`, { version: queue[0].version });
  expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
  return queue[0].id;
}
