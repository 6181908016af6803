import { type KeyObject, randomInt } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { rsaPrivateKey, rsaPublicKey } from '../modules/payments/protocol';
import type { SandboxKeys } from './keys';
import type { SandboxStore } from './store';

/** What the provider emulations share inside one running sandbox. */
export interface SandboxContext {
  readonly keys: SandboxKeys;
  readonly alipayGatewayKey: KeyObject;
  readonly alipayMerchantPublicKey: KeyObject;
  readonly wechatPlatformKey: KeyObject;
  readonly wechatMerchantPublicKey: KeyObject;
  readonly store: SandboxStore;
  /** The exact body text of a request (signatures are over bytes, not parsed objects). */
  rawBody(req: FastifyRequest): string;
  /** `http://127.0.0.1:<port>` once listening. */
  baseUrl(): string;
}

/** Parses the key material once per sandbox. */
export function contextKeys(keys: SandboxKeys) {
  return {
    alipayGatewayKey: rsaPrivateKey(keys.alipay.gateway.privateKey),
    alipayMerchantPublicKey: rsaPublicKey(keys.alipay.merchant.publicKey),
    wechatPlatformKey: rsaPrivateKey(keys.wechat.platform.privateKey),
    wechatMerchantPublicKey: rsaPublicKey(keys.wechat.merchant.publicKey),
  };
}

/** Random decimal digits, for trade numbers and ids in the providers' formats. */
export function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}
