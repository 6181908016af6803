import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  type KeyObject,
  sign as signWithCallback,
} from 'node:crypto';

/**
 * Wire-level pieces of the Alipay (RSA2) and WeChat Pay v3 protocols, shared by the core adapters and the
 * sandbox gateway. Pure functions over node:crypto; `protocol.test.ts` checks them against the official
 * SDKs (alipay-sdk, wechatpay-axios-plugin) so both sides cannot drift into the same private dialect.
 */

/** A key as configuration gives it: PEM (with real or `\n`-escaped newlines), bare base64 DER, or a KeyObject. */
export type KeyInput = string | KeyObject;

const MIN_RSA_BITS = 2048;

function normalisePem(text: string): string {
  return text.trim().replace(/\\n/g, '\n');
}

function checkRsa(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${what} is not an RSA key`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new Error(`${what} is an RSA key of ${bits} bits; at least ${MIN_RSA_BITS} are required`);
  return key;
}

/** Loads an RSA private key (PKCS#8 or PKCS#1, PEM or bare base64) once, failing fast on anything else. */
export function rsaPrivateKey(input: KeyInput, what = 'private key'): KeyObject {
  return named(what, () => loadPrivate(input, what));
}

/** Loads an RSA public key (SPKI or PKCS#1, PEM or bare base64); refuses a private key given by mistake. */
export function rsaPublicKey(input: KeyInput, what = 'public key'): KeyObject {
  return named(what, () => loadPublic(input, what));
}

function named(what: string, load: () => KeyObject): KeyObject {
  try {
    return load();
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith(what) ? message : `${what} cannot be loaded: ${message}`);
  }
}

function loadPrivate(input: KeyInput, what: string): KeyObject {
  if (typeof input !== 'string') {
    if (input.type !== 'private') throw new Error(`${what} must be a private key`);
    return checkRsa(input, what);
  }
  const text = normalisePem(input);
  if (text.includes('-----BEGIN')) return checkRsa(createPrivateKey(text), what);
  const der = Buffer.from(text, 'base64');
  try {
    return checkRsa(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), what);
  } catch {
    return checkRsa(createPrivateKey({ key: der, format: 'der', type: 'pkcs1' }), what);
  }
}

function loadPublic(input: KeyInput, what: string): KeyObject {
  if (typeof input !== 'string') {
    if (input.type !== 'public') throw new Error(`${what} must be a public key`);
    return checkRsa(input, what);
  }
  const text = normalisePem(input);
  if (text.includes('PRIVATE KEY')) throw new Error(`${what} must be a public key, got a private key`);
  if (text.includes('-----BEGIN')) return checkRsa(createPublicKey(text), what);
  const der = Buffer.from(text, 'base64');
  try {
    return checkRsa(createPublicKey({ key: der, format: 'der', type: 'spki' }), what);
  } catch {
    return checkRsa(createPublicKey({ key: der, format: 'der', type: 'pkcs1' }), what);
  }
}

/** SHA256withRSA (PKCS#1 v1.5) over the UTF-8 bytes of `message`, base64 — what RSA2 and WeChat v3 both use. */
export function rsaSign(message: string, key: KeyObject): string {
  return createSign('RSA-SHA256').update(message, 'utf8').sign(key, 'base64');
}

/**
 * The same signature as `rsaSign`, computed on libuv's thread pool: a 2048-bit RSA signature costs
 * 1–2 ms of CPU, which would otherwise stall every other request on the event loop meanwhile.
 */
export function rsaSignAsync(message: string, key: KeyObject): Promise<string> {
  return new Promise((resolve, reject) =>
    signWithCallback('sha256', Buffer.from(message, 'utf8'), key, (err, signature) =>
      err ? reject(err) : resolve(signature.toString('base64')),
    ),
  );
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Verifies an `rsaSign` signature; false (never throws) for malformed signatures. */
export function rsaVerify(message: string, signature: string, key: KeyObject): boolean {
  if (!BASE64.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(message, 'utf8').verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

/**
 * Alipay's string to sign: parameters sorted by key, `k=v` joined by `&`, values not URL-encoded, empty
 * values skipped. Requests exclude only `sign`; notifications exclude `sign` and `sign_type`.
 * `keepEmpty` writes empty values as `k=` instead — the variant Alipay's own notify checkers (Java
 * `rsaCheckV1`, alipay-sdk `checkNotifySignV2`) use, accepted as a fallback when verifying notifications.
 */
export function alipaySignContent(
  params: Readonly<Record<string, string | undefined | null>>,
  exclude: readonly string[],
  opts: { keepEmpty?: boolean } = {},
): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k))
    .sort()
    .flatMap((k) => {
      const v = params[k];
      if (v === undefined || v === null) return [];
      return v === '' && !opts.keepEmpty ? [] : [`${k}=${v}`];
    })
    .join('&');
}

/**
 * Parses `application/x-www-form-urlencoded` text into a plain record. Returns null when a key repeats:
 * two parsers may pick different copies, so a signed message with duplicates is ambiguous and refused.
 */
export function parseFormStrict(text: string): Record<string, string> | null {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    if (Object.hasOwn(out, k)) return null;
    out[k] = v;
  }
  return out;
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000; // China has no daylight saving time

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, the timestamp format of Alipay requests and notifications. */
export function shanghaiDateTime(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyy-MM-dd` in Asia/Shanghai — the business day statements are cut by. */
export function shanghaiDate(d: Date): string {
  return new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** RFC 3339 with the +08:00 offset, the way WeChat Pay writes times (`2026-11-26T10:34:56+08:00`). */
export function shanghaiRfc3339(d: Date): string {
  return `${new Date(d.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

/**
 * The exact source text of each top-level member value of a JSON object, keyed by member name.
 * Alipay signs the response object as it appears on the wire, so re-serialising a parsed copy would not
 * do. Returns null when the text is not a JSON object or a member name repeats.
 */
export function jsonTopLevelMembers(text: string): Map<string, string> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  } catch {
    return null;
  }
  let i = 0;
  const skipWs = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const skipValue = () => {
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      do {
        const d = text[i];
        if (d === '"') {
          skipString();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') depth--;
        i++;
      } while (depth > 0);
      return;
    }
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  };
  const members = new Map<string, string>();
  skipWs();
  i++; // {
  for (;;) {
    skipWs();
    if (text[i] === '}') break;
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    skipWs();
    i++; // :
    skipWs();
    const valueStart = i;
    skipValue();
    if (members.has(key)) return null;
    members.set(key, text.slice(valueStart, i));
    skipWs();
    if (text[i] === ',') i++;
  }
  return members;
}

/** WeChat Pay v3 request message: `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n`. */
export function wechatRequestMessage(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: string,
): string {
  return `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
}

/** WeChat Pay v3 response / notification message: `TIMESTAMP\nNONCE\nBODY\n`. */
export function wechatResponseMessage(timestamp: string, nonce: string, body: string): string {
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** The fields of a WeChat Pay v3 `Authorization` header. */
export interface WechatAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

const WECHAT_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** Formats the `Authorization` header value of a signed WeChat Pay v3 request. */
export function formatWechatAuthorization(a: WechatAuthorization): string {
  return `${WECHAT_SCHEMA} mchid="${a.mchid}",nonce_str="${a.nonce_str}",signature="${a.signature}",timestamp="${a.timestamp}",serial_no="${a.serial_no}"`;
}

/** Parses an `Authorization` header; null unless it has the v3 schema and every field exactly once. */
export function parseWechatAuthorization(header: string | undefined): WechatAuthorization | null {
  if (!header?.startsWith(`${WECHAT_SCHEMA} `)) return null;
  const fields: Record<string, string> = {};
  const re = /\s*([a-z_]+)="([^"]*)"\s*(?:,|$)/gy;
  const rest = header.slice(WECHAT_SCHEMA.length + 1);
  re.lastIndex = 0;
  let m: RegExpExecArray | null = re.exec(rest);
  let consumed = 0;
  while (m) {
    const [, k, v] = m;
    if (Object.hasOwn(fields, k!)) return null;
    fields[k!] = v!;
    consumed = re.lastIndex;
    m = re.exec(rest);
  }
  if (consumed !== rest.length) return null;
  const { mchid, nonce_str, signature, timestamp, serial_no } = fields;
  if (!mchid || !nonce_str || !signature || !timestamp || !serial_no) return null;
  return { mchid, nonce_str, signature, timestamp, serial_no };
}

/** AEAD_AES_256_GCM as WeChat Pay uses it: UTF-8 key and nonce, base64(ciphertext ‖ 16-byte tag). */
export function aesGcmEncrypt(
  plaintext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString(
    'base64',
  );
}

/** Decrypts `aesGcmEncrypt` output; throws when the tag does not authenticate (wrong key, tampered data). */
export function aesGcmDecrypt(
  ciphertext: string,
  apiV3Key: string,
  nonce: string,
  associatedData: string,
): string {
  const buf = Buffer.from(ciphertext, 'base64');
  if (buf.length < 17) throw new Error('ciphertext too short');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(nonce, 'utf8'),
    {
      authTagLength: 16,
    },
  );
  decipher.setAAD(Buffer.from(associatedData, 'utf8'));
  decipher.setAuthTag(buf.subarray(buf.length - 16));
  return Buffer.concat([decipher.update(buf.subarray(0, buf.length - 16)), decipher.final()]).toString(
    'utf8',
  );
}

