import type { KeyObject } from 'node:crypto';
import { fenToYuan, yuanToFen } from '@jiangxin/shared/money';
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
  alipaySignContent,
  fetchGateway,
  GatewayResponseError,
  GatewayUnavailableError,
  jsonTopLevelMembers,
  type KeyInput,
  parseFormStrict,
  rsaPrivateKey,
  rsaPublicKey,
  rsaSignAsync,
  rsaVerify,
  shanghaiDateTime,
  str,
} from './protocol';

/** What the Alipay adapter needs; keys as PEM / base64 / KeyObject. No environment access inside. */
export interface AlipayConfig {
  appId: string;
  /** Full gateway endpoint, e.g. `https://openapi.alipay.com/gateway.do` or the sandbox's `/alipay/gateway.do`. */
  gatewayUrl: string;
  /** Alipay's public key: verifies notifications and responses. */
  gatewayPublicKey: KeyInput;
  /** Our application private key: signs requests. */
  merchantPrivateKey: KeyInput;
  /** Per-request timeout for server-to-server calls (default 10 s). */
  timeoutMs?: number;
}

type Outcome = VerifiedNotification['outcome'];

const TRADE_STATUS: Readonly<Record<string, Outcome>> = {
  TRADE_SUCCESS: 'succeeded',
  TRADE_FINISHED: 'succeeded',
  TRADE_CLOSED: 'closed',
  WAIT_BUYER_PAY: 'pending',
};

/** Sub-codes meaning "try again later" rather than a final refusal. */
const RETRYABLE_SUB_CODES = new Set(['ACQ.SYSTEM_ERROR', 'SYSTEM_ERROR', 'aop.ACQ.SYSTEM_ERROR']);

type AlipayResponse = Record<string, unknown>;

/**
 * Alipay (open platform, RSA2) adapter. Every request is signed with our private key; every notification
 * and every response is verified with Alipay's public key before a single field is believed.
 */
export class AlipayGateway implements PaymentGateway {
  readonly provider = 'alipay' as const;
  readonly payUrlIsLocal = true;
  readonly #appId: string;
  readonly #gatewayUrl: string;
  readonly #gatewayKey: KeyObject;
  readonly #merchantKey: KeyObject;
  readonly #timeoutMs: number;
  readonly #now: () => Date;

  constructor(config: AlipayConfig, now: () => Date = () => new Date()) {
    this.#appId = config.appId;
    this.#gatewayUrl = new URL(config.gatewayUrl).toString();
    this.#gatewayKey = rsaPublicKey(config.gatewayPublicKey, 'Alipay public key');
    this.#merchantKey = rsaPrivateKey(config.merchantPrivateKey, 'Alipay application private key');
    this.#timeoutMs = config.timeoutMs ?? 10_000;
    this.#now = now;
  }

