import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { startTestApp, type TestApp } from '../../test/harness';
import { AliyunSmsSender, aliyunEncode, aliyunRpcSignature, parseSmsTemplates } from './aliyun-sms';
import { deliverNotifications } from './delivery';

/**
 * SMS through the real Aliyun adapter to the sandbox's Aliyun endpoint, which checks the RPC signature
 * as Aliyun does: verification codes arrive and verify; a wrong key, a forged signature and a replayed
 * nonce are refused; a provider failure is retried by the notifications job and, past the attempts,
 * recorded as failed; the per-phone and per-address limits hold; the code never stays in the outbox.
 */
let t: TestApp;
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await startTestApp({
    payments: true,
    aliyunSms: true,
    env: { NOTIFY_MAX_ATTEMPTS: '3', SMS_CODES_PER_PHONE_PER_DAY: '4', SMS_CODES_PER_ADDRESS_PER_HOUR: '12' },
  });
});
afterAll(() => t?.close());

let phones = 0;
const nextPhone = () => `1390000${String(1000 + phones++).padStart(4, '0')}`;
/** The newest verification-code row to `phone` (the outbox holds the number sealed: opened to match). */
const outbox = async (phone: string) => {
  const rows = await t.db.write
    .selectFrom('notifications')
    .select(['state', 'attempts', 'last_error', 'params', 'recipient'])
    .where('template', '=', 'verification_code')
    .orderBy('id', 'desc')
    .execute();
  const row = rows.find(
    (r) => r.recipient && t.ctx.pii.open('notifications.recipient', r.recipient) === phone,
  );
  if (!row) throw new Error(`no verification code queued to ${phone}`);
  return row;
};
const lastCode = (phone: string) => t.sandbox!.sms.sent.findLast((m) => m.phone === phone)?.params['code'];

