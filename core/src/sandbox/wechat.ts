import { constants, privateDecrypt, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  aesGcmEncrypt,
  obj,
  parseWechatAuthorization,
  rsaSign,
  rsaVerify,
  shanghaiDateTime,
  shanghaiRfc3339,
  str,
  wechatRequestMessage,
  wechatResponseMessage,
} from '../modules/payments/protocol';
import { randomDigits, type SandboxContext } from './context';
import { alnum } from './keys';
import type { OutgoingNotification } from './notifier';
import { wechatCashierPage } from './pages';
import { SandboxStore, type SandboxTrade, type SandboxTransfer } from './store';

type Json = Record<string, unknown>;

/** WeChat's trade_state word for a sandbox trade. */
export function wechatTradeState(t: SandboxTrade): string {
  switch (t.status) {
    case 'pending':
      return 'NOTPAY';
    case 'succeeded':
      return t.refundedFen > 0 ? 'REFUND' : 'SUCCESS';
    case 'failed':
      return 'PAYERROR';
    default:
      return 'CLOSED';
  }
}

class WechatError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_SKEW_SECONDS = 5 * 60;

function isFen(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

function requireString(b: unknown, field: string, max = 256): string {
  const v = str(b, field);
  if (!v || v.length > max)
    throw new WechatError(400, 'PARAM_ERROR', `缺少或非法参数 ${field} / missing or invalid ${field}`);
  return v;
}

/** Signs a body the way the platform does: Wechatpay-Timestamp/Nonce/Signature/Serial headers. */
function platformHeaders(ctx: SandboxContext, body: string): Record<string, string> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = alnum(32);
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': rsaSign(wechatResponseMessage(timestamp, nonce, body), ctx.wechatPlatformKey),
    'wechatpay-serial': ctx.keys.wechat.platformSerial,
    'request-id': randomUUID(),
  };
}

/** The transaction object WeChat returns on query and encrypts into notifications. */
function transactionJson(ctx: SandboxContext, t: SandboxTrade): Json {
  const paid = t.status === 'succeeded';
  return {
    appid: ctx.keys.wechat.appid,
    mchid: ctx.keys.wechat.mchid,
    out_trade_no: t.outTradeNo,
    ...(t.status === 'pending' ? {} : { transaction_id: t.providerTradeNo }),
    trade_type: 'NATIVE',
    trade_state: wechatTradeState(t),
    trade_state_desc: {
      pending: '订单未支付',
      succeeded: '支付成功',
      failed: '支付失败',
      closed: '订单已关闭',
    }[t.status],
    bank_type: 'OTHERS',
    attach: '',
    ...(paid && t.settledAt ? { success_time: shanghaiRfc3339(t.settledAt) } : {}),
    payer: { openid: 'oSandboxPayer00000000000000' },
    amount: {
      total: t.amountFen,
      payer_total: paid ? t.amountFen : 0,
      currency: 'CNY',
      payer_currency: 'CNY',
    },
  };
}

function notificationFor(ctx: SandboxContext, t: SandboxTrade): OutgoingNotification {
  const nonce = alnum(12);
  const associatedData = 'transaction';
  const succeeded = t.status === 'succeeded';
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: shanghaiRfc3339(new Date()),
    resource_type: 'encrypt-resource',
    // Real WeChat notifies successes only; the sandbox also reports failures, as TRANSACTION.FAIL.
    event_type: succeeded ? 'TRANSACTION.SUCCESS' : 'TRANSACTION.FAIL',
    summary: succeeded ? '支付成功' : '支付失败',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: aesGcmEncrypt(
        JSON.stringify(transactionJson(ctx, t)),
        ctx.keys.wechat.apiV3Key,
        nonce,
        associatedData,
      ),
      associated_data: associatedData,
      nonce,
    },
  });
  return {
    url: t.notifyUrl,
    // Each attempt is signed afresh (new timestamp and nonce) over the same body.
    build: () => ({ headers: { 'content-type': 'application/json', ...platformHeaders(ctx, body) }, body }),
    isAcknowledged: (status) => status >= 200 && status < 300,
  };
}

/**
 * Plays WeChat Pay API v3 under `/v3/…`: checks our Authorization header against the merchant public key
 * and serial, answers with platform-signed responses, and serves the Native code_url pay page.
 */
