import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../sandbox/index';
import { type ReceivedRequest, type Receiver, startReceiver } from '../../sandbox/testing';
import { AlipayGateway } from './alipay';
import { NotificationRejected, type VerifiedNotification } from './gateway';
import {
  alipaySignContent,
  GatewayResponseError,
  GatewayUnavailableError,
  parseFormStrict,
  rsaPrivateKey,
  rsaSign,
  shanghaiDate,
} from './protocol';

let sandbox: Sandbox;
let gateway: AlipayGateway;
let merchant: Receiver;
const verified: VerifiedNotification[] = [];
const rejected: NotificationRejected[] = [];

const no = (prefix: string) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`;

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 60_000 });
  gateway = new AlipayGateway(sandbox.credentials.alipay);
  // Our notify endpoint: verify, answer with the adapter's ack — what the core's route does.
  merchant = await startReceiver(async (req) => {
    try {
      verified.push(await gateway.verifyNotification({ headers: req.headers, rawBody: req.body }));
      const ack = gateway.ackSuccess();
      return { status: ack.status, body: ack.body, contentType: ack.contentType };
    } catch (err) {
      rejected.push(err as NotificationRejected);
      const ack = gateway.ackFailure((err as Error).message);
      return { status: ack.status, body: ack.body, contentType: ack.contentType };
    }
  });
});

afterAll(async () => {
  await sandbox?.close();
  await merchant?.close();
});

async function newPayment(amountFen = 8800, subject = '品牌标志设计 · 基础套餐') {
  const outTradeNo = no('JXA');
  const { payUrl } = await gateway.createPayment({
    outTradeNo,
    amountFen,
    subject,
    notifyUrl: `${merchant.url}/notify/alipay`,
  });
  return { outTradeNo, payUrl };
}

/** Opens the pay page like a browser does (which is what makes Alipay record the trade). */
async function open(payUrl: string) {
  const res = await fetch(payUrl);
  return { status: res.status, html: await res.text() };
}

async function paidNotification(): Promise<{ outTradeNo: string; request: ReceivedRequest }> {
  const { outTradeNo, payUrl } = await newPayment();
  await open(payUrl);
  const before = merchant.received.length;
  sandbox.pay(outTradeNo);
  await sandbox.notificationsSettled(outTradeNo);
  const request = merchant.received
    .slice(before)
    .find((r) => parseFormStrict(r.body)?.out_trade_no === outTradeNo);
  if (!request) throw new Error('no notification arrived');
  return { outTradeNo, request };
}

/** A notification form signed with `privateKeyPem` (the sandbox's real gateway key, or an attacker's). */
function signedForm(params: Record<string, string>, privateKeyPem: string): string {
  const p = { ...params };
  delete p.sign;
  p.sign = rsaSign(alipaySignContent(p, ['sign', 'sign_type']), rsaPrivateKey(privateKeyPem));
  return new URLSearchParams(p).toString();
}

async function rejection(rawBody: string): Promise<NotificationRejected> {
  const err = await gateway.verifyNotification({ headers: {}, rawBody }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(NotificationRejected);
  return err as NotificationRejected;
}

describe('AlipayGateway.createPayment against the sandbox', () => {
  it('builds a signed alipay.trade.page.pay URL that opens the sandbox cashier', async () => {
    const { outTradeNo, payUrl } = await newPayment(8800, '品牌标志设计 <基础>');
    const url = new URL(payUrl);
    expect(`${url.origin}${url.pathname}`).toBe(sandbox.credentials.alipay.gatewayUrl);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({
      method: 'alipay.trade.page.pay',
      charset: 'utf-8',
      sign_type: 'RSA2',
      version: '1.0',
    });
    expect(q.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(JSON.parse(q.biz_content!)).toEqual({
      out_trade_no: outTradeNo,
      total_amount: '88.00',
      subject: '品牌标志设计 <基础>',
      product_code: 'FAST_INSTANT_TRADE_PAY',
    });
    const page = await open(payUrl);
    expect(page.status).toBe(200);
    expect(page.html).toContain('支付宝沙箱收银台');
    expect(page.html).toContain('¥88.00');
    expect(page.html).toContain('品牌标志设计 &#60;基础&#62;');
    expect(page.html).toContain('确认支付');
    expect(page.html).toContain('模拟支付失败');
    expect(sandbox.trade(outTradeNo)).toMatchObject({ amountFen: 8800, providerStatus: 'WAIT_BUYER_PAY' });
  });

  it('the sandbox refuses a pay URL whose amount was changed after signing', async () => {
    const { outTradeNo, payUrl } = await newPayment(8800);
    const url = new URL(payUrl);
    const biz = JSON.parse(url.searchParams.get('biz_content')!);
    url.searchParams.set('biz_content', JSON.stringify({ ...biz, total_amount: '0.01' }));
    const page = await open(url.toString());
    expect(page.status).toBe(400);
    expect(page.html).toContain('isv.invalid-signature');
    expect(sandbox.trade(outTradeNo)).toBeNull();
  });

  it('the sandbox refuses requests signed with a key it does not know', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const impostor = new AlipayGateway({ ...sandbox.credentials.alipay, merchantPrivateKey: stranger });
    const outTradeNo = no('JXA');
    const { payUrl } = await impostor.createPayment({
      outTradeNo,
      amountFen: 100,
      subject: 'x',
      notifyUrl: merchant.url,
    });
    expect((await open(payUrl)).status).toBe(400);
    expect(sandbox.trade(outTradeNo)).toBeNull();
    // Server-to-server: the sandbox answers a signed 40002, which the adapter reports as an error.
    await expect(impostor.queryPayment(outTradeNo)).rejects.toThrow(/isv.invalid-signature/);
  });

  it('the official alipay-sdk can talk to the sandbox (request signature and signed response envelope)', async () => {
    const { outTradeNo, payUrl } = await newPayment(1234);
    await open(payUrl);
    const sdk = new AlipaySdk({
      appId: sandbox.credentials.alipay.appId,
      privateKey: sandbox.credentials.alipay.merchantPrivateKey,
      keyType: 'PKCS8',
      alipayPublicKey: sandbox.credentials.alipay.gatewayPublicKey,
      gateway: sandbox.credentials.alipay.gatewayUrl,
    });
    const result = await sdk.exec(
      'alipay.trade.query',
      { bizContent: { out_trade_no: outTradeNo } },
      { validateSign: true },
    );
    expect(result).toMatchObject({
      code: '10000',
      outTradeNo,
      tradeStatus: 'WAIT_BUYER_PAY',
      totalAmount: '12.34',
    });
  });
});

describe('AlipayGateway.verifyNotification', () => {
  it('verifies the sandbox notification of a payment, which stops after our `success`', async () => {
    const { outTradeNo, request } = await paidNotification();
    const trade = sandbox.trade(outTradeNo)!;
    const v = verified.find((x) => x.outTradeNo === outTradeNo);
    expect(v).toEqual({
      provider: 'alipay',
      outTradeNo,
      providerTradeNo: trade.providerTradeNo,
      amountFen: 8800,
      outcome: 'succeeded',
      rawStatus: 'TRADE_SUCCESS',
    });
    const form = parseFormStrict(request.body)!;
    expect(form).toMatchObject({
      notify_type: 'trade_status_sync',
      sign_type: 'RSA2',
      charset: 'utf-8',
      total_amount: '88.00',
    });
    expect(form.gmt_payment).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const log = sandbox.notifications(outTradeNo);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ acknowledged: true, answer: 'success', httpStatus: 200 });
    // And the official SDK agrees the sandbox signed it like Alipay does.
    const sdk = new AlipaySdk({
      appId: sandbox.credentials.alipay.appId,
      privateKey: sandbox.credentials.alipay.merchantPrivateKey,
      keyType: 'PKCS8',
      alipayPublicKey: sandbox.credentials.alipay.gatewayPublicKey,
    });
    expect(sdk.checkNotifySignV2(form)).toBe(true);
  });

  it('a failed payment notifies TRADE_CLOSED, read as closed', async () => {
    const { outTradeNo, payUrl } = await newPayment(500);
    await open(payUrl);
    sandbox.fail(outTradeNo);
    await sandbox.notificationsSettled(outTradeNo);
    expect(verified.find((x) => x.outTradeNo === outTradeNo)).toMatchObject({
      outcome: 'closed',
      rawStatus: 'TRADE_CLOSED',
      amountFen: 500,
    });
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({ outcome: 'closed' });
  });

  it('a resent notification is the same message (same notify_id) and verifies again — deduplication is ours', async () => {
    const { outTradeNo, request } = await paidNotification();
    const attempt = await sandbox.resend(outTradeNo);
    expect(attempt).toMatchObject({ kind: 'resend', acknowledged: true });
    const copies = merchant.received.filter((r) => parseFormStrict(r.body)?.out_trade_no === outTradeNo);
    expect(copies).toHaveLength(2);
    expect(copies[1]!.body).toBe(request.body);
    expect(verified.filter((x) => x.outTradeNo === outTradeNo)).toHaveLength(2);
  });

  it('rejects a notification signed with another key (forged)', async () => {
    const { request, outTradeNo } = await paidNotification();
    const attacker = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const err = await rejection(signedForm(parseFormStrict(request.body)!, attacker.privateKey));
    expect(err.reason).toMatch(/signature/);
    expect(err.outTradeNo).toBe(outTradeNo);
  });

  it('rejects a notification whose amount was changed after signing (tampered)', async () => {
    const { request } = await paidNotification();
    const form = parseFormStrict(request.body)!;
    const err = await rejection(new URLSearchParams({ ...form, total_amount: '0.01' }).toString());
    expect(err.reason).toMatch(/signature/);
    // Adding a field the signature does not cover is tampering too.
    expect(
      (await rejection(new URLSearchParams({ ...form, refund_fee: '88.00' }).toString())).reason,
    ).toMatch(/signature/);
  });

  it('rejects a correctly signed notification for another app_id', async () => {
    const { request } = await paidNotification();
    const form = parseFormStrict(request.body)!;
    const err = await rejection(
      signedForm({ ...form, app_id: '9021000000009999' }, sandbox.secrets.alipayGatewayPrivateKey),
    );
    expect(err.reason).toMatch(/app_id/);
  });

  it.each([
    '1e3',
    '88.001',
    '-1',
    '',
    '88.00 ',
    '0x10',
    '１２',
  ])('rejects a correctly signed malformed total_amount %j', async (amount) => {
    const { request } = await paidNotification();
    const form = parseFormStrict(request.body)!;
    const err = await rejection(
      signedForm({ ...form, total_amount: amount }, sandbox.secrets.alipayGatewayPrivateKey),
    );
    expect(err.reason).toMatch(/total_amount/);
  });

  it('rejects unknown statuses, missing ids, missing or unsupported signatures and repeated fields', async () => {
    const { request } = await paidNotification();
    const form = parseFormStrict(request.body)!;
    const key = sandbox.secrets.alipayGatewayPrivateKey;
    expect((await rejection(signedForm({ ...form, trade_status: 'TRADE_REFUNDING' }, key))).reason).toMatch(
      /trade_status/,
    );
    const { trade_no: _t, ...noTradeNo } = form;
    expect((await rejection(signedForm(noTradeNo, key))).reason).toMatch(/trade_no/);
    const { sign: _s, ...unsigned } = form;
    expect((await rejection(new URLSearchParams(unsigned).toString())).reason).toMatch(/sign/);
    expect((await rejection(new URLSearchParams({ ...form, sign_type: 'RSA' }).toString())).reason).toMatch(
      /sign_type/,
    );
    expect((await rejection(`${request.body}&total_amount=0.01`)).reason).toMatch(/duplicated/);
  });
});

describe('AlipayGateway server-to-server calls', () => {
  it('queryPayment: null for an unknown trade, pending before paying, succeeded after', async () => {
    expect(await gateway.queryPayment(no('NOPE'))).toBeNull();
    const { outTradeNo, payUrl } = await newPayment(2000);
    await open(payUrl);
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'pending',
      rawStatus: 'WAIT_BUYER_PAY',
      amountFen: 2000,
    });
    sandbox.pay(outTradeNo);
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'succeeded',
      rawStatus: 'TRADE_SUCCESS',
      amountFen: 2000,
    });
  });

  it('refund is idempotent on out_request_no and never exceeds the paid amount', async () => {
    const { outTradeNo } = await paidNotification(); // 88.00 paid
    const refund = (outRequestNo: string, refundFen: number) =>
      gateway.refund({ outTradeNo, outRequestNo, refundFen, totalFen: 8800, reason: '协商退款' });
    const first = await refund('R1', 3000);
    expect(first.status).toBe('succeeded');
    expect(await refund('R1', 3000)).toEqual(first);
    expect(sandbox.trade(outTradeNo)!.refundedFen).toBe(3000);
    expect(await refund('R1', 2000)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/DISCORDANT_REPEAT_REQUEST/),
    });
    expect(await refund('R2', 6000)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/REFUND_AMT/),
    });
    expect(await refund('R3', 5800)).toMatchObject({ status: 'succeeded' });
    expect(sandbox.trade(outTradeNo)!.refundedFen).toBe(8800);
    // Fully refunded trades read TRADE_CLOSED on Alipay.
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'closed',
      rawStatus: 'TRADE_CLOSED',
    });
    const refunds = sandbox
      .statement(shanghaiDate(new Date()))
      .filter((e) => e.kind === 'refund' && e.outTradeNo === outTradeNo);
    expect(refunds.map((e) => [e.kind === 'refund' && e.outRequestNo, e.amountFen])).toEqual([
      ['R1', 3000],
      ['R3', 5800],
    ]);
  });

  it('refund of an unpaid trade fails', async () => {
    const { outTradeNo, payUrl } = await newPayment(100);
    await open(payUrl);
    expect(
      await gateway.refund({ outTradeNo, outRequestNo: 'R1', refundFen: 100, totalFen: 100, reason: 'x' }),
    ).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/TRADE_STATUS_ERROR/),
    });
  });

  it('transfer is idempotent on out_biz_no: the same number twice pays once', async () => {
    const outBizNo = no('PO');
    const input = {
      outBizNo,
      amountFen: 12345,
      payeeAccount: 'designer@example.com',
      payeeName: '张三',
      remark: '匠心提现',
    };
    const first = await gateway.transfer(input);
    expect(first).toMatchObject({ status: 'succeeded', gatewayRef: expect.any(String) });
    expect(await gateway.transfer(input)).toEqual(first);
    expect(await gateway.queryTransfer(outBizNo)).toEqual(first);
    // Same number, different amount: refused, and still only one payout.
    expect(await gateway.transfer({ ...input, amountFen: 99999 })).toMatchObject({ status: 'failed' });
    const payouts = sandbox
      .statement(shanghaiDate(new Date()))
      .filter((e) => e.kind === 'transfer' && e.outBizNo === outBizNo);
    expect(payouts).toEqual([
      expect.objectContaining({ provider: 'alipay', amountFen: 12345, status: 'succeeded' }),
    ]);
    expect(await gateway.queryTransfer(no('NOPE'))).toBeNull();
  });

  it('a transfer to an account that does not exist fails, and queries as failed', async () => {
    const outBizNo = no('PO');
    const r = await gateway.transfer({
      outBizNo,
      amountFen: 100,
      payeeAccount: 'invalid@example.com',
      payeeName: '李四',
      remark: '',
    });
    expect(r).toMatchObject({ status: 'failed', reason: expect.stringMatching(/PAYEE_NOT_EXIST/) });
    expect(await gateway.queryTransfer(outBizNo)).toMatchObject({ status: 'failed' });
  });
});

describe('AlipayGateway when the gateway misbehaves', () => {
  it('a timeout or a 5xx makes refund and transfer pending, and queries throw GatewayUnavailableError', async () => {
    const hung = await startReceiver(() => null);
    const broken = await startReceiver(() => ({ status: 502, body: 'Bad Gateway' }));
    try {
      for (const url of [hung.url, broken.url]) {
        const g = new AlipayGateway({
          ...sandbox.credentials.alipay,
          gatewayUrl: `${url}/gateway.do`,
          timeoutMs: 300,
        });
        expect(
          await g.refund({ outTradeNo: 'T', outRequestNo: 'R', refundFen: 1, totalFen: 1, reason: '' }),
        ).toEqual({ status: 'pending' });
        expect(
          await g.transfer({ outBizNo: 'B', amountFen: 1, payeeAccount: 'a', payeeName: 'b', remark: '' }),
        ).toEqual({
          status: 'pending',
        });
        await expect(g.queryPayment('T')).rejects.toBeInstanceOf(GatewayUnavailableError);
      }
    } finally {
      await hung.close();
      await broken.close();
    }
  });

  it('a success answer not signed by the Alipay key is not believed', async () => {
    const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const fake = await startReceiver((req) => {
      const method = parseFormStrict(req.body)?.method ?? '';
      const inner = JSON.stringify({
        code: '10000',
        msg: 'Success',
        out_biz_no: 'B',
        order_id: 'O1',
        status: 'SUCCESS',
      });
      const sign = rsaSign(inner, attacker);
      return { status: 200, body: `{"${method.replaceAll('.', '_')}_response":${inner},"sign":"${sign}"}` };
    });
    try {
      const g = new AlipayGateway({ ...sandbox.credentials.alipay, gatewayUrl: `${fake.url}/gateway.do` });
      await expect(
        g.transfer({ outBizNo: 'B', amountFen: 1, payeeAccount: 'a', payeeName: 'b', remark: '' }),
      ).rejects.toBeInstanceOf(GatewayResponseError);
      await expect(g.queryTransfer('B')).rejects.toThrow(/signature/);
    } finally {
      await fake.close();
    }
  });
});