describe('SMS through Aliyun (the sandbox plays Aliyun)', () => {
  it('sends a signed verification code that verifies, and keeps no copy of it', async () => {
    const user = await signUp(new ApiClient(t.url));
    const phone = nextPhone();
    const sent = await user.api.post('/me/phone/code', { phone });
    expect(sent.status).toBe(200);
    const message = t.sandbox!.sms.sent.findLast((m) => m.phone === phone)!;
    expect(message).toMatchObject({ signName: '匠心', templateCode: 'SMS_100001' });
    expect(message.params['code']).toMatch(/^\d{6}$/);
    expect(await outbox(phone)).toMatchObject({ state: 'sent', attempts: 1, params: {} });
    const verified = await user.api.post('/me/phone/verify', { phone, code: message.params['code'] });
    expect(verified.status).toBe(200);
    expect((await user.api.get('/me')).body).toMatchObject({ phoneVerified: true });
  });

  it('is refused by the endpoint with a wrong key, a forged signature or a replayed nonce', async () => {
    const sms = t.sandbox!.sms;
    const wrongKey = new AliyunSmsSender({
      endpoint: sms.endpoint,
      accessKeyId: sms.accessKeyId,
      accessKeySecret: 'not-the-secret',
      signName: '匠心',
      templates: { verification_code: 'SMS_100001' },
    });
    await expect(wrongKey.send(nextPhone(), 'verification_code', { code: '123456' })).rejects.toThrow(
      /SignatureDoesNotMatch/,
    );
    await expect(wrongKey.send(nextPhone(), 'order_paid', {})).rejects.toThrow(
      /"order_paid" has no Aliyun template code/,
    );

    const params: Record<string, string> = {
      AccessKeyId: sms.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      RegionId: 'cn-hangzhou',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: randomUUID(),
      SignatureVersion: '1.0',
      Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
      PhoneNumbers: nextPhone(),
      SignName: '匠心',
      TemplateCode: 'SMS_100001',
      TemplateParam: JSON.stringify({ code: '654321' }),
    };
    const post = (p: Record<string, string>) =>
      fetch(sms.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Object.entries(p)
          .map(([k, v]) => `${aliyunEncode(k)}=${aliyunEncode(v)}`)
          .join('&'),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { Code: string } }));
    const signed = { ...params, Signature: aliyunRpcSignature('POST', params, sms.accessKeySecret) };
    expect((await post(signed)).body.Code).toBe('OK');
    // The same request again (a replay), and one whose phone number was changed after signing.
    expect((await post(signed)).body.Code).toBe('SignatureNonceUsed');
    const tampered = { ...signed, SignatureNonce: randomUUID(), PhoneNumbers: nextPhone() };
    expect((await post(tampered)).body.Code).toBe('SignatureDoesNotMatch');
  });

  it('retries a failed send from the notifications job, then records a failure past the attempts', async () => {
    const user = await signUp(new ApiClient(t.url));
    const phone = nextPhone();
    t.sandbox!.sms.failNext(1);
    expect((await user.api.post('/me/phone/code', { phone })).status).toBe(200);
    expect(lastCode(phone)).toBeUndefined();
    const failed = await outbox(phone);
    expect(failed).toMatchObject({ state: 'pending', attempts: 1 });
    expect(failed.last_error).toMatch(/isv\.BUSINESS_LIMIT_CONTROL/);
    // The job's next pass after the backoff delivers it, and the code still verifies.
    t.clock.advance(2 * 60_000);
    await deliverNotifications(t.ctx);
    expect(await outbox(phone)).toMatchObject({ state: 'sent', attempts: 2, params: {} });
    expect((await user.api.post('/me/phone/verify', { phone, code: lastCode(phone) })).status).toBe(200);

    // A provider that keeps refusing: three attempts (NOTIFY_MAX_ATTEMPTS), then failed, code erased.
    const other = nextPhone();
    t.sandbox!.sms.failNext(3);
    expect((await user.api.post('/me/phone/code', { phone: other })).status).toBe(200);
    for (let i = 0; i < 2; i++) {
      t.clock.advance(HOUR);
      await deliverNotifications(t.ctx);
    }
    const given = await outbox(other);
    expect(given).toMatchObject({ state: 'failed', attempts: 3, params: {} });
    expect(given.last_error).toMatch(/BUSINESS_LIMIT_CONTROL/);
    expect(lastCode(other)).toBeUndefined();
  });

  it('limits codes per phone (a minute apart, a few a day) and per address', async () => {
    const user = await signUp(new ApiClient(t.url));
    const phone = nextPhone();
    expect((await user.api.post('/me/phone/code', { phone })).status).toBe(200);
    const soon = await user.api.post('/me/phone/code', { phone });
    expect(soon.status).toBe(429);
    expect(soon.body.detail).toMatch(/60 秒/);
    for (let i = 0; i < 3; i++) {
      t.clock.advance(61_000);
      expect((await user.api.post('/me/phone/code', { phone })).status).toBe(200);
    }
    t.clock.advance(61_000);
    const daily = await user.api.post('/me/phone/code', { phone });
    expect(daily.status).toBe(429);
    expect(daily.body.detail).toMatch(/今天的验证码次数已用完/);
    // A day later the phone may have codes again.
    t.clock.advance(25 * HOUR);
    expect((await user.api.post('/me/phone/code', { phone })).status).toBe(200);

    // One address walking many phones: the route's per-address limit (12 an hour here) stops it.
    let refused = 0;
    for (let i = 0; i < 14; i++) {
      const r = await user.api.post('/me/phone/code', { phone: nextPhone() });
      if (r.status === 429) refused += 1;
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('reads its template codes from configuration, naming a bad entry', () => {
    expect(parseSmsTemplates('verification_code=SMS_1, order_paid=SMS_22')).toEqual({
      verification_code: 'SMS_1',
      order_paid: 'SMS_22',
    });
    expect(() => parseSmsTemplates('verification_code=123')).toThrow(
      /"verification_code=123" is not name=SMS_<digits>/,
    );
  });
});