  /** Common + method parameters with `sign` added (the signature covers `sign_type`). */
  async #signedParams(
    method: string,
    bizContent: object,
    extra: Record<string, string | undefined> = {},
  ): Promise<Record<string, string>> {
    const params: Record<string, string> = {
      app_id: this.#appId,
      method,
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: shanghaiDateTime(this.#now()),
      version: '1.0',
      biz_content: JSON.stringify(bizContent),
    };
    for (const [k, v] of Object.entries(extra)) if (v) params[k] = v;
    params.sign = await rsaSignAsync(alipaySignContent(params, ['sign']), this.#merchantKey);
    return params;
  }

  async createPayment(input: CreatePaymentInput): Promise<{ payUrl: string }> {
    if (!(input.amountFen > 0))
      throw new RangeError(`payment amount must be positive, got ${input.amountFen} fen`);
    const params = await this.#signedParams(
      'alipay.trade.page.pay',
      {
        out_trade_no: input.outTradeNo,
        total_amount: fenToYuan(input.amountFen),
        subject: input.subject,
        product_code: 'FAST_INSTANT_TRADE_PAY',
      },
      { notify_url: input.notifyUrl, return_url: input.returnUrl },
    );
    const url = new URL(this.#gatewayUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return { payUrl: url.toString() };
  }

  async verifyNotification(req: {
    headers: Record<string, string | string[] | undefined>;
    rawBody: string;
  }): Promise<VerifiedNotification> {
    const form = parseFormStrict(req.rawBody);
    if (!form) throw new NotificationRejected('alipay: duplicated form field');
    const claimedOutTradeNo = form.out_trade_no || null;
    const reject = (reason: string) => new NotificationRejected(`alipay: ${reason}`, claimedOutTradeNo);
    if (!form.sign) throw reject('missing sign');
    if (form.sign_type !== undefined && form.sign_type !== 'RSA2')
      throw reject(`unsupported sign_type ${form.sign_type}`);
    const verifies = (keepEmpty: boolean) =>
      rsaVerify(alipaySignContent(form, ['sign', 'sign_type'], { keepEmpty }), form.sign!, this.#gatewayKey);
    const hasEmpty = Object.values(form).some((v) => v === '');
    if (!verifies(false) && !(hasEmpty && verifies(true))) {
      throw reject('signature does not verify with the Alipay public key');
    }
    if (form.app_id !== this.#appId) throw reject(`app_id ${form.app_id ?? '(missing)'} is not ours`);
    return this.#toVerified(form, reject);
  }

  #toVerified(fields: Record<string, unknown>, fail: (reason: string) => Error): VerifiedNotification {
    const rawStatus = str(fields, 'trade_status') ?? '';
    const outcome = TRADE_STATUS[rawStatus];
    if (!outcome) throw fail(`unknown trade_status ${rawStatus || '(missing)'}`);
    const outTradeNo = str(fields, 'out_trade_no');
    const providerTradeNo = str(fields, 'trade_no');
    if (!outTradeNo) throw fail('missing out_trade_no');
    if (!providerTradeNo) throw fail('missing trade_no');
    const amountText = str(fields, 'total_amount') ?? '';
    const amountFen = yuanToFen(amountText);
    if (amountFen === null) throw fail(`malformed total_amount ${JSON.stringify(amountText)}`);
    return { provider: 'alipay', outTradeNo, providerTradeNo, amountFen, outcome, rawStatus };
  }

  ackSuccess(): NotifyAck {
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' };
  }

  ackFailure(_reason: string): NotifyAck {
    return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'failure' };
  }

  /**
   * One signed server-to-server call. Returns the verified `<method>_response` object; throws
   * GatewayUnavailableError (timeout, network, 5xx) or GatewayResponseError (unsigned, forged, malformed).
   */
  async #call(method: string, bizContent: object): Promise<AlipayResponse> {
    const params = await this.#signedParams(method, bizContent);
    const res = await fetchGateway(
      this.#gatewayUrl,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
          accept: 'application/json',
        },
        body: new URLSearchParams(params).toString(),
      },
      this.#timeoutMs,
    );
    const text = await res.text();
    const responseKey = `${method.replaceAll('.', '_')}_response`;
    const members = jsonTopLevelMembers(text);
    const raw = members?.get(responseKey);
    if (!members || raw === undefined) {
      throw new GatewayResponseError(`alipay ${method}: HTTP ${res.status}, no ${responseKey} in the answer`);
    }
    const signText = members.get('sign');
    const sign = signText?.startsWith('"') ? (JSON.parse(signText) as string) : undefined;
    if (!sign || !rsaVerify(raw, sign, this.#gatewayKey)) {
      throw new GatewayResponseError(
        `alipay ${method}: response signature does not verify with the Alipay public key`,
      );
    }
    const parsed: unknown = JSON.parse(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new GatewayResponseError(`alipay ${method}: ${responseKey} is not an object`);
    }
    return parsed as AlipayResponse;
  }

  async queryPayment(outTradeNo: string): Promise<VerifiedNotification | null> {
    const r = await this.#call('alipay.trade.query', { out_trade_no: outTradeNo });
    if (str(r, 'code') === '40004' && str(r, 'sub_code') === 'ACQ.TRADE_NOT_EXIST') return null;
    if (str(r, 'code') !== '10000') throw new GatewayResponseError(`alipay.trade.query: ${describeError(r)}`);
    if (str(r, 'out_trade_no') !== outTradeNo) {
      throw new GatewayResponseError(
        `alipay.trade.query: answer is about ${str(r, 'out_trade_no')}, asked ${outTradeNo}`,
      );
    }
    return this.#toVerified(r, (reason) => new GatewayResponseError(`alipay.trade.query: ${reason}`));
  }

  async refund(input: RefundInput): Promise<RemoteResult> {
    return settle(async () => {
      const r = await this.#call('alipay.trade.refund', {
        out_trade_no: input.outTradeNo,
        out_request_no: input.outRequestNo,
        refund_amount: fenToYuan(input.refundFen),
        refund_reason: input.reason,
      });
      if (str(r, 'code') === '10000') {
        // fund_change "N" on a repeated out_request_no still means the refund exists.
        return { status: 'succeeded', gatewayRef: str(r, 'trade_no') ?? input.outRequestNo };
      }
      return failedOrPending(r);
    });
  }

  async transfer(input: TransferInput): Promise<RemoteResult> {
    return settle(async () => {
      const r = await this.#call('alipay.fund.trans.uni.transfer', {
        out_biz_no: input.outBizNo,
        trans_amount: fenToYuan(input.amountFen),
        product_code: 'TRANS_ACCOUNT_NO_PWD',
        biz_scene: 'DIRECT_TRANSFER',
        order_title: input.remark || '匠心提现',
        payee_info: { identity: input.payeeAccount, identity_type: 'ALIPAY_LOGON_ID', name: input.payeeName },
        remark: input.remark,
      });
      if (str(r, 'code') === '10000') return transferStatus(r);
      return failedOrPending(r);
    });
  }

  async queryTransfer(outBizNo: string): Promise<RemoteResult | null> {
    const r = await this.#call('alipay.fund.trans.common.query', {
      out_biz_no: outBizNo,
      product_code: 'TRANS_ACCOUNT_NO_PWD',
      biz_scene: 'DIRECT_TRANSFER',
    });
    if (str(r, 'code') === '40004' && str(r, 'sub_code') === 'ORDER_NOT_EXIST') return null;
    if (str(r, 'code') !== '10000')
      throw new GatewayResponseError(`alipay.fund.trans.common.query: ${describeError(r)}`);
    return transferStatus(r);
  }
}

function describeError(r: AlipayResponse): string {
  return `${str(r, 'code')} ${str(r, 'msg') ?? ''} ${str(r, 'sub_code') ?? ''} ${str(r, 'sub_msg') ?? ''}`.trim();
}

function transferStatus(r: AlipayResponse): RemoteResult {
  const status = str(r, 'status');
  const orderId = str(r, 'order_id');
  if (status === 'SUCCESS' && orderId) return { status: 'succeeded', gatewayRef: orderId };
  if (status === 'FAIL' || status === 'REFUND' || status === 'CLOSED') {
    return {
      status: 'failed',
      reason: `${status}: ${str(r, 'fail_reason') ?? str(r, 'error_code') ?? ''}`.trim(),
    };
  }
  return { status: 'pending' };
}

/** A non-10000 answer: a system error means "unknown, query then retry"; anything else is final. */
function failedOrPending(r: AlipayResponse): RemoteResult {
  if (str(r, 'code') === '20000' || RETRYABLE_SUB_CODES.has(str(r, 'sub_code') ?? ''))
    return { status: 'pending' };
  return { status: 'failed', reason: describeError(r) };
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
