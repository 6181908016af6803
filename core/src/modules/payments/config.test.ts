import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../../platform/config';
import { type Sandbox, startSandbox } from '../../sandbox/index';
import { AlipayGateway } from './alipay';
import { createGateways } from './config';
import { WechatPayGateway } from './wechat';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe('createGateways', () => {
  it('falls back to the sandbox credentials and the gateways work against it', async () => {
    const gateways = createGateways(loadEnv({}), sandbox.credentials);
    expect(gateways.alipay).toBeInstanceOf(AlipayGateway);
    expect(gateways.wechat).toBeInstanceOf(WechatPayGateway);
    const outTradeNo = `CFG${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const { payUrl } = await gateways.wechat.createPayment({
      outTradeNo,
      amountFen: 100,
      subject: 'x',
      notifyUrl: 'http://127.0.0.1:9/n',
    });
    expect(payUrl.startsWith(sandbox.url)).toBe(true);
    expect(await gateways.wechat.queryPayment(outTradeNo)).toMatchObject({
      outcome: 'pending',
      amountFen: 100,
    });
  });

  it('an env variable wins over the sandbox value', async () => {
    const gateways = createGateways(loadEnv({ ALIPAY_APP_ID: '2021000000000000' }), sandbox.credentials);
    // The sandbox does not know that app id: proof the env value was used.
    await expect(gateways.alipay.queryPayment('X')).rejects.toThrow(/isv.invalid-app-id/);
  });

  it('without env keys or a sandbox, names every missing variable', () => {
    expect(() => createGateways(loadEnv({}))).toThrow(
      /ALIPAY_APP_ID, ALIPAY_PUBLIC_KEY, ALIPAY_PRIVATE_KEY, ALIPAY_GATEWAY_URL, WECHATPAY_MCHID, WECHATPAY_APPID, WECHATPAY_APIV3_KEY, WECHATPAY_PLATFORM_PUBLIC_KEY, WECHATPAY_PLATFORM_SERIAL, WECHATPAY_PRIVATE_KEY, WECHATPAY_MERCHANT_SERIAL, WECHATPAY_GATEWAY_URL/,
    );
  });

  it('a malformed key fails at start, naming the key', () => {
    expect(() => createGateways(loadEnv({ ALIPAY_PUBLIC_KEY: 'not a key' }), sandbox.credentials)).toThrow(
      /^Alipay public key cannot be loaded/,
    );
  });
});