export function registerWechat(
  app: FastifyInstance,
  ctx: SandboxContext,
): { notificationFor(t: SandboxTrade): OutgoingNotification } {
  const { store } = ctx;
  const w = ctx.keys.wechat;

  const send = (reply: FastifyReply, status: number, json?: Json) => {
    const body = json === undefined ? '' : JSON.stringify(json);
    reply.code(status).headers(platformHeaders(ctx, body));
    if (json === undefined) return reply.send();
    return reply.type('application/json; charset=utf-8').send(body);
  };

  /** Null when the request carries a valid merchant signature, else the error to answer with. */
  const authenticate = (req: FastifyRequest): WechatError | null => {
    const auth = parseWechatAuthorization(req.headers.authorization);
    const unauthorized = (m: string) => new WechatError(401, 'SIGN_ERROR', m);
    if (!auth) return unauthorized('Authorization 缺失或格式错误 / missing or malformed Authorization');
    if (auth.mchid !== w.mchid) return unauthorized('商户号不匹配 / mchid does not match');
    if (auth.serial_no !== w.merchantSerial)
      return unauthorized('证书序列号不匹配 / serial_no is not the merchant certificate');
    if (
      !/^\d{1,12}$/.test(auth.timestamp) ||
      Math.abs(Date.now() / 1000 - Number(auth.timestamp)) > MAX_SKEW_SECONDS
    ) {
      return unauthorized('时间戳过期 / timestamp outside the 5 minute window');
    }
    const message = wechatRequestMessage(
      req.method,
      req.url,
      auth.timestamp,
      auth.nonce_str,
      ctx.rawBody(req),
    );
    if (!rsaVerify(message, auth.signature, ctx.wechatMerchantPublicKey))
      return unauthorized('签名错误 / signature does not verify');
    return null;
  };

  const route = <P>(handler: (req: FastifyRequest<{ Params: P }>) => { status: number; json?: Json }) => {
    return async (req: FastifyRequest<{ Params: P }>, reply: FastifyReply) => {
      const authError = authenticate(req);
      if (authError)
        return send(reply, authError.httpStatus, { code: authError.code, message: authError.message });
      try {
        const { status, json } = handler(req);
        return send(reply, status, json);
      } catch (err) {
        if (err instanceof WechatError)
          return send(reply, err.httpStatus, { code: err.code, message: err.message });
        throw err;
      }
    };
  };

  app.post(
    '/v3/pay/transactions/native',
    route((req) => {
      const b = req.body as Json | undefined;
      if (str(b, 'appid') !== w.appid)
        throw new WechatError(400, 'PARAM_ERROR', 'appid 与 mchid 不匹配 / appid does not match');
      if (str(b, 'mchid') !== w.mchid)
        throw new WechatError(400, 'PARAM_ERROR', 'mchid 不匹配 / mchid does not match');
      const outTradeNo = requireString(b, 'out_trade_no', 32);
      const description = requireString(b, 'description', 127);
      const notifyUrl = requireString(b, 'notify_url', 256);
      if (!/^https?:\/\//.test(notifyUrl))
        throw new WechatError(400, 'PARAM_ERROR', 'notify_url 格式错误 / invalid notify_url');
      const amount = obj(b, 'amount');
      if (!isFen(amount?.total) || (amount.currency !== undefined && amount.currency !== 'CNY')) {
        throw new WechatError(
          400,
          'PARAM_ERROR',
          'amount.total 必须为正整数（分）/ amount.total must be a positive integer of fen',
        );
      }
      const total = amount.total;
      const existing = store.trade('wechat', outTradeNo);
      const codeUrl = (t: SandboxTrade) => `${ctx.baseUrl()}/wechat/pay/${t.payToken}`;
      if (existing) {
        if (existing.status === 'succeeded')
          throw new WechatError(400, 'ORDERPAID', '该订单已支付 / already paid');
        if (existing.status !== 'pending')
          throw new WechatError(400, 'ORDER_CLOSED', '订单已关闭 / order closed');
        if (existing.amountFen !== total || existing.subject !== description) {
          throw new WechatError(
            400,
            'INVALID_REQUEST',
            '订单号重复且参数不一致 / out_trade_no reused with different parameters',
          );
        }
        existing.notifyUrl = notifyUrl;
        return { status: 200, json: { code_url: codeUrl(existing) } };
      }
      const now = new Date();
      const t: SandboxTrade = {
        provider: 'wechat',
        outTradeNo,
        providerTradeNo: `4200${randomDigits(6)}${shanghaiDateTime(now).slice(0, 10).replaceAll('-', '')}${randomDigits(10)}`,
        amountFen: total,
        subject: description,
        notifyUrl,
        returnUrl: undefined,
        status: 'pending',
        createdAt: now,
        settledAt: undefined,
        refundedFen: 0,
        payToken: randomBytes(12).toString('hex'),
      };
      store.trades.set(SandboxStore.key('wechat', outTradeNo), t);
      return { status: 200, json: { code_url: codeUrl(t) } };
    }),
  );

  app.get(
    '/v3/pay/transactions/out-trade-no/:outTradeNo',
    route<{ outTradeNo: string }>((req) => {
      const mchid = new URL(req.url, 'http://sandbox').searchParams.get('mchid');
      if (mchid !== w.mchid)
        throw new WechatError(400, 'PARAM_ERROR', 'mchid 不匹配 / mchid query parameter does not match');
      const t = store.trade('wechat', req.params.outTradeNo);
      if (!t) throw new WechatError(404, 'ORDER_NOT_EXIST', '订单不存在 / no such order');
      return { status: 200, json: transactionJson(ctx, t) };
    }),
  );

  app.post(
    '/v3/refund/domestic/refunds',
    route((req) => {
      const b = req.body as Json | undefined;
      const outRefundNo = requireString(b, 'out_refund_no', 64);
      const outTradeNo = str(b, 'out_trade_no');
      const transactionId = str(b, 'transaction_id');
      const t = outTradeNo
        ? store.trade('wechat', outTradeNo)
        : [...store.trades.values()].find(
            (x) => x.provider === 'wechat' && x.providerTradeNo === transactionId,
          );
      if (!t) throw new WechatError(404, 'RESOURCE_NOT_EXISTS', '订单不存在 / no such order');
      const amount = obj(b, 'amount');
      if (!isFen(amount?.refund) || !isFen(amount?.total)) {
        throw new WechatError(400, 'PARAM_ERROR', 'amount.refund / amount.total 必须为正整数（分）');
      }
      if (amount.total !== t.amountFen)
        throw new WechatError(
          400,
          'INVALID_REQUEST',
          '订单金额与原订单不一致 / amount.total differs from the order',
        );
      const refundAmount = amount.refund;
      const key = SandboxStore.key('wechat', outRefundNo);
      let r = store.refunds.get(key);
      if (r) {
        if (r.outTradeNo !== t.outTradeNo || r.amountFen !== refundAmount) {
          throw new WechatError(
            400,
            'INVALID_REQUEST',
            '退款单号重复且参数不一致 / out_refund_no reused with different parameters',
          );
        }
      } else {
        if (t.status !== 'succeeded')
          throw new WechatError(400, 'INVALID_REQUEST', '订单未支付 / order is not paid');
        if (t.refundedFen + refundAmount > t.amountFen) {
          throw new WechatError(
            400,
            'INVALID_REQUEST',
            '申请退款金额超过订单可退金额 / refunds would exceed the paid amount',
          );
        }
        t.refundedFen += refundAmount;
        r = {
          provider: 'wechat',
          outTradeNo: t.outTradeNo,
          outRequestNo: outRefundNo,
          refundId: `50${randomDigits(27)}`,
          amountFen: refundAmount,
          reason: str(b, 'reason') ?? '',
          status: 'succeeded',
          createdAt: new Date(),
        };
        store.refunds.set(key, r);
      }
      return {
        status: 200,
        json: {
          refund_id: r.refundId,
          out_refund_no: r.outRequestNo,
          transaction_id: t.providerTradeNo,
          out_trade_no: t.outTradeNo,
          channel: 'ORIGINAL',
          user_received_account: '支付用户零钱',
          success_time: shanghaiRfc3339(r.createdAt),
          create_time: shanghaiRfc3339(r.createdAt),
          status: 'SUCCESS',
          funds_account: 'AVAILABLE',
          amount: {
            total: t.amountFen,
            refund: r.amountFen,
            payer_total: t.amountFen,
            payer_refund: r.amountFen,
            currency: 'CNY',
          },
        },
      };
    }),
  );

  const batchJson = (x: SandboxTransfer): Json => ({
    transfer_batch: {
      mchid: w.mchid,
      out_batch_no: x.outBizNo,
      batch_id: x.orderId,
      appid: w.appid,
      batch_status: 'FINISHED',
      batch_type: 'API',
      batch_name: x.remark,
      batch_remark: x.remark,
      total_amount: x.amountFen,
      total_num: 1,
      success_amount: x.status === 'succeeded' ? x.amountFen : 0,
      success_num: x.status === 'succeeded' ? 1 : 0,
      fail_amount: x.status === 'failed' ? x.amountFen : 0,
      fail_num: x.status === 'failed' ? 1 : 0,
      create_time: shanghaiRfc3339(x.createdAt),
      update_time: shanghaiRfc3339(x.createdAt),
    },
    transfer_detail_list: [
      {
        detail_id: x.detailId,
        out_detail_no: x.outBizNo,
        detail_status: x.status === 'succeeded' ? 'SUCCESS' : 'FAIL',
      },
    ],
  });

  app.post(
    '/v3/transfer/batches',
    route((req) => {
      const b = req.body as Json | undefined;
      if (str(b, 'appid') !== w.appid)
        throw new WechatError(400, 'PARAM_ERROR', 'appid 不匹配 / appid does not match');
      const outBatchNo = requireString(b, 'out_batch_no', 32);
      const details = Array.isArray(b?.transfer_detail_list) ? (b.transfer_detail_list as unknown[]) : [];
      if (details.length !== 1 || b?.total_num !== 1) {
        throw new WechatError(
          400,
          'PARAM_ERROR',
          '沙箱仅支持单笔明细 / the sandbox supports exactly one detail per batch',
        );
      }
      const d = details[0];
      const amountFen = (d as Json | undefined)?.transfer_amount;
      if (!isFen(amountFen) || b?.total_amount !== amountFen)
        throw new WechatError(400, 'PARAM_ERROR', '金额不合法 / invalid amounts');
      const openid = requireString(d, 'openid', 128);
      let userName = '';
      const encryptedName = str(d, 'user_name');
      if (encryptedName) {
        if (req.headers['wechatpay-serial'] !== w.platformSerial) {
          throw new WechatError(
            400,
            'PARAM_ERROR',
            'Wechatpay-Serial 与加密证书不匹配 / Wechatpay-Serial must name the platform key',
          );
        }
        try {
          userName = privateDecrypt(
            { key: ctx.wechatPlatformKey, padding: constants.RSA_PKCS1_OAEP_PADDING },
            Buffer.from(encryptedName, 'base64'),
          ).toString('utf8');
        } catch {
          throw new WechatError(
            400,
            'PARAM_ERROR',
            'user_name 解密失败 / user_name does not decrypt with the platform key',
          );
        }
      }
      const fingerprint = JSON.stringify([amountFen, openid, userName]);
      const key = SandboxStore.key('wechat', outBatchNo);
      const existing = store.transfers.get(key);
      if (existing) {
        if (existing.fingerprint !== fingerprint) {
          throw new WechatError(
            400,
            'INVALID_REQUEST',
            '商户批次单号已存在且参数不一致 / out_batch_no reused with different parameters',
          );
        }
      } else {
        const failed = openid.startsWith('invalid');
        const now = new Date();
        store.transfers.set(key, {
          provider: 'wechat',
          outBizNo: outBatchNo,
          orderId: `1030000${randomDigits(24)}`,
          detailId: `1040000${randomDigits(24)}`,
          amountFen,
          payeeAccount: openid,
          payeeName: userName,
          remark: str(b, 'batch_name') ?? '',
          status: failed ? 'failed' : 'succeeded',
          failReason: failed ? 'ACCOUNT_NOT_EXIST' : undefined,
          createdAt: now,
          fingerprint,
        });
      }
      const x = store.transfers.get(key)!;
      return {
        status: 200,
        json: {
          out_batch_no: x.outBizNo,
          batch_id: x.orderId,
          create_time: shanghaiRfc3339(x.createdAt),
          batch_status: 'ACCEPTED',
        },
      };
    }),
  );

  app.get(
    '/v3/transfer/batches/out-batch-no/:outBatchNo',
    route<{ outBatchNo: string }>((req) => {
      const x = store.transfers.get(SandboxStore.key('wechat', req.params.outBatchNo));
      if (!x) throw new WechatError(404, 'NOT_FOUND', '记录不存在 / no such batch');
      return { status: 200, json: batchJson(x) };
    }),
  );

  app.get<{ Params: { token: string } }>('/wechat/pay/:token', async (req, reply) => {
    const t = [...store.trades.values()].find(
      (x) => x.provider === 'wechat' && x.payToken === req.params.token,
    );
    if (!t) return reply.code(404).type('text/plain; charset=utf-8').send('二维码已失效 / unknown code');
    return reply.type('text/html; charset=utf-8').send(wechatCashierPage(t));
  });

  return { notificationFor: (t) => notificationFor(ctx, t) };
}
