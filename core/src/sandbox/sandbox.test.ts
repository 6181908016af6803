import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlipayGateway } from '../modules/payments/alipay';
import { shanghaiDate } from '../modules/payments/protocol';
import { WechatPayGateway } from '../modules/payments/wechat';
import {
  ALIPAY_RETRY_SCHEDULE_MS,
  type Sandbox,
  SandboxError,
  startSandbox,
  WECHAT_RETRY_SCHEDULE_MS,
} from './index';
import { type ReceiverAnswer, startReceiver } from './testing';

const no = (prefix: string) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`;
const today = () => shanghaiDate(new Date());

/** Creates a pending trade at the sandbox through the real adapter, notifying `notifyUrl`. */
async function alipayTrade(sb: Sandbox, notifyUrl: string, amountFen = 8800): Promise<string> {
  const outTradeNo = no('SBA');
  const g = new AlipayGateway(sb.credentials.alipay);
  const { payUrl } = await g.createPayment({
    outTradeNo,
    amountFen,
    subject: '测试订单',
    notifyUrl,
    returnUrl: 'http://127.0.0.1/back',
  });
  expect((await fetch(payUrl)).status).toBe(200);
  return outTradeNo;
}

async function wechatTrade(
  sb: Sandbox,
  notifyUrl: string,
  amountFen = 8800,
  outTradeNo = no('SBW'),
): Promise<string> {
  const g = new WechatPayGateway(sb.credentials.wechat);
  await g.createPayment({ outTradeNo, amountFen, subject: '测试订单', notifyUrl });
  return outTradeNo;
}

/** Gaps between consecutive receipt times. */
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('notification retries follow the providers’ schedules (time-scaled)', () => {
  it('Alipay retries after 4m, 10m, 10m … until the body is exactly `success`', async () => {
    const scale = 6000; // 4 min → 40 ms, 10 min → 100 ms
    const answers: ReceiverAnswer[] = [
      { status: 200, body: 'fail' },
      { status: 200, body: 'SUCCESS' },
      { status: 200, body: 'success\n' },
      { status: 200, body: 'success' },
    ];
    const merchant = await startReceiver((_r, i) => answers[i] ?? { status: 200, body: 'success' });
    const sb = await startSandbox({ timeScale: scale });
    try {
      const outTradeNo = await alipayTrade(sb, merchant.url);
      sb.pay(outTradeNo);
      const log = await sb.notificationsSettled(outTradeNo);
      expect(log.map((a) => a.scheduledDelayMs)).toEqual([
        0,
        ...ALIPAY_RETRY_SCHEDULE_MS.slice(0, 3).map((ms) => ms / scale),
      ]);
      expect(log.map((a) => a.scheduledDelayMs)).toEqual([0, 40, 100, 100]);
      expect(log.map((a) => a.acknowledged)).toEqual([false, false, false, true]);
      expect(log.map((a) => a.answer)).toEqual(['fail', 'SUCCESS', 'success\n', 'success']);
      const received = gaps(merchant.received.map((r) => r.at));
      for (const [i, d] of [40, 100, 100].entries()) expect(received[i]).toBeGreaterThanOrEqual(d - 2);
      // Nothing more after the acknowledgement.
      await new Promise((r) => setTimeout(r, 150));
      expect(merchant.received).toHaveLength(4);
    } finally {
      await sb.close();
      await merchant.close();
    }
  });

  it('WeChat retries after 15s, 15s, 30s … until a 2xx', async () => {
    const scale = 1500; // 15 s → 10 ms, 30 s → 20 ms
    const statuses = [500, 400, 503, 200];
    const merchant = await startReceiver((_r, i) => ({ status: statuses[i] ?? 204, body: '' }));
    const sb = await startSandbox({ timeScale: scale });
    try {
      const outTradeNo = await wechatTrade(sb, merchant.url);
      sb.pay(outTradeNo);
      const log = await sb.notificationsSettled(outTradeNo);
      expect(log.map((a) => a.scheduledDelayMs)).toEqual([0, 10, 10, 20]);
      expect(log.map((a) => a.httpStatus)).toEqual([500, 400, 503, 200]);
      expect(log.map((a) => a.acknowledged)).toEqual([false, false, false, true]);
      const received = gaps(merchant.received.map((r) => r.at));
      for (const [i, d] of [10, 10, 20].entries()) expect(received[i]).toBeGreaterThanOrEqual(d - 2);
      // Every attempt is freshly signed: timestamps/nonces may differ, the body does not.
      expect(new Set(merchant.received.map((r) => r.body)).size).toBe(1);
      expect(new Set(merchant.received.map((r) => r.headers['wechatpay-nonce'])).size).toBe(4);
    } finally {
      await sb.close();
      await merchant.close();
    }
  });

  it('a merchant that never acknowledges gets the whole schedule, in order, and then no more', async () => {
    const scale = 1_000_000;
    const merchant = await startReceiver(() => ({ status: 500, body: 'failure' }));
    const sb = await startSandbox({ timeScale: scale });
    try {
      const a = await alipayTrade(sb, merchant.url);
      const w = await wechatTrade(sb, merchant.url);
      sb.pay(a);
      sb.fail(w);
      const [alog, wlog] = await Promise.all([sb.notificationsSettled(a), sb.notificationsSettled(w)]);
      expect(alog.map((x) => x.scheduledDelayMs)).toEqual([
        0,
        ...ALIPAY_RETRY_SCHEDULE_MS.map((ms) => ms / scale),
      ]);
      expect(wlog.map((x) => x.scheduledDelayMs)).toEqual([
        0,
        ...WECHAT_RETRY_SCHEDULE_MS.map((ms) => ms / scale),
      ]);
      expect(alog).toHaveLength(8);
      expect(wlog).toHaveLength(16);
      expect(alog.every((x) => !x.acknowledged && x.httpStatus === 500)).toBe(true);
      const count = merchant.received.length;
      await new Promise((r) => setTimeout(r, 100));
      expect(merchant.received.length).toBe(count);
    } finally {
      await sb.close();
      await merchant.close();
    }
  });

  it('close() cancels pending retries', async () => {
    const merchant = await startReceiver(() => ({ status: 200, body: 'failure' }));
    const sb = await startSandbox({ timeScale: 1200 }); // first Alipay retry after 200 ms
    try {
      const outTradeNo = await alipayTrade(sb, merchant.url);
      sb.pay(outTradeNo);
      await expect.poll(() => sb.notifications(outTradeNo).length).toBe(1);
      await expect.poll(() => sb.notifications(outTradeNo)[0]?.httpStatus).toBe(200);
      await sb.close();
      await new Promise((r) => setTimeout(r, 400));
      expect(merchant.received).toHaveLength(1);
    } finally {
      await sb.close();
      await merchant.close();
    }
  });
});

describe('sandbox HTTP surface', () => {
  let sb: Sandbox;
  let merchant: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    merchant = await startReceiver((r) =>
      r.headers['content-type']?.startsWith('application/json')
        ? { status: 204, body: '' }
        : { status: 200, body: 'success' },
    );
    sb = await startSandbox({ timeScale: 60_000 });
  });
  afterAll(async () => {
    await sb?.close();
    await merchant?.close();
  });

  it('listens on 127.0.0.1 and refuses any other interface', async () => {
    expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await expect(startSandbox({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('test-control endpoints pay once, refuse a second time, and 404 unknown trades', async () => {
    const outTradeNo = await wechatTrade(sb, merchant.url, 1500);
    const post = (action: string, n = outTradeNo) =>
      fetch(`${sb.url}/sandbox/payments/${n}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
    const paid = await post('succeed');
    expect(paid.status).toBe(200);
    expect(await paid.json()).toMatchObject({
      outTradeNo,
      provider: 'wechat',
      status: 'succeeded',
      providerStatus: 'SUCCESS',
    });
    const again = await post('fail');
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'TRADE_NOT_PENDING' });
    expect((await post('succeed', 'NOPE')).status).toBe(404);
    await sb.notificationsSettled(outTradeNo);
    const detail = (await (await fetch(`${sb.url}/sandbox/payments/${outTradeNo}`)).json()) as {
      notifications: unknown[];
    };
    expect(detail.notifications).toEqual([expect.objectContaining({ acknowledged: true, httpStatus: 204 })]);
    const resent = await fetch(`${sb.url}/sandbox/payments/${outTradeNo}/resend`, { method: 'POST' });
    expect(await resent.json()).toMatchObject({ kind: 'resend', acknowledged: true, attempt: 2 });
  });

  it('the pay page buttons post a form and show the result in Chinese with the return link', async () => {
    const outTradeNo = await alipayTrade(sb, merchant.url, 990);
    const page = await (await fetch(`${sb.url}/alipay/pay/${outTradeNo}`)).text();
    const action = /action="([^"]+\/succeed[^"]*)"/.exec(page)?.[1];
    expect(action).toBeDefined();
    const res = await fetch(`${sb.url}${action!.replaceAll('&#38;', '&')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('支付成功');
    expect(html).toContain('http://127.0.0.1/back');
    expect(sb.trade(outTradeNo)).toMatchObject({ status: 'succeeded', providerStatus: 'TRADE_SUCCESS' });
  });

  it('the same out_trade_no at both providers needs the provider to be named', async () => {
    const shared = no('BOTH');
    await wechatTrade(sb, merchant.url, 100, shared);
    const g = new AlipayGateway(sb.credentials.alipay);
    const { payUrl } = await g.createPayment({
      outTradeNo: shared,
      amountFen: 200,
      subject: 'x',
      notifyUrl: merchant.url,
    });
    await fetch(payUrl);
    expect(() => sb.pay(shared)).toThrow(SandboxError);
    expect(sb.pay(shared, 'alipay')).toMatchObject({ provider: 'alipay', amountFen: 200 });
    expect(sb.trade(shared, 'wechat')).toMatchObject({ status: 'pending' });
  });

  it('the statement lists the day’s payments, refunds and transfers with amounts in fen', async () => {
    const a = await alipayTrade(sb, merchant.url, 8800);
    sb.pay(a);
    const alipay = new AlipayGateway(sb.credentials.alipay);
    await alipay.refund({
      outTradeNo: a,
      outRequestNo: 'R1',
      refundFen: 800,
      totalFen: 8800,
      reason: '部分退款',
    });
    const w = await wechatTrade(sb, merchant.url, 4200);
    sb.pay(w, 'wechat');
    const outBizNo = no('PO');
    await new WechatPayGateway(sb.credentials.wechat).transfer({
      outBizNo,
      amountFen: 5000,
      payeeAccount: 'oPayee',
      payeeName: '王五',
      remark: '提现',
    });
    const res = await fetch(`${sb.url}/sandbox/statement?date=${today()}`);
    const statement = (await res.json()) as { date: string; entries: unknown[] };
    expect(statement).toMatchObject({ date: today(), timezone: 'Asia/Shanghai' });
    expect(statement.entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'payment',
          provider: 'alipay',
          outTradeNo: a,
          amountFen: 8800,
          status: 'succeeded',
        }),
        expect.objectContaining({
          kind: 'refund',
          provider: 'alipay',
          outTradeNo: a,
          outRequestNo: 'R1',
          amountFen: 800,
        }),
        expect.objectContaining({ kind: 'payment', provider: 'wechat', outTradeNo: w, amountFen: 4200 }),
        expect.objectContaining({
          kind: 'transfer',
          provider: 'wechat',
          outBizNo,
          amountFen: 5000,
          status: 'succeeded',
        }),
      ]),
    );
    const empty = (await (await fetch(`${sb.url}/sandbox/statement?date=2000-01-01`)).json()) as {
      entries: unknown[];
    };
    expect(empty.entries).toEqual([]);
    expect((await fetch(`${sb.url}/sandbox/statement?date=yesterday`)).status).toBe(400);
  });

  it('the index page lists recent trades with links to their pay pages', async () => {
    const outTradeNo = await alipayTrade(sb, merchant.url, 123);
    const html = await (await fetch(`${sb.url}/`)).text();
    expect(html).toContain('最近交易');
    expect(html).toContain(outTradeNo);
    expect(html).toContain(`/alipay/pay/${outTradeNo}`);
    expect(html).toContain('¥1.23');
  });
});

describe('sandbox keys', () => {
  it('a key file keeps the credentials across restarts (and is private to the user)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'jx-sandbox-'));
    const keyFile = path.join(dir, 'nested', 'sandbox-keys.json');
    try {
      const first = await startSandbox({ keyFile });
      const creds = first.credentials;
      await first.close();
      expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
      const second = await startSandbox({ keyFile });
      try {
        const { gatewayUrl: _a, ...alipay } = second.credentials.alipay;
        const { gatewayUrl: _w, ...wechat } = second.credentials.wechat;
        const { gatewayUrl: _a1, ...alipay1 } = creds.alipay;
        const { gatewayUrl: _w1, ...wechat1 } = creds.wechat;
        expect(alipay).toEqual(alipay1);
        expect(wechat).toEqual(wechat1);
      } finally {
        await second.close();
      }
      const stored = JSON.parse(await readFile(keyFile, 'utf8'));
      stored.wechat.apiV3Key = 'short';
      await writeFile(keyFile, JSON.stringify(stored));
      await expect(startSandbox({ keyFile })).rejects.toThrow(/sandbox-keys\.json is unusable/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a key file, sandboxes in one process share one generated set (fast tests)', async () => {
    const a = await startSandbox();
    const b = await startSandbox();
    try {
      expect(a.credentials.alipay.gatewayPublicKey).toBe(b.credentials.alipay.gatewayPublicKey);
      expect(a.url).not.toBe(b.url);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
