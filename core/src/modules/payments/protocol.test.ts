import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { Aes, Formatter, Rsa } from 'wechatpay-axios-plugin';
import { loadSandboxKeys, type SandboxKeys } from '../../sandbox/keys';
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  alipaySignContent,
  formatWechatAuthorization,
  jsonTopLevelMembers,
  parseFormStrict,
  parseWechatAuthorization,
  rsaPrivateKey,
  rsaPublicKey,
  rsaSign,
  rsaSignAsync,
  rsaVerify,
  shanghaiDate,
  shanghaiDateTime,
  shanghaiRfc3339,
  wechatRequestMessage,
  wechatResponseMessage,
} from './protocol';

// Our protocol code is checked against the official SDKs, so the adapters and the sandbox (which share it)
// cannot agree on a dialect the real gateways would not speak.

let keys: SandboxKeys;
beforeAll(async () => {
  keys = await loadSandboxKeys();
});

describe('rsaSignAsync', () => {
  it('produces exactly the signature rsaSign does (RSA PKCS#1 v1.5 is deterministic)', async () => {
    const key = rsaPrivateKey(keys.alipay.merchant.privateKey);
    const message = 'app_id=9021000000000001&biz_content={"subject":"标志设计"}&method=alipay.trade.page.pay';
    expect(await rsaSignAsync(message, key)).toBe(rsaSign(message, key));
  });
});

describe('Alipay RSA2 against alipay-sdk', () => {
  it('a request signed by alipay-sdk verifies with our string-to-sign (excluding only sign)', () => {
    const sdk = new AlipaySdk({
      appId: '9021000000000001',
      privateKey: keys.alipay.merchant.privateKey,
      keyType: 'PKCS8',
      alipayPublicKey: keys.alipay.gateway.publicKey,
      gateway: 'http://127.0.0.1:1/alipay/gateway.do',
    });
    const url = sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: {
        out_trade_no: 'T1',
        total_amount: '88.00',
        subject: '标志设计 & logo=1',
        product_code: 'FAST_INSTANT_TRADE_PAY',
      },
      notifyUrl: 'http://127.0.0.1/notify?a=1&b=2',
    });
    const params = parseFormStrict(new URL(url).search.slice(1))!;
    expect(params.sign_type).toBe('RSA2');
    const pub = rsaPublicKey(keys.alipay.merchant.publicKey);
    expect(rsaVerify(alipaySignContent(params, ['sign']), params.sign!, pub)).toBe(true);
    // sign_type is covered by request signatures: dropping it from the content must break verification.
    expect(rsaVerify(alipaySignContent(params, ['sign', 'sign_type']), params.sign!, pub)).toBe(false);
  });

  it('a notification signed by us passes alipay-sdk checkNotifySignV2, and a changed field does not', () => {
    const sdk = new AlipaySdk({
      appId: '9021000000000001',
      privateKey: keys.alipay.merchant.privateKey,
      keyType: 'PKCS8',
      alipayPublicKey: keys.alipay.gateway.publicKey,
    });
    const params: Record<string, string> = {
      notify_type: 'trade_status_sync',
      app_id: '9021000000000001',
      sign_type: 'RSA2',
      out_trade_no: 'T1',
      subject: '100% 原创 + logo',
      total_amount: '88.00',
      trade_status: 'TRADE_SUCCESS',
      empty_field: '',
    };
    const gatewayKey = rsaPrivateKey(keys.alipay.gateway.privateKey);
    const { empty_field: _, ...nonEmpty } = params;
    nonEmpty.sign = rsaSign(alipaySignContent(nonEmpty, ['sign', 'sign_type']), gatewayKey);
    const received = parseFormStrict(new URLSearchParams(nonEmpty).toString())!;
    expect(sdk.checkNotifySignV2(received)).toBe(true);
    expect(sdk.checkNotifySignV2({ ...received, total_amount: '0.01' })).toBe(false);
    // With an empty field the SDK signs `empty_field=`; our keepEmpty variant is that string.
    params.sign = rsaSign(alipaySignContent(params, ['sign', 'sign_type'], { keepEmpty: true }), gatewayKey);
    expect(sdk.checkNotifySignV2(parseFormStrict(new URLSearchParams(params).toString())!)).toBe(true);
  });

  it('a response envelope built like the sandbox builds it passes alipay-sdk checkResponseSign', () => {
    const sdk = new AlipaySdk({
      appId: '9021000000000001',
      privateKey: keys.alipay.merchant.privateKey,
      keyType: 'PKCS8',
      alipayPublicKey: keys.alipay.gateway.publicKey,
    });
    const inner = JSON.stringify({
      code: '10000',
      msg: 'Success',
      subject: 'a "quoted" {brace}',
      out_trade_no: 'T1',
    });
    const sign = rsaSign(inner, rsaPrivateKey(keys.alipay.gateway.privateKey));
    const raw = `{"alipay_trade_query_response":${inner},"sign":"${sign}"}`;
    expect(() => sdk.checkResponseSign(raw, 'alipay_trade_query_response', sign, 'trace')).not.toThrow();
    expect(jsonTopLevelMembers(raw)?.get('alipay_trade_query_response')).toBe(inner);
  });
});

