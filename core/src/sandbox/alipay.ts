import { randomBytes } from 'node:crypto';
import { fenToYuan, yuanToFen } from '@jiangxin/shared/money';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  alipaySignContent,
  parseFormStrict,
  rsaSign,
  rsaVerify,
  shanghaiDateTime,
  str,
} from '../modules/payments/protocol';
import { randomDigits, type SandboxContext } from './context';
import type { OutgoingNotification } from './notifier';
import { alipayCashierPage, errorPage } from './pages';
import { SandboxStore, type SandboxTrade } from './store';

type Json = Record<string, unknown>;

/** Alipay's status word for a sandbox trade (a fully refunded trade reads TRADE_CLOSED, as on Alipay). */
export function alipayTradeStatus(t: SandboxTrade): string {
  switch (t.status) {
    case 'pending':
      return 'WAIT_BUYER_PAY';
    case 'succeeded':
      return t.refundedFen >= t.amountFen ? 'TRADE_CLOSED' : 'TRADE_SUCCESS';
    default:
      return 'TRADE_CLOSED';
  }
}

class AlipayError extends Error {
  constructor(
    readonly code: string,
    readonly subCode: string,
    readonly subMsg: string,
  ) {
    super(subMsg);
  }
}

const MSG: Record<string, string> = {
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40004': 'Business Failed',
};

const biz = (subCode: string, subMsg: string) => new AlipayError('40004', subCode, subMsg);
const invalid = (subCode: string, subMsg: string) => new AlipayError('40002', subCode, subMsg);

function positiveYuan(v: unknown, field: string): number {
  const fen = typeof v === 'string' ? yuanToFen(v) : null;
  if (fen === null || fen <= 0)
    throw invalid('ACQ.INVALID_PARAMETER', `参数 ${field} 不合法 / invalid ${field}`);
  return fen;
}

function requireString(b: Json, field: string, max = 256): string {
  const v = str(b, field);
  if (!v || v.length > max)
    throw invalid('ACQ.INVALID_PARAMETER', `缺少或非法参数 ${field} / missing or invalid ${field}`);
  return v;
}

/** Alipay's `notify` body for a settled trade, signed with the gateway key (excluding sign and sign_type). */
function notificationFor(ctx: SandboxContext, t: SandboxTrade): OutgoingNotification {
  const now = new Date();
  const status = alipayTradeStatus(t);
  const params: Record<string, string> = {
    notify_time: shanghaiDateTime(now),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    app_id: ctx.keys.alipay.appId,
    charset: 'utf-8',
    version: '1.0',
    sign_type: 'RSA2',
    trade_no: t.providerTradeNo,
    out_trade_no: t.outTradeNo,
    buyer_id: '2088102177846880',
    buyer_logon_id: 'san***@sandbox.com',
    seller_id: '2088102177296610',
    trade_status: status,
    total_amount: fenToYuan(t.amountFen),
    subject: t.subject,
    gmt_create: shanghaiDateTime(t.createdAt),
  };
  if (t.status === 'succeeded') {
    params.receipt_amount = params.total_amount!;
    params.buyer_pay_amount = params.total_amount!;
    params.gmt_payment = shanghaiDateTime(t.settledAt ?? now);
  } else {
    params.gmt_close = shanghaiDateTime(t.settledAt ?? now);
  }
  params.sign = rsaSign(alipaySignContent(params, ['sign', 'sign_type']), ctx.alipayGatewayKey);
  const body = new URLSearchParams(params).toString();
  return {
    url: t.notifyUrl,
    build: () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }),
    isAcknowledged: (_status, answer) => answer === 'success',
  };
}

/**
 * Plays Alipay's open-platform gateway at `/alipay/gateway.do`: verifies our RSA2 request signatures with
 * the merchant public key and answers in Alipay's signed JSON envelope. Returns the notification factory
 * the control endpoints use when a trade is paid or fails.
 */
