/**
 * One "paid order", end to end over HTTP: `POST /api/v1/orders` (Idempotency-Key) as a client, then the
 * client plays Alipay: it builds the async notification the gateway would send for that trade, signs it
 * RSA2 with the sandbox's Alipay *gateway* private key (so the core verifies a real signature with the
 * Alipay public key it is configured with) and POSTs it to `/api/v1/payments/alipay/notify`, which must
 * answer `success`. The sandbox's own notifier is not involved.
 */
import { type KeyObject, randomBytes, sign as signAsync } from 'node:crypto';
import type { Answer } from '@jiangxin/client';
import { fenToYuan } from '@jiangxin/shared/money';
import { alipaySignContent, shanghaiDateTime } from '../../core/src/modules/payments/protocol';
import { call } from './api';
import type { HttpClient } from './load';

export interface PaidOrderTarget {
  serviceIds: number[];
  /** Bearer tokens of the client users; worker w uses tokens w, w+50, w+100 … in turn. */
  clientTokens: string[];
  alipayAppId: string;
  /** The sandbox's Alipay gateway private key (`sandbox.secrets.alipayGatewayPrivateKey`). */
  gatewayKey: KeyObject;
}

/** RSA-SHA256 on libuv's thread pool, so signing does not stall the load generator's event loop. */
function rsaSignOffThread(message: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) =>
    signAsync('sha256', Buffer.from(message, 'utf8'), key, (err, sig) =>
      err ? reject(err) : resolve(sig.toString('base64')),
    ),
  );
}

/** The `trade_status_sync` notification Alipay sends for a paid page-pay trade (as the sandbox builds it). */
export async function signedAlipayNotification(
  t: { outTradeNo: string; amountFen: number; subject: string },
  appId: string,
  gatewayKey: KeyObject,
): Promise<string> {
  const now = shanghaiDateTime(new Date());
  const amount = fenToYuan(t.amountFen);
  const params: Record<string, string> = {
    notify_time: now,
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    app_id: appId,
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    trade_no: `2026${randomBytes(12).toString('hex')}`,
    out_trade_no: t.outTradeNo,
    buyer_id: '2088102177846880',
    buyer_logon_id: 'ben***@sandbox.com',
    seller_id: '2088102177296610',
    trade_status: 'TRADE_SUCCESS',
    total_amount: amount,
    receipt_amount: amount,
    buyer_pay_amount: amount,
    subject: t.subject,
    gmt_create: now,
    gmt_payment: now,
  };
  params.sign = await rsaSignOffThread(alipaySignContent(params, ['sign', 'sign_type']), gatewayKey);
  return new URLSearchParams(params).toString();
}

type CreatedOrder = Answer<'/api/v1/orders', 'post'>;

/** Runs one paid order; returns the part latencies in ms (create, sign, notify). */
export async function paidOrder(
  http: HttpClient,
  target: PaidOrderTarget,
  worker: number,
  n: number,
  concurrency: number,
  /** Runs between the two requests (the statement counter takes a snapshot there). */
  between?: () => Promise<void>,
): Promise<{ created: CreatedOrder; parts: Record<string, number>; token: string }> {
  const tokens = target.clientTokens;
  const token = tokens[(worker + concurrency * n) % tokens.length]!;
  const serviceId = target.serviceIds[(n * 7919 + worker) % target.serviceIds.length]!;
  const tier = (['basic', 'standard', 'premium'] as const)[n % 3]!;
  const t0 = performance.now();
  const res = await call(http, 'post', '/api/v1/orders', {
    headers: {
      authorization: `Bearer ${token}`,
      'idempotency-key': `bench-${worker}-${n}-${randomBytes(6).toString('hex')}`,
    },
    body: { serviceId, tier, paymentProvider: 'alipay', requirements: '请按套餐内容交付' },
  });
  const t1 = performance.now();
  if (res.status !== 201) throw new Error(`POST /orders: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  const created = res.json();
  if (!created.payment.payUrl) throw new Error(`order ${created.order.id}: no pay URL (gateway call failed)`);
  const body = await signedAlipayNotification(
    {
      outTradeNo: created.payment.outTradeNo,
      amountFen: created.payment.amountFen,
      subject: `匠心订单 ${created.order.serviceTitle}`.slice(0, 120),
    },
    target.alipayAppId,
    target.gatewayKey,
  );
  if (between) await between();
  const t2 = performance.now();
  const ack = await http.request('POST', '/api/v1/payments/alipay/notify', {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const t3 = performance.now();
  if (ack.status !== 200 || ack.body !== 'success')
    throw new Error(`notify ${created.payment.outTradeNo}: HTTP ${ack.status} ${ack.body.slice(0, 200)}`);
  return { created, parts: { create: t1 - t0, sign: t2 - t1, notify: t3 - t2 }, token };
}
