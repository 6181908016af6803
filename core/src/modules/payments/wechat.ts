import { constants, type KeyObject, publicEncrypt, randomBytes } from 'node:crypto';
import {
  type CreatePaymentInput,
  NotificationRejected,
  type NotifyAck,
  type PaymentGateway,
  type RefundInput,
  type RemoteResult,
  type TransferInput,
  type VerifiedNotification,
} from './gateway';
import {
  aesGcmDecrypt,
  fetchGateway,
  formatWechatAuthorization,
  GatewayResponseError,
  GatewayUnavailableError,
  type KeyInput,
  obj,
  rsaPrivateKey,
  rsaPublicKey,
  rsaSign,
  rsaVerify,
  str,
  wechatRequestMessage,
  wechatResponseMessage,
} from './protocol';

/** What the WeChat Pay v3 adapter needs; keys as PEM / base64 / KeyObject. No environment access inside. */
export interface WechatPayConfig {
  mchid: string;
  appid: string;
  /** The 32-character APIv3 key: decrypts notification resources. */
  apiV3Key: string;
  /** WeChat Pay platform public key: verifies responses and notifications. */
  platformPublicKey: KeyInput;
  /** Serial of that platform key; anything signed under another serial is refused. */
  platformSerial: string;
  /** Our merchant API private key: signs requests. */
  merchantPrivateKey: KeyInput;
  /** Serial of our merchant API certificate, sent as `serial_no`. */
  merchantSerial: string;
  /** API base, e.g. `https://api.mch.weixin.qq.com` or the sandbox URL. */
  gatewayUrl: string;
  /** Per-request timeout for server-to-server calls (default 10 s). */
  timeoutMs?: number;
}

type Outcome = VerifiedNotification['outcome'];

const TRADE_STATE: Readonly<Record<string, Outcome>> = {
  SUCCESS: 'succeeded',
  REFUND: 'succeeded', // paid, then (partly) refunded
  PAYERROR: 'failed',
  CLOSED: 'closed',
  REVOKED: 'closed',
  NOTPAY: 'pending',
  USERPAYING: 'pending',
};

/** How far a notification's Wechatpay-Timestamp may be from our clock (replay window). */
const MAX_SKEW_SECONDS = 5 * 60;

type Json = Record<string, unknown>;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== lower) continue;
    return typeof v === 'string' ? v : undefined; // repeated headers are ambiguous: treat as missing
  }
  return undefined;
}

