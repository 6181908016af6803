import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import { shanghaiDate } from '../modules/payments/protocol';

/** Provider-neutral trade state; each provider's status word is derived from it. */
export type SandboxTradeStatus = 'pending' | 'succeeded' | 'failed' | 'closed';

/** A payment the sandbox was asked to collect. */
export interface SandboxTrade {
  provider: PaymentProvider;
  outTradeNo: string;
  /** Alipay trade_no / WeChat transaction_id. */
  providerTradeNo: string;
  amountFen: number;
  subject: string;
  notifyUrl: string;
  returnUrl: string | undefined;
  status: SandboxTradeStatus;
  createdAt: Date;
  /** When the buyer paid (succeeded) or the payment failed. */
  settledAt: Date | undefined;
  refundedFen: number;
  /** Secret part of the WeChat code_url pay page. */
  payToken: string;
}

/** A refund the sandbox executed (refunds succeed synchronously here). */
export interface SandboxRefund {
  provider: PaymentProvider;
  outTradeNo: string;
  outRequestNo: string;
  refundId: string;
  amountFen: number;
  reason: string;
  status: 'succeeded';
  createdAt: Date;
}

/** A payout the sandbox executed; a payee account starting with `invalid` fails like an unknown account. */
export interface SandboxTransfer {
  provider: PaymentProvider;
  outBizNo: string;
  /** Alipay order_id / WeChat batch_id. */
  orderId: string;
  /** WeChat detail_id (Alipay: pay_fund_order_id). */
  detailId: string;
  amountFen: number;
  payeeAccount: string;
  payeeName: string;
  remark: string;
  status: 'succeeded' | 'failed';
  failReason: string | undefined;
  createdAt: Date;
  /** The request fields that must match when the same out number is submitted again. */
  fingerprint: string;
}

/** One line of the reconciliation statement; amounts in fen. */
export type StatementEntry =
  | {
      kind: 'payment';
      provider: PaymentProvider;
      outTradeNo: string;
      providerTradeNo: string;
      amountFen: number;
      status: SandboxTradeStatus;
      at: string;
    }
  | {
      kind: 'refund';
      provider: PaymentProvider;
      outTradeNo: string;
      outRequestNo: string;
      refundId: string;
      amountFen: number;
      status: 'succeeded';
      at: string;
    }
  | {
      kind: 'transfer';
      provider: PaymentProvider;
      outBizNo: string;
      orderId: string;
      amountFen: number;
      status: 'succeeded' | 'failed';
      at: string;
    };

/** Raised for test-control misuse (unknown trade, ambiguous number, trade not pending). */
export class SandboxError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

/** The sandbox's in-memory ledger of trades, refunds and transfers. */
export class SandboxStore {
  readonly trades = new Map<string, SandboxTrade>();
  readonly refunds = new Map<string, SandboxRefund>();
  readonly transfers = new Map<string, SandboxTransfer>();

  static key(provider: PaymentProvider, no: string): string {
    return `${provider}:${no}`;
  }

  trade(provider: PaymentProvider, outTradeNo: string): SandboxTrade | undefined {
    return this.trades.get(SandboxStore.key(provider, outTradeNo));
  }

  /** Finds a trade by out_trade_no; `provider` is needed only when both providers used the same number. */
  find(outTradeNo: string, provider?: PaymentProvider): SandboxTrade {
    if (provider) {
      const t = this.trade(provider, outTradeNo);
      if (!t)
        throw new SandboxError(
          404,
          'TRADE_NOT_FOUND',
          `没有 ${provider} 交易 ${outTradeNo} / no ${provider} trade ${outTradeNo}`,
        );
      return t;
    }
    const found = [this.trade('alipay', outTradeNo), this.trade('wechat', outTradeNo)].filter(
      (t) => t !== undefined,
    );
    if (found.length === 0)
      throw new SandboxError(404, 'TRADE_NOT_FOUND', `没有交易 ${outTradeNo} / no trade ${outTradeNo}`);
    if (found.length > 1) {
      throw new SandboxError(
        409,
        'AMBIGUOUS_TRADE',
        `${outTradeNo} 同时存在于支付宝和微信，请指定 provider / exists for both providers: pass provider`,
      );
    }
    return found[0]!;
  }

  refundsOf(provider: PaymentProvider, outTradeNo: string): SandboxRefund[] {
    return [...this.refunds.values()].filter((r) => r.provider === provider && r.outTradeNo === outTradeNo);
  }

  /** Money movements of one Asia/Shanghai business day: settled payments, refunds, transfers. */
  statement(date: string): StatementEntry[] {
    const entries: StatementEntry[] = [];
    for (const t of this.trades.values()) {
      if (!t.settledAt || shanghaiDate(t.settledAt) !== date) continue;
      entries.push({
        kind: 'payment',
        provider: t.provider,
        outTradeNo: t.outTradeNo,
        providerTradeNo: t.providerTradeNo,
        amountFen: t.amountFen,
        status: t.status,
        at: t.settledAt.toISOString(),
      });
    }
    for (const r of this.refunds.values()) {
      if (shanghaiDate(r.createdAt) !== date) continue;
      entries.push({
        kind: 'refund',
        provider: r.provider,
        outTradeNo: r.outTradeNo,
        outRequestNo: r.outRequestNo,
        refundId: r.refundId,
        amountFen: r.amountFen,
        status: r.status,
        at: r.createdAt.toISOString(),
      });
    }
    for (const x of this.transfers.values()) {
      if (shanghaiDate(x.createdAt) !== date) continue;
      entries.push({
        kind: 'transfer',
        provider: x.provider,
        outBizNo: x.outBizNo,
        orderId: x.orderId,
        amountFen: x.amountFen,
        status: x.status,
        at: x.createdAt.toISOString(),
      });
    }
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }
}
