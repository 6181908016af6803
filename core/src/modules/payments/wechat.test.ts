import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { type Sandbox, startSandbox } from '../../sandbox/index';
import {
  type ReceivedRequest,
  type Receiver,
  type ReceiverAnswer,
  startReceiver,
} from '../../sandbox/testing';
import { NotificationRejected, type VerifiedNotification } from './gateway';
import {
  aesGcmEncrypt,
  GatewayResponseError,
  rsaPrivateKey,
  rsaSign,
  shanghaiDate,
  wechatResponseMessage,
} from './protocol';
import { WechatPayGateway } from './wechat';

let sandbox: Sandbox;
let gateway: WechatPayGateway;
let merchant: Receiver;
const verified: VerifiedNotification[] = [];

const no = (prefix: string) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`;

beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 60_000 });
  gateway = new WechatPayGateway(sandbox.credentials.wechat);
  merchant = await startReceiver(async (req) => {
    try {
      verified.push(await gateway.verifyNotification({ headers: req.headers, rawBody: req.body }));
      const ack = gateway.ackSuccess();
      return { status: ack.status, body: ack.body, contentType: ack.contentType };
    } catch (err) {
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
  const outTradeNo = no('JXW');
  const { payUrl } = await gateway.createPayment({
    outTradeNo,
    amountFen,
    subject,
    notifyUrl: `${merchant.url}/notify/wechat`,
  });
  return { outTradeNo, payUrl };
}

async function paidNotification(): Promise<{ outTradeNo: string; request: ReceivedRequest }> {
  const { outTradeNo } = await newPayment();
  const before = merchant.received.length;
  sandbox.pay(outTradeNo);
  await sandbox.notificationsSettled(outTradeNo);
  const request = merchant.received[before];
  if (!request) throw new Error('no notification arrived');
  return { outTradeNo, request };
}

interface Envelope {
  headers: Record<string, string>;
  body: string;
}

function wechatHeaders(r: ReceivedRequest): {
  'wechatpay-timestamp': string;
  'wechatpay-nonce': string;
  'wechatpay-signature': string;
  'wechatpay-serial': string;
} {
  const pick = (k: string) => String(r.headers[k]);
  return {
    'wechatpay-timestamp': pick('wechatpay-timestamp'),
    'wechatpay-nonce': pick('wechatpay-nonce'),
    'wechatpay-signature': pick('wechatpay-signature'),
    'wechatpay-serial': pick('wechatpay-serial'),
  };
}

/** A notification of `transaction` encrypted with `apiV3Key` and signed with `signingKeyPem` under `serial`. */
function craft(
  transaction: Record<string, unknown>,
  opts: { signingKeyPem?: string; serial?: string; timestamp?: number; apiV3Key?: string } = {},
): Envelope {
  const nonce = 'abcdefghijkl';
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: '2026-11-26T10:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(
        JSON.stringify(transaction),
        opts.apiV3Key ?? sandbox.credentials.wechat.apiV3Key,
        nonce,
        'transaction',
      ),
      associated_data: 'transaction',
      nonce,
    },
  });
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const hn = randomUUID();
  const key = rsaPrivateKey(opts.signingKeyPem ?? sandbox.secrets.wechatPlatformPrivateKey);
  return {
    headers: {
      'wechatpay-timestamp': ts,
      'wechatpay-nonce': hn,
      'wechatpay-signature': rsaSign(wechatResponseMessage(ts, hn, body), key),
      'wechatpay-serial': opts.serial ?? sandbox.credentials.wechat.platformSerial,
    },
    body,
  };
}

function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: sandbox.credentials.wechat.appid,
    mchid: sandbox.credentials.wechat.mchid,
    out_trade_no: 'JXW-crafted',
    transaction_id: '4200000000202611260000000001',
    trade_type: 'NATIVE',
    trade_state: 'SUCCESS',
    amount: { total: 8800, payer_total: 8800, currency: 'CNY', payer_currency: 'CNY' },
    ...overrides,
  };
}

async function rejection(e: Envelope, g: WechatPayGateway = gateway): Promise<NotificationRejected> {
  const err = await g.verifyNotification({ headers: e.headers, rawBody: e.body }).then(
    () => null,
    (x: unknown) => x,
  );
  expect(err).toBeInstanceOf(NotificationRejected);
  return err as NotificationRejected;
}

describe('WechatPayGateway.createPayment against the sandbox', () => {
  it('creates a Native payment whose code_url opens the sandbox pay page', async () => {
    const { outTradeNo, payUrl } = await newPayment(8800, '品牌标志设计');
    expect(payUrl.startsWith(`${sandbox.url}/wechat/pay/`)).toBe(true);
    const res = await fetch(payUrl);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('微信支付沙箱');
    expect(html).toContain('¥88.00');
    expect(html).toContain('确认支付');
    expect(sandbox.trade(outTradeNo, 'wechat')).toMatchObject({ amountFen: 8800, providerStatus: 'NOTPAY' });
    // Asking again with the same parameters returns the same code_url (no second order).
    const again = await gateway.createPayment({
      outTradeNo,
      amountFen: 8800,
      subject: '品牌标志设计',
      notifyUrl: merchant.url,
    });
    expect(again.payUrl).toBe(payUrl);
    await expect(
      gateway.createPayment({ outTradeNo, amountFen: 1, subject: '品牌标志设计', notifyUrl: merchant.url }),
    ).rejects.toThrow(/INVALID_REQUEST/);
  });

  it('the sandbox refuses requests signed with an unknown key or under the wrong serial', async () => {
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const input = { outTradeNo: no('JXW'), amountFen: 100, subject: 'x', notifyUrl: merchant.url };
    const impostor = new WechatPayGateway({ ...sandbox.credentials.wechat, merchantPrivateKey: stranger });
    await expect(impostor.createPayment(input)).rejects.toThrow(/401 SIGN_ERROR/);
    const wrongSerial = new WechatPayGateway({ ...sandbox.credentials.wechat, merchantSerial: 'DEADBEEF' });
    await expect(wrongSerial.createPayment(input)).rejects.toThrow(/401 SIGN_ERROR/);
    expect(sandbox.trade(input.outTradeNo)).toBeNull();
  });

  it('the sandbox refuses a signed request whose body was changed afterwards', async () => {
    const c = sandbox.credentials.wechat;
    const path = '/v3/pay/transactions/native';
    const signed = JSON.stringify({
      appid: c.appid,
      mchid: c.mchid,
      description: 'x',
      out_trade_no: no('JXW'),
      notify_url: merchant.url,
      amount: { total: 8800 },
    });
    const ts = Formatter.timestamp();
    const nonce = Formatter.nonce();
    const signature = Rsa.sign(
      Formatter.request('POST', path, ts, nonce, signed),
      Rsa.from(c.merchantPrivateKey, 'private'),
    );
    const post = (body: string) =>
      fetch(`${c.gatewayUrl}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: Formatter.authorization(c.mchid, nonce, signature, ts, c.merchantSerial),
        },
        body,
      });
    expect((await post(signed.replace('8800', '1'))).status).toBe(401);
    // The untouched request, signed by the official plugin, is accepted.
    expect((await post(signed)).status).toBe(200);
  });
});

