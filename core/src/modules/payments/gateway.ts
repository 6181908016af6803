import type { PaymentProvider } from '@jiangxin/shared/api/orders';

/** Facts from a notification whose signature (and app id / merchant id) checked out. */
export interface VerifiedNotification {
  provider: PaymentProvider;
  outTradeNo: string;
  providerTradeNo: string;
  /** Parsed exactly (Alipay sends yuan strings, WeChat integer fen). */
  amountFen: number;
  outcome: 'succeeded' | 'failed' | 'closed' | 'pending';
  /** The raw status word the gateway used (TRADE_SUCCESS, SUCCESS, …), for the log. */
  rawStatus: string;
}

/** What the gateway expects back from our notify endpoint. */
export interface NotifyAck {
  status: number;
  contentType: string;
  body: string;
}

/** A notification that failed verification; `reason` is logged and stored, never trusted further. */
export class NotificationRejected extends Error {
  constructor(
    readonly reason: string,
    readonly outTradeNo: string | null = null,
  ) {
    super(reason);
    this.name = 'NotificationRejected';
  }
}

export interface CreatePaymentInput {
  outTradeNo: string;
  amountFen: number;
  subject: string;
  notifyUrl: string;
  returnUrl?: string;
}

export interface RefundInput {
  outTradeNo: string;
  outRequestNo: string;
  refundFen: number;
  totalFen: number;
  reason: string;
}

export interface TransferInput {
  outBizNo: string;
  amountFen: number;
  /** Alipay login id / WeChat openid / bank card — whatever the payee account is for this provider. */
  payeeAccount: string;
  payeeName: string;
  remark: string;
}

export type RemoteResult =
  | { status: 'succeeded'; gatewayRef: string }
  | { status: 'failed'; reason: string }
  | { status: 'pending' };

/**
 * One payment provider as the core uses it. Implementations sign requests with our private key and
 * verify everything that comes back with the provider's public key. Keys come from configuration.
 */
export interface PaymentGateway {
  readonly provider: PaymentProvider;
  /**
   * `createPayment` makes no network call (Alipay page pay: a URL signed here), so the order's own
   * transaction can store its result; otherwise it is asked after the commit (WeChat's code_url).
   */
  readonly payUrlIsLocal: boolean;
  /** Starts a payment; returns where the client pays (pay page URL or WeChat code_url). */
  createPayment(input: CreatePaymentInput): Promise<{ payUrl: string }>;
  /** Verifies an async notification. Throws NotificationRejected when forged, tampered or for another app. */
  verifyNotification(req: {
    headers: Record<string, string | string[] | undefined>;
    rawBody: string;
  }): Promise<VerifiedNotification>;
  /** The answer that stops the gateway's retries (`success` for Alipay, 204 for WeChat). */
  ackSuccess(): NotifyAck;
  /** The answer that makes the gateway retry later. */
  ackFailure(reason: string): NotifyAck;
  /** Asks the gateway for the current state of a payment (used before retrying or on timeouts). */
  queryPayment(outTradeNo: string): Promise<VerifiedNotification | null>;
  /** Refunds (part of) a payment; idempotent on outRequestNo. */
  refund(input: RefundInput): Promise<RemoteResult>;
  /** Pays out to a payee; idempotent on outBizNo. */
  transfer(input: TransferInput): Promise<RemoteResult>;
  /** Queries a transfer by outBizNo (before retrying a timed-out transfer). */
  queryTransfer(outBizNo: string): Promise<RemoteResult | null>;
}

export type PaymentGateways = Record<PaymentProvider, PaymentGateway>;