export function registerAlipay(
  app: FastifyInstance,
  ctx: SandboxContext,
): { notificationFor(t: SandboxTrade): OutgoingNotification } {
  const { store } = ctx;

  const signedJson = (reply: FastifyReply, method: string, inner: Json) => {
    const key = method ? `${method.replaceAll('.', '_')}_response` : 'error_response';
    const innerText = JSON.stringify(inner);
    const sign = rsaSign(innerText, ctx.alipayGatewayKey);
    return reply
      .code(200)
      .type('application/json; charset=utf-8')
      .send(`{${JSON.stringify(key)}:${innerText},"sign":"${sign}"}`);
  };

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(req.url, 'http://sandbox');
    const query = parseFormStrict(url.search.slice(1));
    const contentType = String(req.headers['content-type'] ?? '');
    const body =
      req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')
        ? parseFormStrict(ctx.rawBody(req))
        : {};
    const method = query?.method ?? body?.method ?? '';
    const isPage = method === 'alipay.trade.page.pay';
    const fail = (e: AlipayError) =>
      isPage
        ? reply
            .code(400)
            .type('text/html; charset=utf-8')
            .send(errorPage(e.code, e.subCode, e.subMsg))
        : signedJson(reply, method, {
            code: e.code,
            msg: MSG[e.code] ?? 'Error',
            sub_code: e.subCode,
            sub_msg: e.subMsg,
          });
    try {
      if (!query || !body) throw invalid('isv.invalid-parameter', '参数重复 / duplicated parameter');
      const params: Record<string, string> = { ...query };
      for (const [k, v] of Object.entries(body)) {
        if (Object.hasOwn(params, k))
          throw invalid('isv.invalid-parameter', `参数 ${k} 重复 / duplicated ${k}`);
        params[k] = v;
      }
      if (!params.sign)
        throw new AlipayError('40001', 'isv.missing-signature', '缺少签名参数 / missing sign');
      if (params.app_id !== ctx.keys.alipay.appId)
        throw invalid('isv.invalid-app-id', '无效的AppID参数 / invalid app_id');
      if (params.sign_type !== 'RSA2')
        throw invalid('isv.invalid-signature-type', '无效的签名类型 / sign_type must be RSA2');
      if (!rsaVerify(alipaySignContent(params, ['sign']), params.sign, ctx.alipayMerchantPublicKey)) {
        throw invalid('isv.invalid-signature', '验签出错 / the request signature does not verify');
      }
      if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(params.timestamp ?? '')) {
        throw invalid('isv.invalid-timestamp', '非法的时间戳参数 / invalid timestamp');
      }
      let bizContent: Json;
      try {
        const parsed: unknown = JSON.parse(params.biz_content ?? '');
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
        bizContent = parsed as Json;
      } catch {
        throw invalid(
          'isv.invalid-biz-content',
          'biz_content 不是 JSON 对象 / biz_content must be a JSON object',
        );
      }
      switch (method) {
        case 'alipay.trade.page.pay': {
          const t = pagePay(params, bizContent);
          return reply.type('text/html; charset=utf-8').send(alipayCashierPage(t));
        }
        case 'alipay.trade.query':
          return signedJson(reply, method, tradeQuery(bizContent));
        case 'alipay.trade.refund':
          return signedJson(reply, method, tradeRefund(bizContent));
        case 'alipay.fund.trans.uni.transfer':
          return signedJson(reply, method, transfer(bizContent));
        case 'alipay.fund.trans.common.query':
          return signedJson(reply, method, transferQuery(bizContent));
        default:
          throw invalid('isv.invalid-method', `不存在的方法名 / unknown method ${method}`);
      }
    } catch (err) {
      if (err instanceof AlipayError) return fail(err);
      throw err;
    }
  };

  function pagePay(params: Record<string, string>, b: Json): SandboxTrade {
    const outTradeNo = requireString(b, 'out_trade_no', 64);
    const amountFen = positiveYuan(b.total_amount, 'total_amount');
    const subject = requireString(b, 'subject', 256);
    if (str(b, 'product_code') !== 'FAST_INSTANT_TRADE_PAY')
      throw invalid('ACQ.INVALID_PARAMETER', 'product_code 必须为 FAST_INSTANT_TRADE_PAY');
    const notifyUrl = params.notify_url;
    if (!notifyUrl || !/^https?:\/\//.test(notifyUrl))
      throw invalid('ACQ.INVALID_PARAMETER', '缺少 notify_url / missing notify_url');
    const existing = store.trade('alipay', outTradeNo);
    if (existing) {
      if (existing.status === 'succeeded') throw biz('ACQ.TRADE_HAS_SUCCESS', '交易已被支付 / already paid');
      if (existing.status !== 'pending') throw biz('ACQ.TRADE_HAS_CLOSE', '交易已经关闭 / trade closed');
      if (existing.amountFen !== amountFen || existing.subject !== subject) {
        throw biz(
          'ACQ.CONTEXT_INCONSISTENT',
          '交易信息被篡改 / differs from the first request for this out_trade_no',
        );
      }
      existing.notifyUrl = notifyUrl;
      return existing;
    }
    const now = new Date();
    const t: SandboxTrade = {
      provider: 'alipay',
      outTradeNo,
      providerTradeNo: `${shanghaiDateTime(now).slice(0, 10).replaceAll('-', '')}22001${randomDigits(13)}`,
      amountFen,
      subject,
      notifyUrl,
      returnUrl: params.return_url,
      status: 'pending',
      createdAt: now,
      settledAt: undefined,
      refundedFen: 0,
      payToken: randomBytes(12).toString('hex'),
    };
    store.trades.set(SandboxStore.key('alipay', outTradeNo), t);
    return t;
  }

  function findTrade(b: Json): SandboxTrade {
    const outTradeNo = str(b, 'out_trade_no');
    const tradeNo = str(b, 'trade_no');
    const t = outTradeNo
      ? store.trade('alipay', outTradeNo)
      : [...store.trades.values()].find((x) => x.provider === 'alipay' && x.providerTradeNo === tradeNo);
    if (!t) throw biz('ACQ.TRADE_NOT_EXIST', '交易不存在 / trade does not exist');
    return t;
  }

  function tradeQuery(b: Json): Json {
    const t = findTrade(b);
    return {
      code: '10000',
      msg: 'Success',
      trade_no: t.providerTradeNo,
      out_trade_no: t.outTradeNo,
      buyer_logon_id: 'san***@sandbox.com',
      trade_status: alipayTradeStatus(t),
      total_amount: fenToYuan(t.amountFen),
      ...(t.status === 'succeeded' && t.settledAt ? { send_pay_date: shanghaiDateTime(t.settledAt) } : {}),
    };
  }

  function tradeRefund(b: Json): Json {
    const t = findTrade(b);
    const outRequestNo = str(b, 'out_request_no') || t.outTradeNo; // Alipay defaults it to out_trade_no
    const amountFen = positiveYuan(b.refund_amount, 'refund_amount');
    const key = SandboxStore.key('alipay', `${t.outTradeNo}/${outRequestNo}`);
    const existing = store.refunds.get(key);
    const answer = (fundChange: 'Y' | 'N') => ({
      code: '10000',
      msg: 'Success',
      trade_no: t.providerTradeNo,
      out_trade_no: t.outTradeNo,
      buyer_logon_id: 'san***@sandbox.com',
      fund_change: fundChange,
      refund_fee: fenToYuan(t.refundedFen),
      gmt_refund_pay: shanghaiDateTime(existing?.createdAt ?? new Date()),
    });
    if (existing) {
      if (existing.amountFen !== amountFen)
        throw biz('ACQ.DISCORDANT_REPEAT_REQUEST', '请求信息不一致 / same out_request_no, different amount');
      return answer('N'); // idempotent: the refund already happened, no money moves again
    }
    if (t.status !== 'succeeded') throw biz('ACQ.TRADE_STATUS_ERROR', '交易状态不合法 / trade is not paid');
    if (t.refundedFen + amountFen > t.amountFen) {
      throw biz('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限 / refunds would exceed the paid amount');
    }
    t.refundedFen += amountFen;
    store.refunds.set(key, {
      provider: 'alipay',
      outTradeNo: t.outTradeNo,
      outRequestNo,
      refundId: `${t.providerTradeNo}-${outRequestNo}`,
      amountFen,
      reason: str(b, 'refund_reason') ?? '',
      status: 'succeeded',
      createdAt: new Date(),
    });
    return answer('Y');
  }

  function transferAnswer(x: {
    orderId: string;
    detailId: string;
    outBizNo: string;
    status: string;
    createdAt: Date;
  }): Json {
    return {
      code: '10000',
      msg: 'Success',
      out_biz_no: x.outBizNo,
      order_id: x.orderId,
      pay_fund_order_id: x.detailId,
      status: x.status === 'succeeded' ? 'SUCCESS' : 'FAIL',
      trans_date: shanghaiDateTime(x.createdAt),
    };
  }

  function transfer(b: Json): Json {
    const outBizNo = requireString(b, 'out_biz_no', 64);
    const amountFen = positiveYuan(b.trans_amount, 'trans_amount');
    if (str(b, 'product_code') !== 'TRANS_ACCOUNT_NO_PWD')
      throw invalid('INVALID_PARAMETER', 'product_code 必须为 TRANS_ACCOUNT_NO_PWD');
    const payee = b.payee_info as Json | undefined;
    const account = requireString(payee ?? {}, 'identity', 100);
    const name = str(payee, 'name') ?? '';
    if (str(payee, 'identity_type') === 'ALIPAY_LOGON_ID' && !name)
      throw invalid('INVALID_PARAMETER', '收款方姓名必填 / payee name required');
    const fingerprint = JSON.stringify([amountFen, account, name]);
    const key = SandboxStore.key('alipay', outBizNo);
    const existing = store.transfers.get(key);
    if (existing) {
      if (existing.fingerprint !== fingerprint)
        throw biz(
          'PAYMENT_INFO_INCONSISTENCY',
          '两次请求商户单号一样，但是参数不一致 / same out_biz_no, different request',
        );
      if (existing.status === 'failed') throw biz('PAYEE_NOT_EXIST', existing.failReason ?? '收款账号不存在');
      return transferAnswer(existing); // never pays twice
    }
    const failed = account.startsWith('invalid');
    const now = new Date();
    const x = {
      provider: 'alipay' as const,
      outBizNo,
      orderId: `${shanghaiDateTime(now).slice(0, 10).replaceAll('-', '')}1100300${randomDigits(12)}`,
      detailId: `${shanghaiDateTime(now).slice(0, 10).replaceAll('-', '')}1100300${randomDigits(12)}`,
      amountFen,
      payeeAccount: account,
      payeeName: name,
      remark: str(b, 'remark') ?? '',
      status: failed ? ('failed' as const) : ('succeeded' as const),
      failReason: failed ? '收款账号不存在 / payee account does not exist' : undefined,
      createdAt: now,
      fingerprint,
    };
    store.transfers.set(key, x);
    if (failed) throw biz('PAYEE_NOT_EXIST', x.failReason!);
    return transferAnswer(x);
  }

  function transferQuery(b: Json): Json {
    const outBizNo = str(b, 'out_biz_no');
    const x = outBizNo ? store.transfers.get(SandboxStore.key('alipay', outBizNo)) : undefined;
    if (!x) throw biz('ORDER_NOT_EXIST', '转账订单不存在 / no such transfer');
    return {
      code: '10000',
      msg: 'Success',
      order_id: x.orderId,
      pay_fund_order_id: x.detailId,
      out_biz_no: x.outBizNo,
      trans_amount: fenToYuan(x.amountFen),
      status: x.status === 'succeeded' ? 'SUCCESS' : 'FAIL',
      pay_date: shanghaiDateTime(x.createdAt),
      ...(x.status === 'failed' ? { fail_reason: x.failReason, error_code: 'PAYEE_NOT_EXIST' } : {}),
    };
  }

  app.get('/alipay/gateway.do', handle);
  app.post('/alipay/gateway.do', handle);
  app.get<{ Params: { outTradeNo: string } }>('/alipay/pay/:outTradeNo', async (req, reply) => {
    const t = store.trade('alipay', req.params.outTradeNo);
    if (!t)
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send(errorPage('40004', 'ACQ.TRADE_NOT_EXIST', '交易不存在 / no such trade'));
    return reply.type('text/html; charset=utf-8').send(alipayCashierPage(t));
  });

  return { notificationFor: (t) => notificationFor(ctx, t) };
}