describe('jsonTopLevelMembers', () => {
  it('returns the exact source text of nested values, strings with braces, escapes and whitespace', () => {
    const text = '{ "a" : {"x":"}\\"{","y":[1,{"z":null}]} , "b":"s\\u00e9", "c": 12.50 ,"d":true}';
    const m = jsonTopLevelMembers(text)!;
    expect(m.get('a')).toBe('{"x":"}\\"{","y":[1,{"z":null}]}');
    expect(m.get('b')).toBe('"s\\u00e9"');
    expect(m.get('c')).toBe('12.50');
    expect(m.get('d')).toBe('true');
  });

  it('refuses non-objects, invalid JSON and repeated member names', () => {
    expect(jsonTopLevelMembers('[1]')).toBeNull();
    expect(jsonTopLevelMembers('{"a":1')).toBeNull();
    expect(jsonTopLevelMembers('{"a":{"n":1},"a":{"n":2}}')).toBeNull();
  });
});

describe('WeChat Pay v3 against wechatpay-axios-plugin', () => {
  it('request and response messages match the plugin Formatter, and signatures cross-verify', () => {
    const body = '{"amount":{"total":100}}';
    expect(wechatRequestMessage('POST', '/v3/pay/transactions/native', '1700000000', 'n0nce', body)).toBe(
      Formatter.request('POST', '/v3/pay/transactions/native', '1700000000', 'n0nce', body),
    );
    expect(wechatResponseMessage('1700000000', 'n0nce', body)).toBe(
      Formatter.response('1700000000', 'n0nce', body),
    );
    const message = wechatResponseMessage('1700000000', 'n0nce', body);
    const ours = rsaSign(message, rsaPrivateKey(keys.wechat.platform.privateKey));
    expect(Rsa.verify(message, ours, Rsa.from(keys.wechat.platform.publicKey, 'public'))).toBe(true);
    const theirs = Rsa.sign(message, Rsa.from(keys.wechat.merchant.privateKey, 'private'));
    expect(rsaVerify(message, theirs, rsaPublicKey(keys.wechat.merchant.publicKey))).toBe(true);
    expect(rsaVerify(`${message} `, theirs, rsaPublicKey(keys.wechat.merchant.publicKey))).toBe(false);
  });

  it('parses the plugin Authorization header (other field order) and round-trips our own', () => {
    const header = Formatter.authorization('1900000001', 'abc', 'c2ln', '1700000000', 'SERIAL');
    expect(parseWechatAuthorization(header)).toEqual({
      mchid: '1900000001',
      nonce_str: 'abc',
      signature: 'c2ln',
      timestamp: '1700000000',
      serial_no: 'SERIAL',
    });
    const a = { mchid: 'm', nonce_str: 'n', signature: 's', timestamp: '1', serial_no: 'x' };
    expect(parseWechatAuthorization(formatWechatAuthorization(a))).toEqual(a);
    expect(parseWechatAuthorization('Bearer x')).toBeNull();
    expect(parseWechatAuthorization(`${formatWechatAuthorization(a)},mchid="other"`)).toBeNull();
    expect(parseWechatAuthorization('WECHATPAY2-SHA256-RSA2048 mchid="m",nonce_str="n"')).toBeNull();
  });

  it('AES-256-GCM output decrypts with the plugin and a flipped byte fails authentication', () => {
    const key = keys.wechat.apiV3Key;
    const ct = aesGcmEncrypt('{"trade_state":"SUCCESS","支付":"成功"}', key, 'abcdefghijkl', 'transaction');
    expect(Aes.AesGcm.decrypt(ct, key, 'abcdefghijkl', 'transaction')).toBe(
      '{"trade_state":"SUCCESS","支付":"成功"}',
    );
    const theirs = Aes.AesGcm.encrypt('hello', key, 'abcdefghijkl', 'transaction');
    expect(aesGcmDecrypt(theirs, key, 'abcdefghijkl', 'transaction')).toBe('hello');
    const bytes = Buffer.from(ct, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    expect(() => aesGcmDecrypt(bytes.toString('base64'), key, 'abcdefghijkl', 'transaction')).toThrow();
    expect(() => aesGcmDecrypt(ct, key, 'abcdefghijkl', 'other-aad')).toThrow();
  });
});

describe('keys and times', () => {
  it('loads PEM with escaped newlines and bare base64 DER; refuses a private key as public and short keys', () => {
    const pem = keys.alipay.gateway.publicKey;
    expect(rsaPublicKey(pem.replace(/\n/g, '\\n')).type).toBe('public');
    const bare = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(rsaPublicKey(bare).type).toBe('public');
    const barePrivate = keys.alipay.gateway.privateKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(rsaPrivateKey(barePrivate).type).toBe('private');
    expect(() => rsaPublicKey(keys.alipay.gateway.privateKey)).toThrow(/public key/);
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() => rsaPrivateKey(weak.privateKey)).toThrow(/2048/);
  });

  it('formats Asia/Shanghai times (UTC+8, no DST)', () => {
    const d = new Date('2026-11-26T16:30:05Z');
    expect(shanghaiDateTime(d)).toBe('2026-11-27 00:30:05');
    expect(shanghaiDate(d)).toBe('2026-11-27');
    expect(shanghaiRfc3339(d)).toBe('2026-11-27T00:30:05+08:00');
  });

  it('parseFormStrict refuses repeated fields', () => {
    expect(parseFormStrict('a=1&b=2')).toEqual({ a: '1', b: '2' });
    expect(parseFormStrict('a=1&a=2')).toBeNull();
  });
});