describe('WechatPayGateway.verifyNotification', () => {
  it('verifies and decrypts the sandbox notification of a payment; our 204 stops the retries', async () => {
    const { outTradeNo, request } = await paidNotification();
    expect(verified.find((v) => v.outTradeNo === outTradeNo)).toEqual({
      provider: 'wechat',
      outTradeNo,
      providerTradeNo: sandbox.trade(outTradeNo)!.providerTradeNo,
      amountFen: 8800,
      outcome: 'succeeded',
      rawStatus: 'SUCCESS',
    });
    expect(sandbox.notifications(outTradeNo)).toEqual([
      expect.objectContaining({ acknowledged: true, httpStatus: 204 }),
    ]);
    // The official plugin verifies the headers and decrypts the resource too.
    const h = wechatHeaders(request);
    const ok = Rsa.verify(
      Formatter.response(h['wechatpay-timestamp'], h['wechatpay-nonce'], request.body),
      h['wechatpay-signature'],
      Rsa.from(sandbox.credentials.wechat.platformPublicKey, 'public'),
    );
    expect(ok).toBe(true);
    const envelope = JSON.parse(request.body);
    expect(envelope).toMatchObject({ event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource' });
    const r = envelope.resource;
    const plain = JSON.parse(
      Aes.AesGcm.decrypt(r.ciphertext, sandbox.credentials.wechat.apiV3Key, r.nonce, r.associated_data),
    );
    expect(plain).toMatchObject({
      out_trade_no: outTradeNo,
      trade_state: 'SUCCESS',
      amount: { total: 8800 },
    });
  });

  it('a failed payment notifies PAYERROR, read as failed', async () => {
    const { outTradeNo } = await newPayment(300);
    sandbox.fail(outTradeNo);
    await sandbox.notificationsSettled(outTradeNo);
    expect(verified.find((v) => v.outTradeNo === outTradeNo)).toMatchObject({
      outcome: 'failed',
      rawStatus: 'PAYERROR',
      amountFen: 300,
    });
  });

  it('a resent notification carries the same body (same id) and verifies again', async () => {
    const { outTradeNo, request } = await paidNotification();
    await sandbox.resend(outTradeNo);
    const copies = merchant.received.filter((r) => r.body === request.body);
    expect(copies).toHaveLength(2);
    expect(verified.filter((v) => v.outTradeNo === outTradeNo)).toHaveLength(2);
  });

  it('accepts a notification crafted with the platform key (so the rejections below are for the stated reason)', async () => {
    const e = craft(transaction());
    expect(await gateway.verifyNotification({ headers: e.headers, rawBody: e.body })).toMatchObject({
      outTradeNo: 'JXW-crafted',
      amountFen: 8800,
      outcome: 'succeeded',
    });
  });

  it('rejects a notification signed with another key (forged)', async () => {
    const attacker = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    expect((await rejection(craft(transaction(), { signingKeyPem: attacker.privateKey }))).reason).toMatch(
      /signature/,
    );
  });

  it('rejects a notification changed after signing (tampered body, or re-encrypted under another key)', async () => {
    const { request } = await paidNotification();
    const headers = wechatHeaders(request);
    const envelope = JSON.parse(request.body);
    envelope.resource.ciphertext = aesGcmEncrypt(
      JSON.stringify(transaction({ amount: { total: 1, currency: 'CNY' } })),
      sandbox.credentials.wechat.apiV3Key,
      envelope.resource.nonce,
      'transaction',
    );
    expect((await rejection({ headers, body: JSON.stringify(envelope) })).reason).toMatch(/signature/);
    // Correctly signed, but the resource was not encrypted with our APIv3 key.
    const foreign = craft(transaction(), { apiV3Key: 'x'.repeat(32) });
    expect((await rejection(foreign)).reason).toMatch(/decrypt/);
  });

  it('rejects a correctly signed notification for another mchid or appid', async () => {
    const r1 = await rejection(craft(transaction({ mchid: '1900009999' })));
    expect(r1.reason).toMatch(/mchid/);
    expect(r1.outTradeNo).toBe('JXW-crafted');
    expect((await rejection(craft(transaction({ appid: 'wx0000000000000000' })))).reason).toMatch(/appid/);
  });

  it('rejects a wrong Wechatpay-Serial, missing headers and a stale timestamp', async () => {
    expect((await rejection(craft(transaction(), { serial: 'ABCDEF0123456789' }))).reason).toMatch(/serial/i);
    const e = craft(transaction());
    const { 'wechatpay-signature': _s, ...noSignature } = e.headers;
    expect((await rejection({ headers: noSignature, body: e.body })).reason).toMatch(/missing/);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await rejection(craft(transaction(), { timestamp: sixMinutesAgo }))).reason).toMatch(/stale/);
    // The same fresh message is stale for an adapter whose clock is 6 minutes later.
    const later = new WechatPayGateway(sandbox.credentials.wechat, () => new Date(Date.now() + 6 * 60_000));
    expect((await rejection(craft(transaction()), later)).reason).toMatch(/stale/);
    // 4 minutes is inside the window.
    const inside = craft(transaction(), { timestamp: Math.floor(Date.now() / 1000) - 4 * 60 });
    await expect(
      gateway.verifyNotification({ headers: inside.headers, rawBody: inside.body }),
    ).resolves.toBeTruthy();
  });

  it.each([
    ['fraction', 88.5],
    ['negative', -1],
    ['string', '8800'],
    ['unsafe integer', 2 ** 53],
    ['missing', undefined],
  ])('rejects a correctly signed malformed amount.total (%s)', async (_name, total) => {
    const err = await rejection(craft(transaction({ amount: { total, currency: 'CNY' } })));
    expect(err.reason).toMatch(/amount/);
  });

  it('rejects unknown trade states and a success without transaction_id', async () => {
    expect((await rejection(craft(transaction({ trade_state: 'WHATEVER' })))).reason).toMatch(/trade_state/);
    expect((await rejection(craft(transaction({ transaction_id: undefined })))).reason).toMatch(
      /transaction_id/,
    );
  });
});