function isSafeFen(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * WeChat Pay API v3 adapter (Native pay). Requests carry a WECHATPAY2-SHA256-RSA2048 Authorization signed
 * with our merchant key; responses and notifications must be signed by the configured platform key
 * (matching serial), and notification resources are AES-256-GCM-decrypted with the APIv3 key.
 */
export class WechatPayGateway implements PaymentGateway {
  readonly provider = 'wechat' as const;
  readonly payUrlIsLocal = false;
  readonly #c: Omit<WechatPayConfig, 'platformPublicKey' | 'merchantPrivateKey'>;
  readonly #platformKey: KeyObject;
  readonly #merchantKey: KeyObject;
  readonly #timeoutMs: number;
  readonly #now: () => Date;

  constructor(config: WechatPayConfig, now: () => Date = () => new Date()) {
    if (Buffer.byteLength(config.apiV3Key, 'utf8') !== 32)
      throw new Error('WeChat Pay APIv3 key must be 32 bytes');
    const { platformPublicKey, merchantPrivateKey, ...rest } = config;
    this.#c = { ...rest, gatewayUrl: config.gatewayUrl.replace(/\/+$/, '') };
    this.#platformKey = rsaPublicKey(platformPublicKey, 'WeChat Pay platform public key');
    this.#merchantKey = rsaPrivateKey(merchantPrivateKey, 'WeChat Pay merchant private key');
    this.#timeoutMs = config.timeoutMs ?? 10_000;
    this.#now = now;
  }

  /**
   * One signed call. Returns HTTP status and the parsed body after the platform signature checked out;
   * throws GatewayUnavailableError (timeout, network, 5xx) or GatewayResponseError (unverifiable answer).
   */
  async #request(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
    extraHeaders: Record<string, string> = {},
  ): Promise<{ status: number; json: Json }> {
    const url = new URL(this.#c.gatewayUrl + path);
    const bodyText = body === undefined ? '' : JSON.stringify(body);
    const timestamp = String(Math.floor(this.#now().getTime() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signature = rsaSign(
      wechatRequestMessage(method, url.pathname + url.search, timestamp, nonce, bodyText),
      this.#merchantKey,
    );
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': 'jiangxin-core',
      authorization: formatWechatAuthorization({
        mchid: this.#c.mchid,
        nonce_str: nonce,
        signature,
        timestamp,
        serial_no: this.#c.merchantSerial,
      }),
      ...extraHeaders,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetchGateway(
      url.toString(),
      { method, headers, body: body === undefined ? undefined : bodyText },
      this.#timeoutMs,
    );
    const text = await res.text();
    const h = Object.fromEntries(res.headers.entries());
    const problem = this.#signatureProblem(h, text);
    if (problem)
      throw new GatewayResponseError(`wechat ${method} ${url.pathname}: HTTP ${res.status}, ${problem}`);
    let json: Json = {};
    if (text) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('not an object');
        json = parsed as Json;
      } catch {
        throw new GatewayResponseError(
          `wechat ${method} ${url.pathname}: HTTP ${res.status}, body is not a JSON object`,
        );
      }
    }
    return { status: res.status, json };
  }

  /** Null when the Wechatpay-* headers prove the platform signed `body`; otherwise why not. */
  #signatureProblem(headers: Record<string, string | string[] | undefined>, body: string): string | null {
    const signature = header(headers, 'wechatpay-signature');
    const timestamp = header(headers, 'wechatpay-timestamp');
    const nonce = header(headers, 'wechatpay-nonce');
    const serial = header(headers, 'wechatpay-serial');
    if (!signature || !timestamp || !nonce || !serial)
      return 'missing Wechatpay-Signature/Timestamp/Nonce/Serial header';
    if (serial !== this.#c.platformSerial)
      return `Wechatpay-Serial ${serial} is not the configured platform serial`;
    if (!rsaVerify(wechatResponseMessage(timestamp, nonce, body), signature, this.#platformKey)) {
      return 'signature does not verify with the platform public key';
    }
    return null;
  }

  async createPayment(input: CreatePaymentInput): Promise<{ payUrl: string }> {
    if (!(input.amountFen > 0) || !Number.isSafeInteger(input.amountFen)) {
      throw new RangeError(`payment amount must be a positive integer of fen, got ${input.amountFen}`);
    }
    const { status, json } = await this.#request('POST', '/v3/pay/transactions/native', {
      appid: this.#c.appid,
      mchid: this.#c.mchid,
      description: input.subject,
      out_trade_no: input.outTradeNo,
      notify_url: input.notifyUrl,
      amount: { total: input.amountFen, currency: 'CNY' },
    });
    const codeUrl = str(json, 'code_url');
    if (status !== 200 || !codeUrl)
      throw new GatewayResponseError(`wechat native pay: HTTP ${status} ${describe(json)}`);
    return { payUrl: codeUrl };
  }

  async verifyNotification(req: {
    headers: Record<string, string | string[] | undefined>;
    rawBody: string;
  }): Promise<VerifiedNotification> {
    const early = (reason: string) => new NotificationRejected(`wechat: ${reason}`, null);
    const timestamp = header(req.headers, 'wechatpay-timestamp');
    const problem = this.#signatureProblem(req.headers, req.rawBody);
    if (problem) throw early(problem);
    if (!timestamp || !/^\d{1,12}$/.test(timestamp)) throw early('malformed Wechatpay-Timestamp');
    const skew = Math.abs(this.#now().getTime() / 1000 - Number(timestamp));
    if (skew > MAX_SKEW_SECONDS)
      throw early(`Wechatpay-Timestamp is ${Math.round(skew)} s away from now (stale or replayed)`);

    let envelope: unknown;
    try {
      envelope = JSON.parse(req.rawBody);
    } catch {
      throw early('body is not JSON');
    }
    if (str(envelope, 'resource_type') !== 'encrypt-resource')
      throw early('resource_type is not encrypt-resource');
    const eventType = str(envelope, 'event_type') ?? '';
    if (!eventType.startsWith('TRANSACTION.'))
      throw early(`unsupported event_type ${eventType || '(missing)'}`);
    const resource = obj(envelope, 'resource');
    const ciphertext = str(resource, 'ciphertext');
    const nonce = str(resource, 'nonce');
    if (str(resource, 'algorithm') !== 'AEAD_AES_256_GCM' || !ciphertext || !nonce) {
      throw early('resource is not AEAD_AES_256_GCM with ciphertext and nonce');
    }
    let plain: string;
    try {
      plain = aesGcmDecrypt(ciphertext, this.#c.apiV3Key, nonce, str(resource, 'associated_data') ?? '');
    } catch {
      throw early('resource does not decrypt with our APIv3 key');
    }
    let tx: unknown;
    try {
      tx = JSON.parse(plain);
    } catch {
      throw early('decrypted resource is not JSON');
    }
    const outTradeNo = str(tx, 'out_trade_no') ?? null;
    return this.#toVerified(tx, (reason) => new NotificationRejected(`wechat: ${reason}`, outTradeNo));
  }

  /** Checks a transaction object (decrypted notification or query answer) belongs to us and maps it. */
  #toVerified(tx: unknown, fail: (reason: string) => Error): VerifiedNotification {
    if (str(tx, 'mchid') !== this.#c.mchid)
      throw fail(`mchid ${str(tx, 'mchid') ?? '(missing)'} is not ours`);
    if (str(tx, 'appid') !== this.#c.appid)
      throw fail(`appid ${str(tx, 'appid') ?? '(missing)'} is not ours`);
    const rawStatus = str(tx, 'trade_state') ?? '';
    const outcome = TRADE_STATE[rawStatus];
    if (!outcome) throw fail(`unknown trade_state ${rawStatus || '(missing)'}`);
    const outTradeNo = str(tx, 'out_trade_no');
    if (!outTradeNo) throw fail('missing out_trade_no');
    const providerTradeNo = str(tx, 'transaction_id') ?? '';
    if (outcome === 'succeeded' && !providerTradeNo) throw fail('missing transaction_id');
    const amount = obj(tx, 'amount');
    const total = amount?.total;
    if (!isSafeFen(total)) throw fail(`malformed amount.total ${JSON.stringify(total)}`);
    if (amount?.currency !== undefined && amount.currency !== 'CNY')
      throw fail(`unexpected currency ${String(amount.currency)}`);
    return { provider: 'wechat', outTradeNo, providerTradeNo, amountFen: total, outcome, rawStatus };
  }

  ackSuccess(): NotifyAck {
    return { status: 204, contentType: 'text/plain; charset=utf-8', body: '' };
  }

  /**
   * WeChat Pay v3 takes any 4XX or 5XX with `{"code":"FAIL"}` as "not received" and retries either way.
   * A refused notification (unverifiable, unknown trade, wrong amount) is a 4xx: the notification is at
   * fault, nothing failed here, and a 5xx stays what monitoring reads as the core being broken.
   */
  ackFailure(reason: string): NotifyAck {
    return {
      status: 400,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ code: 'FAIL', message: reason }),
    };
  }

  async queryPayment(outTradeNo: string): Promise<VerifiedNotification | null> {
    const { status, json } = await this.#request(
      'GET',
      `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${encodeURIComponent(this.#c.mchid)}`,
    );
    if (status === 404) return null;
    if (status !== 200)
      throw new GatewayResponseError(`wechat query payment: HTTP ${status} ${describe(json)}`);
    if (str(json, 'out_trade_no') !== outTradeNo) {
      throw new GatewayResponseError(
        `wechat query payment: answer is about ${str(json, 'out_trade_no')}, asked ${outTradeNo}`,
      );
    }
    return this.#toVerified(json, (reason) => new GatewayResponseError(`wechat query payment: ${reason}`));
  }

  async refund(input: RefundInput): Promise<RemoteResult> {
    return settle(async () => {
      const { status, json } = await this.#request('POST', '/v3/refund/domestic/refunds', {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRequestNo,
        reason: input.reason,
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      });
      if (status !== 200) return errorResult(status, json);
      const state = str(json, 'status');
      const refundId = str(json, 'refund_id');
      if (state === 'SUCCESS' && refundId) return { status: 'succeeded', gatewayRef: refundId };
      if (state === 'CLOSED' || state === 'ABNORMAL') return { status: 'failed', reason: `refund ${state}` };
      return { status: 'pending' };
    });
  }

  async transfer(input: TransferInput): Promise<RemoteResult> {
    return settle(async () => {
      // The payee's real name travels RSA-OAEP-encrypted to the platform key named by Wechatpay-Serial.
      const userName = publicEncrypt(
        { key: this.#platformKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
        Buffer.from(input.payeeName, 'utf8'),
      ).toString('base64');
      const { status, json } = await this.#request(
        'POST',
        '/v3/transfer/batches',
        {
          appid: this.#c.appid,
          out_batch_no: input.outBizNo,
          batch_name: input.remark || '匠心提现',
          batch_remark: input.remark || '匠心提现',
          total_amount: input.amountFen,
          total_num: 1,
          transfer_detail_list: [
            {
              out_detail_no: input.outBizNo,
              transfer_amount: input.amountFen,
              transfer_remark: input.remark || '匠心提现',
              openid: input.payeeAccount,
              user_name: userName,
            },
          ],
        },
        { 'wechatpay-serial': this.#c.platformSerial },
      );
      if (status !== 200) return errorResult(status, json);
      // A batch is accepted, then processed asynchronously: ask once for its state now.
      return (await this.queryTransfer(input.outBizNo)) ?? { status: 'pending' };
    });
  }

  async queryTransfer(outBizNo: string): Promise<RemoteResult | null> {
    const { status, json } = await this.#request(
      'GET',
      `/v3/transfer/batches/out-batch-no/${encodeURIComponent(outBizNo)}?need_query_detail=true&detail_status=ALL`,
    );
    if (status === 404) return null;
    if (status !== 200)
      throw new GatewayResponseError(`wechat query transfer: HTTP ${status} ${describe(json)}`);
    const batch = obj(json, 'transfer_batch');
    const batchStatus = str(batch, 'batch_status');
    if (batchStatus === 'CLOSED')
      return { status: 'failed', reason: `batch CLOSED ${str(batch, 'close_reason') ?? ''}`.trim() };
    if (batchStatus !== 'FINISHED') return { status: 'pending' };
    const details = Array.isArray(json.transfer_detail_list) ? (json.transfer_detail_list as unknown[]) : [];
    const detail = details[0];
    const detailStatus = str(detail, 'detail_status');
    if (detailStatus === 'SUCCESS')
      return {
        status: 'succeeded',
        gatewayRef: str(detail, 'detail_id') ?? str(batch, 'batch_id') ?? outBizNo,
      };
    if (detailStatus === 'FAIL')
      return { status: 'failed', reason: `detail FAIL ${str(detail, 'fail_reason') ?? ''}`.trim() };
    return { status: 'pending' };
  }
}

function describe(json: Json): string {
  return `${str(json, 'code') ?? ''} ${str(json, 'message') ?? ''}`.trim();
}

/** A signed non-200 answer to a money-moving call: throttling / system errors are "unknown", others final. */
function errorResult(status: number, json: Json): RemoteResult {
  const code = str(json, 'code');
  if (status === 429 || code === 'SYSTEM_ERROR' || code === 'FREQUENCY_LIMITED') return { status: 'pending' };
  return { status: 'failed', reason: `HTTP ${status} ${describe(json)}`.trim() };
}

/** Money-moving calls: an unreachable gateway means the outcome is unknown, not failed. */
async function settle(run: () => Promise<RemoteResult>): Promise<RemoteResult> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof GatewayUnavailableError) return { status: 'pending' };
    throw err;
  }
}