/**
 * The gateway could not be reached or answered 5xx / timed out: the outcome of the call is unknown.
 * Refund and transfer turn this into `{status:'pending'}`; queries let it propagate.
 */
export class GatewayUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GatewayUnavailableError';
  }
}

/**
 * The gateway answered, but the answer cannot be trusted or understood (bad or missing signature, wrong
 * serial, malformed body, an error we do not map). Never treated as success or failure of the operation.
 */
export class GatewayResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayResponseError';
  }
}

/** `fetch` with a hard timeout; network errors and timeouts become GatewayUnavailableError. */
export async function fetchGateway(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new GatewayUnavailableError(`gateway answered HTTP ${res.status}`);
    }
    return res;
  } catch (err) {
    if (err instanceof GatewayUnavailableError) throw err;
    throw new GatewayUnavailableError(`gateway unreachable: ${(err as Error).message}`, { cause: err });
  }
}

/** Reads a string member of an untyped JSON object, or undefined. */
export function str(obj: unknown, key: string): string | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const v = (obj as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** Reads an object member of an untyped JSON object, or undefined. */
export function obj(o: unknown, key: string): Record<string, unknown> | undefined {
  if (o === null || typeof o !== 'object') return undefined;
  const v = (o as Record<string, unknown>)[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