describe('WechatPayGateway server-to-server calls', () => {
  it('queryPayment: null for unknown, pending before paying, succeeded after', async () => {
    expect(await gateway.queryPayment(no('NOPE'))).toBeNull();
    const { outTradeNo } = await newPayment(2000);
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'pending',
      rawStatus: 'NOTPAY',
      amountFen: 2000,
    });
    sandbox.pay(outTradeNo);
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'succeeded',
      rawStatus: 'SUCCESS',
      amountFen: 2000,
    });
  });

  it('refund is idempotent on out_refund_no and never exceeds the paid amount', async () => {
    const { outTradeNo } = await paidNotification();
    const refund = (outRequestNo: string, refundFen: number) =>
      gateway.refund({ outTradeNo, outRequestNo, refundFen, totalFen: 8800, reason: '协商退款' });
    const r1 = no('RF');
    const first = await refund(r1, 3000);
    expect(first).toMatchObject({ status: 'succeeded', gatewayRef: expect.any(String) });
    expect(await refund(r1, 3000)).toEqual(first);
    expect(sandbox.trade(outTradeNo)!.refundedFen).toBe(3000);
    expect(await refund(no('RF'), 6000)).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/INVALID_REQUEST/),
    });
    expect(await gateway.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'succeeded',
      rawStatus: 'REFUND',
    });
    const refunds = sandbox
      .statement(shanghaiDate(new Date()))
      .filter((e) => e.kind === 'refund' && e.outTradeNo === outTradeNo);
    expect(refunds).toEqual([
      expect.objectContaining({ provider: 'wechat', outRequestNo: r1, amountFen: 3000 }),
    ]);
  });

  it('transfer is idempotent on out_batch_no; the payee name travels encrypted; one payout only', async () => {
    const outBizNo = no('PO');
    const input = {
      outBizNo,
      amountFen: 12345,
      payeeAccount: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      payeeName: '张三',
      remark: '匠心提现',
    };
    const first = await gateway.transfer(input);
    expect(first).toMatchObject({ status: 'succeeded', gatewayRef: expect.any(String) });
    expect(await gateway.transfer(input)).toEqual(first);
    expect(await gateway.queryTransfer(outBizNo)).toEqual(first);
    expect(await gateway.transfer({ ...input, payeeName: '王五' })).toMatchObject({
      status: 'failed',
      reason: expect.stringMatching(/INVALID_REQUEST/),
    });
    const payouts = sandbox
      .statement(shanghaiDate(new Date()))
      .filter((e) => e.kind === 'transfer' && e.outBizNo === outBizNo);
    expect(payouts).toEqual([
      expect.objectContaining({ provider: 'wechat', amountFen: 12345, status: 'succeeded' }),
    ]);
    expect(await gateway.queryTransfer(no('NOPE'))).toBeNull();
    const failed = await gateway.transfer({ ...input, outBizNo: no('PO'), payeeAccount: 'invalid-openid' });
    expect(failed).toMatchObject({ status: 'failed', reason: expect.stringMatching(/FAIL/) });
  });

  it('answers not signed by the platform key, or under another serial, are not believed', async () => {
    const attacker = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const c = sandbox.credentials.wechat;
    const body = JSON.stringify({
      code_url: 'weixin://wxpay/bizpayurl?pr=evil',
      status: 'SUCCESS',
      refund_id: 'R',
    });
    const signedBy = (keyPem: string | null, serial: string) => (): ReceiverAnswer => {
      const ts = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = keyPem
        ? {
            'wechatpay-timestamp': ts,
            'wechatpay-nonce': 'n',
            'wechatpay-serial': serial,
            'wechatpay-signature': rsaSign(wechatResponseMessage(ts, 'n', body), rsaPrivateKey(keyPem)),
          }
        : {};
      return { status: 200, body, contentType: 'application/json', headers };
    };
    const cases = [
      signedBy(null, c.platformSerial),
      signedBy(attacker, c.platformSerial),
      signedBy(sandbox.secrets.wechatPlatformPrivateKey, 'ANOTHERSERIAL'),
    ];
    for (const answer of cases) {
      const fake = await startReceiver(answer);
      try {
        const g = new WechatPayGateway({ ...c, gatewayUrl: fake.url });
        await expect(
          g.createPayment({ outTradeNo: 'X1234567', amountFen: 1, subject: 'x', notifyUrl: merchant.url }),
        ).rejects.toBeInstanceOf(GatewayResponseError);
        await expect(
          g.refund({ outTradeNo: 'X1234567', outRequestNo: 'R', refundFen: 1, totalFen: 1, reason: '' }),
        ).rejects.toBeInstanceOf(GatewayResponseError);
      } finally {
        await fake.close();
      }
    }
    // Control: the same answer signed properly is believed (so the cases above fail for the right reason).
    const genuine = await startReceiver(signedBy(sandbox.secrets.wechatPlatformPrivateKey, c.platformSerial));
    try {
      const g = new WechatPayGateway({ ...c, gatewayUrl: genuine.url });
      expect(
        await g.createPayment({
          outTradeNo: 'X1234567',
          amountFen: 1,
          subject: 'x',
          notifyUrl: merchant.url,
        }),
      ).toEqual({
        payUrl: 'weixin://wxpay/bizpayurl?pr=evil',
      });
    } finally {
      await genuine.close();
    }
  });

  it('a timeout or a 5xx makes refund and transfer pending', async () => {
    const hung = await startReceiver(() => null);
    const broken = await startReceiver(() => ({ status: 503, body: '' }));
    try {
      for (const url of [hung.url, broken.url]) {
        const g = new WechatPayGateway({ ...sandbox.credentials.wechat, gatewayUrl: url, timeoutMs: 300 });
        expect(
          await g.refund({ outTradeNo: 'T', outRequestNo: 'R', refundFen: 1, totalFen: 1, reason: '' }),
        ).toEqual({ status: 'pending' });
        expect(
          await g.transfer({ outBizNo: 'B', amountFen: 1, payeeAccount: 'o', payeeName: 'n', remark: '' }),
        ).toEqual({ status: 'pending' });
      }
    } finally {
      await hung.close();
      await broken.close();
    }
  });
});
