import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { rsaPrivateKey, rsaPublicKey } from '../modules/payments/protocol';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A PEM key pair (SPKI public, PKCS#8 private). */
export interface PemKeyPair {
  publicKey: string;
  privateKey: string;
}

/**
 * Every secret the sandbox plays with: both halves of the "provider" key pairs (it signs as Alipay and
 * as the WeChat Pay platform) and of the merchant key pairs it registered for us (it verifies our requests
 * with the public halves; the core signs with the private halves).
 */
export interface SandboxKeys {
  version: 1;
  alipay: { appId: string; gateway: PemKeyPair; merchant: PemKeyPair };
  wechat: {
    mchid: string;
    appid: string;
    apiV3Key: string;
    platformSerial: string;
    platform: PemKeyPair;
    merchantSerial: string;
    merchant: PemKeyPair;
  };
}

async function rsaPair(): Promise<PemKeyPair> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKey, privateKey };
}

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(10));
  return s;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random letters and digits, the alphabet WeChat uses for APIv3 keys and nonces. */
export function alnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

async function generate(): Promise<SandboxKeys> {
  const [alipayGateway, alipayMerchant, wechatPlatform, wechatMerchant] = await Promise.all([
    rsaPair(),
    rsaPair(),
    rsaPair(),
    rsaPair(),
  ]);
  return {
    version: 1,
    alipay: { appId: `9021${digits(12)}`, gateway: alipayGateway, merchant: alipayMerchant },
    wechat: {
      mchid: `19${digits(8)}`,
      appid: `wx${randomBytes(8).toString('hex')}`,
      apiV3Key: alnum(32),
      platformSerial: randomBytes(20).toString('hex').toUpperCase(),
      platform: wechatPlatform,
      merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
      merchant: wechatMerchant,
    },
  };
}

function checkPair(p: PemKeyPair | undefined, what: string): void {
  if (!p || typeof p.publicKey !== 'string' || typeof p.privateKey !== 'string')
    throw new Error(`${what} is missing`);
  rsaPublicKey(p.publicKey, `${what} public key`);
  rsaPrivateKey(p.privateKey, `${what} private key`);
}

function validate(k: SandboxKeys, file: string): SandboxKeys {
  try {
    if (k.version !== 1) throw new Error(`unsupported version ${String(k.version)}`);
    checkPair(k.alipay?.gateway, 'alipay.gateway');
    checkPair(k.alipay?.merchant, 'alipay.merchant');
    checkPair(k.wechat?.platform, 'wechat.platform');
    checkPair(k.wechat?.merchant, 'wechat.merchant');
    for (const v of [
      k.alipay.appId,
      k.wechat.mchid,
      k.wechat.appid,
      k.wechat.platformSerial,
      k.wechat.merchantSerial,
    ]) {
      if (typeof v !== 'string' || v === '') throw new Error('an id or serial is missing');
    }
    if (typeof k.wechat.apiV3Key !== 'string' || k.wechat.apiV3Key.length !== 32)
      throw new Error('apiV3Key must be 32 characters');
  } catch (err) {
    throw new Error(
      `Sandbox key file ${file} is unusable (${(err as Error).message}); delete it to generate new keys`,
    );
  }
  return k;
}

let inMemory: Promise<SandboxKeys> | undefined;

/**
 * The sandbox's keys. With `keyFile`: loaded from it, or generated once and written there (mode 0600), so
 * a restarted sandbox keeps the credentials the core was configured with. Without: generated once per
 * process and shared, because RSA generation is the slow part of starting many sandboxes in tests.
 */
export async function loadSandboxKeys(keyFile?: string): Promise<SandboxKeys> {
  if (!keyFile) {
    inMemory ??= generate();
    return inMemory;
  }
  let text: string | undefined;
  try {
    text = await readFile(keyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined) {
    let parsed: SandboxKeys;
    try {
      parsed = JSON.parse(text) as SandboxKeys;
    } catch {
      throw new Error(`Sandbox key file ${keyFile} is not JSON; delete it to generate new keys`);
    }
    return validate(parsed, keyFile);
  }
  const keys = await generate();
  await mkdir(path.dirname(keyFile), { recursive: true });
  try {
    await writeFile(keyFile, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process created it first: use theirs so both agree.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadSandboxKeys(keyFile);
    throw err;
  }
  return keys;
}
