import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { SandboxCredentials } from '../modules/payments/config';
import { parseFormStrict } from '../modules/payments/protocol';
import { alipayTradeStatus, registerAlipay } from './alipay';
import { contextKeys, type SandboxContext } from './context';
import { loadSandboxKeys } from './keys';
import {
  ALIPAY_RETRY_SCHEDULE_MS,
  type NotificationAttempt,
  Notifier,
  WECHAT_RETRY_SCHEDULE_MS,
} from './notifier';
import { indexPage, resultPage } from './pages';
import { registerSms, type SandboxSms } from './sms';
import { SandboxError, SandboxStore, type SandboxTrade, type StatementEntry } from './store';
import { registerWechat, wechatTradeState } from './wechat';

export type { SandboxCredentials } from '../modules/payments/config';
export { ALIPAY_RETRY_SCHEDULE_MS, type NotificationAttempt, WECHAT_RETRY_SCHEDULE_MS } from './notifier';
export { SandboxError, type StatementEntry } from './store';

/** Options of `startSandbox`. */
export interface SandboxOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Loopback only: `127.0.0.1` (default) or `::1`; anything else is refused. */
  host?: string;
  /** Divides the providers' notification retry intervals (60000 makes Alipay's 4 min ≈ 4 ms). Default 1. */
  timeScale?: number;
  /** Where to persist generated keys so a restart keeps the same credentials; in-memory when omitted. */
  keyFile?: string;
  log?: Logger;
}

/** A trade as the test controls report it, with the provider's own status word. */
export interface SandboxTradeView {
  provider: PaymentProvider;
  outTradeNo: string;
  providerTradeNo: string;
  amountFen: number;
  subject: string;
  status: SandboxTrade['status'];
  /** TRADE_SUCCESS / WAIT_BUYER_PAY … for Alipay, SUCCESS / NOTPAY … for WeChat. */
  providerStatus: string;
  refundedFen: number;
  createdAt: string;
  settledAt: string | null;
}

/**
 * The private halves the sandbox signs with as the providers. Only for tests that must forge a *correctly*
 * signed message (wrong app id, malformed amount) to prove the adapters check more than the signature.
 */
export interface SandboxProviderSecrets {
  alipayGatewayPrivateKey: string;
  wechatPlatformPrivateKey: string;
}

