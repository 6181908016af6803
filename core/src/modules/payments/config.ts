import type { Env } from '../../platform/config';
import { AlipayGateway } from './alipay';
import type { PaymentGateways } from './gateway';
import { WechatPayGateway } from './wechat';

/**
 * Everything the adapters need to talk to the sandbox gateway instead of the real providers. The sandbox
 * generates these (or loads them from its key file); the private keys here are the ones *we* hold.
 */
export interface SandboxCredentials {
  alipay: {
    appId: string;
    /** PEM (SPKI) of the sandbox "Alipay" key pair: verifies notifications and responses. */
    gatewayPublicKey: string;
    /** PEM (PKCS#8) of the merchant key pair the sandbox registered for us: signs our requests. */
    merchantPrivateKey: string;
    /** The sandbox's `/alipay/gateway.do` URL. */
    gatewayUrl: string;
  };
  wechat: {
    mchid: string;
    appid: string;
    apiV3Key: string;
    platformPublicKey: string;
    platformSerial: string;
    merchantPrivateKey: string;
    merchantSerial: string;
    /** The sandbox base URL (the adapter appends `/v3/...`). */
    gatewayUrl: string;
  };
}

/** Knobs that are not credentials. */
export interface GatewayOptions {
  /** The clock the adapters stamp requests with and judge notification freshness by. */
  now?: () => Date;
  /** Per-request timeout of server-to-server calls (default 10 s). */
  timeoutMs?: number;
}

/**
 * Builds both gateways from the environment. Each credential comes from its env variable when set and
 * otherwise from the sandbox passed in; with neither, throws one error naming every missing variable, so
 * a production start without keys fails loudly instead of silently talking to nothing.
 */
export function createGateways(
  env: Env,
  sandbox?: SandboxCredentials,
  options: GatewayOptions = {},
): PaymentGateways {
  const missing: string[] = [];
  const pick = (name: keyof Env, fallback: string | undefined): string => {
    const value = env[name];
    if (typeof value === 'string' && value !== '') return value;
    if (fallback !== undefined && fallback !== '') return fallback;
    missing.push(name);
    return '';
  };
  const sa = sandbox?.alipay;
  const sw = sandbox?.wechat;
  const alipay = {
    appId: pick('ALIPAY_APP_ID', sa?.appId),
    gatewayPublicKey: pick('ALIPAY_PUBLIC_KEY', sa?.gatewayPublicKey),
    merchantPrivateKey: pick('ALIPAY_PRIVATE_KEY', sa?.merchantPrivateKey),
    gatewayUrl: pick('ALIPAY_GATEWAY_URL', sa?.gatewayUrl),
  };
  const wechat = {
    mchid: pick('WECHATPAY_MCHID', sw?.mchid),
    appid: pick('WECHATPAY_APPID', sw?.appid),
    apiV3Key: pick('WECHATPAY_APIV3_KEY', sw?.apiV3Key),
    platformPublicKey: pick('WECHATPAY_PLATFORM_PUBLIC_KEY', sw?.platformPublicKey),
    platformSerial: pick('WECHATPAY_PLATFORM_SERIAL', sw?.platformSerial),
    merchantPrivateKey: pick('WECHATPAY_PRIVATE_KEY', sw?.merchantPrivateKey),
    merchantSerial: pick('WECHATPAY_MERCHANT_SERIAL', sw?.merchantSerial),
    gatewayUrl: pick('WECHATPAY_GATEWAY_URL', sw?.gatewayUrl),
  };
  if (missing.length > 0) {
    throw new Error(
      `Payment gateways are not configured: set ${missing.join(', ')} (or start the sandbox gateway to use its generated credentials)`,
    );
  }
  const now = options.now ?? (() => new Date());
  const timeout = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  return {
    alipay: new AlipayGateway({ ...alipay, ...timeout }, now),
    wechat: new WechatPayGateway({ ...wechat, ...timeout }, now),
  };
}