/** A running sandbox gateway plus its test controls. */
export interface Sandbox {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What the core adapters need to talk to this sandbox (see `createGateways`). */
  readonly credentials: SandboxCredentials;
  readonly secrets: SandboxProviderSecrets;
  /** Marks a pending trade paid and starts its async notification. `provider` only when ambiguous. */
  pay(outTradeNo: string, provider?: PaymentProvider): SandboxTradeView;
  /** Marks a pending trade failed (Alipay TRADE_CLOSED, WeChat PAYERROR) and notifies that too. */
  fail(outTradeNo: string, provider?: PaymentProvider): SandboxTradeView;
  /** The trade, or null when the sandbox never saw it. */
  trade(outTradeNo: string, provider?: PaymentProvider): SandboxTradeView | null;
  /** The delivery log of a trade's notification (attempt times and answers). */
  notifications(outTradeNo: string, provider?: PaymentProvider): NotificationAttempt[];
  /** Resolves with the log once delivery stopped (acknowledged, schedule exhausted, or closed). */
  notificationsSettled(outTradeNo: string, provider?: PaymentProvider): Promise<NotificationAttempt[]>;
  /** Sends the same notification once more now (a duplicate delivery), outside the retry schedule. */
  resend(outTradeNo: string, provider?: PaymentProvider): Promise<NotificationAttempt>;
  /** Money movements of one Asia/Shanghai day, as `GET /sandbox/statement?date=` returns them. */
  statement(date: string): StatementEntry[];
  /** The Aliyun SMS endpoint (`endpoint`), its credentials, the messages it accepted and refused. */
  readonly sms: SandboxSms & { endpoint: string };
  /** Stops the server, every retry timer and in-flight delivery. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

function view(t: SandboxTrade): SandboxTradeView {
  return {
    provider: t.provider,
    outTradeNo: t.outTradeNo,
    providerTradeNo: t.providerTradeNo,
    amountFen: t.amountFen,
    subject: t.subject,
    status: t.status,
    providerStatus: t.provider === 'alipay' ? alipayTradeStatus(t) : wechatTradeState(t),
    refundedFen: t.refundedFen,
    createdAt: t.createdAt.toISOString(),
    settledAt: t.settledAt?.toISOString() ?? null,
  };
}

function providerParam(v: unknown): PaymentProvider | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'alipay' || v === 'wechat') return v;
  throw new SandboxError(
    400,
    'BAD_PROVIDER',
    'provider 必须为 alipay 或 wechat / provider must be alipay or wechat',
  );
}

/**
 * Starts the sandbox payment gateway on 127.0.0.1: Alipay (`/alipay/gateway.do`) and WeChat Pay v3
 * (`/v3/…`) with their own key pairs, pay pages, signed async notifications on the real retry schedules,
 * refunds, transfers, a reconciliation statement, and test controls under `/sandbox/…`.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host))
    throw new Error(`The sandbox binds to loopback only (127.0.0.1 or ::1), not ${host}`);
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new Error(`timeScale must be a positive number, got ${timeScale}`);

  const keys = await loadSandboxKeys(opts.keyFile);
  const store = new SandboxStore();
  const notifier = new Notifier(opts.log ? { timeScale, log: opts.log } : { timeScale });
  const rawBodies = new WeakMap<IncomingMessage, string>();
  let baseUrl = '';

  const app = Fastify(opts.log ? { loggerInstance: opts.log as FastifyBaseLogger } : { logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    rawBodies.set(req.raw, text);
    try {
      done(null, text.length ? JSON.parse(text) : undefined);
    } catch {
      done(Object.assign(new Error('body is not valid JSON'), { statusCode: 400 }));
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (req, body, done) => {
    const text = String(body);
    rawBodies.set(req.raw, text);
    done(null, parseFormStrict(text) ?? {});
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    rawBodies.set(req.raw, String(body));
    done(null, undefined);
  });

  const ctx: SandboxContext = {
    keys,
    ...contextKeys(keys),
    store,
    rawBody: (req: FastifyRequest) => rawBodies.get(req.raw) ?? '',
    baseUrl: () => baseUrl,
  };
  const alipay = registerAlipay(app, ctx);
  const wechat = registerWechat(app, ctx);
  const sms = registerSms(app, keys);

  const notifyKey = (t: SandboxTrade) => SandboxStore.key(t.provider, t.outTradeNo);

  const settle = (
    outTradeNo: string,
    provider: PaymentProvider | undefined,
    outcome: 'succeeded' | 'failed',
  ): SandboxTrade => {
    const t = store.find(outTradeNo, provider);
    if (t.status !== 'pending') {
      throw new SandboxError(
        409,
        'TRADE_NOT_PENDING',
        `交易 ${t.outTradeNo} 状态为 ${t.status}，不能再次支付 / trade is ${t.status}, not pending`,
      );
    }
    t.status = outcome;
    t.settledAt = new Date();
    const notification = t.provider === 'alipay' ? alipay.notificationFor(t) : wechat.notificationFor(t);
    notifier.start(
      notifyKey(t),
      notification,
      t.provider === 'alipay' ? ALIPAY_RETRY_SCHEDULE_MS : WECHAT_RETRY_SCHEDULE_MS,
    );
    return t;
  };

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof SandboxError)
      return reply.code(err.httpStatus).send({ code: err.code, message: err.message });
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    return reply
      .code(status >= 400 ? status : 500)
      .send({ code: 'SANDBOX_ERROR', message: (err as Error).message });
  });

  type TradeRoute = { Params: { outTradeNo: string }; Querystring: { provider?: string } };
  const isForm = (req: FastifyRequest) =>
    String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const control =
    (outcome: 'succeeded' | 'failed') => async (req: FastifyRequest<TradeRoute>, reply: FastifyReply) => {
      const t = settle(req.params.outTradeNo, providerParam(req.query.provider), outcome);
      if (isForm(req)) return reply.type('text/html; charset=utf-8').send(resultPage(t));
      return reply.send(view(t));
    };
  app.post<TradeRoute>('/sandbox/payments/:outTradeNo/succeed', control('succeeded'));
  app.post<TradeRoute>('/sandbox/payments/:outTradeNo/fail', control('failed'));
  app.get<TradeRoute>('/sandbox/payments/:outTradeNo', async (req) => {
    const t = store.find(req.params.outTradeNo, providerParam(req.query.provider));
    return { ...view(t), notifications: notifier.attempts(notifyKey(t)) };
  });
  app.post<TradeRoute>('/sandbox/payments/:outTradeNo/resend', async (req) => {
    const t = store.find(req.params.outTradeNo, providerParam(req.query.provider));
    if (t.status === 'pending')
      throw new SandboxError(409, 'NOT_NOTIFIED', '交易尚未支付，没有通知可重发 / nothing was notified yet');
    return notifier.resend(notifyKey(t));
  });
  app.get<{ Querystring: { date?: string } }>('/sandbox/statement', async (req) => {
    const date = req.query.date ?? '';
    if (!DATE.test(date))
      throw new SandboxError(400, 'BAD_DATE', 'date 格式应为 YYYY-MM-DD / date must be YYYY-MM-DD');
    return { date, timezone: 'Asia/Shanghai', entries: store.statement(date) };
  });
  app.get('/', async (_req, reply) => {
    const trades = [...store.trades.values()]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, 100);
    const link = (t: SandboxTrade) =>
      t.provider === 'alipay'
        ? `/alipay/pay/${encodeURIComponent(t.outTradeNo)}`
        : `/wechat/pay/${t.payToken}`;
    return reply.type('text/html; charset=utf-8').send(indexPage(trades, link));
  });

  await app.listen({ port: opts.port ?? 0, host });
  const address = app.server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  const credentials: SandboxCredentials = {
    alipay: {
      appId: keys.alipay.appId,
      gatewayPublicKey: keys.alipay.gateway.publicKey,
      merchantPrivateKey: keys.alipay.merchant.privateKey,
      gatewayUrl: `${baseUrl}/alipay/gateway.do`,
    },
    wechat: {
      mchid: keys.wechat.mchid,
      appid: keys.wechat.appid,
      apiV3Key: keys.wechat.apiV3Key,
      platformPublicKey: keys.wechat.platform.publicKey,
      platformSerial: keys.wechat.platformSerial,
      merchantPrivateKey: keys.wechat.merchant.privateKey,
      merchantSerial: keys.wechat.merchantSerial,
      gatewayUrl: baseUrl,
    },
  };

  const keyOf = (outTradeNo: string, provider?: PaymentProvider) =>
    notifyKey(store.find(outTradeNo, provider));
  let closed: Promise<void> | undefined;
  return {
    url: baseUrl,
    credentials,
    secrets: {
      alipayGatewayPrivateKey: keys.alipay.gateway.privateKey,
      wechatPlatformPrivateKey: keys.wechat.platform.privateKey,
    },
    pay: (outTradeNo, provider) => view(settle(outTradeNo, provider, 'succeeded')),
    fail: (outTradeNo, provider) => view(settle(outTradeNo, provider, 'failed')),
    trade: (outTradeNo, provider) => {
      try {
        return view(store.find(outTradeNo, provider));
      } catch (err) {
        if (err instanceof SandboxError && err.code === 'TRADE_NOT_FOUND') return null;
        throw err;
      }
    },
    sms: { ...sms, endpoint: `${baseUrl}/sms/` },
    notifications: (outTradeNo, provider) => notifier.attempts(keyOf(outTradeNo, provider)),
    notificationsSettled: (outTradeNo, provider) => notifier.settled(keyOf(outTradeNo, provider)),
    resend: (outTradeNo, provider) => notifier.resend(keyOf(outTradeNo, provider)),
    statement: (date) => store.statement(date),
    close: () => {
      closed ??= (async () => {
        await notifier.close();
        await app.close();
      })();
      return closed;
    },
  };
}
