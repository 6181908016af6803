import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import { formatFen, platformFee } from '@jiangxin/shared/money';
import type { Tx } from '../../platform/db/database';
import { ledgerAccount as account } from './accounts';
import { postJournal } from './journal';

/** The order facts a money movement needs. */
export interface OrderMoney {
  id: number;
  orderNumber: string;
  clientId: number;
  freelancerId: number;
  amountFen: number;
}

/**
 * Payment received: the gateway's money arrives on the client's wallet and is frozen in the order's
 * escrow in the same journal, so the client's history shows both lines and the balance is unchanged.
 * Idempotent per payment.
 */
export async function freezePayment(
  tx: Tx,
  order: OrderMoney,
  payment: { id: number; provider: PaymentProvider },
) {
  const client = account.available(order.clientId);
  return postJournal(tx, {
    kind: 'order_payment',
    orderId: order.id,
    idempotencyKey: `payment:${payment.id}`,
    description: `订单 ${order.orderNumber} 付款托管`,
    audience: [order.clientId],
    postings: [
      { account: account.clearing(payment.provider), amountFen: -order.amountFen },
      { account: client, amountFen: order.amountFen, entryType: 'deposit' },
      { account: client, amountFen: -order.amountFen, entryType: 'payment' },
      { account: account.escrow(order.id), amountFen: order.amountFen },
    ],
  });
}

/** Work accepted: escrow goes to the freelancer minus the platform fee. Returns the fee. Idempotent per order. */
export async function releaseEscrow(tx: Tx, order: OrderMoney, feeBps: number) {
  const fee = platformFee(order.amountFen, feeBps);
  const postings = [
    { account: account.escrow(order.id), amountFen: -order.amountFen },
    {
      account: account.available(order.freelancerId),
      amountFen: order.amountFen - fee,
      entryType: 'earning',
    },
  ];
  if (fee > 0) postings.push({ account: account.fees(), amountFen: fee });
  const result = await postJournal(tx, {
    kind: 'order_release',
    orderId: order.id,
    idempotencyKey: `release:${order.id}`,
    description: `订单 ${order.orderNumber} 验收放款（平台服务费 ${formatFen(fee)}）`,
    audience: [order.freelancerId],
    postings,
  });
  return { ...result, feeFen: fee };
}

/**
 * Order cancelled after payment: escrow returns to the client's wallet and leaves again towards the
 * gateway (原路退回) in the same journal. The refund call to the gateway is made after commit by the
 * refunds job; if the gateway refuses, that job credits the client's wallet instead. Idempotent per order.
 */
export async function refundEscrow(tx: Tx, order: OrderMoney, provider: PaymentProvider) {
  const client = account.available(order.clientId);
  return postJournal(tx, {
    kind: 'order_refund',
    orderId: order.id,
    idempotencyKey: `refund:${order.id}`,
    description: `订单 ${order.orderNumber} 退款`,
    audience: [order.clientId],
    postings: [
      { account: account.escrow(order.id), amountFen: -order.amountFen },
      { account: client, amountFen: order.amountFen, entryType: 'refund' },
      { account: client, amountFen: -order.amountFen, entryType: 'refund_out' },
      { account: account.clearing(provider), amountFen: order.amountFen },
    ],
  });
}

/** A gateway refused a refund for good: the money stays with the client, on their wallet balance. */
export async function returnFailedRefund(
  tx: Tx,
  refund: { id: number; orderId: number; clientId: number; amountFen: number; provider: PaymentProvider },
) {
  return postJournal(tx, {
    kind: 'refund_failed',
    orderId: refund.orderId,
    idempotencyKey: `refund_failed:${refund.id}`,
    description: '原路退款失败，退回余额',
    audience: [refund.clientId],
    postings: [
      { account: account.clearing(refund.provider), amountFen: -refund.amountFen },
      { account: account.available(refund.clientId), amountFen: refund.amountFen, entryType: 'refund' },
    ],
  });
}

/**
 * A dispute resolved by a split: in one journal the escrow goes `refundFen` back to the client and on
 * towards the gateway (原路退回, the partial gateway refund is queued by the caller), and `releaseFen` to
 * the freelancer minus the platform fee on the released part. The two parts must sum to the escrow and
 * both be positive. Returns the fee. Idempotent per order.
 */
export async function splitEscrow(
  tx: Tx,
  order: OrderMoney,
  split: { refundFen: number; releaseFen: number; provider: PaymentProvider; feeBps: number },
) {
  const { refundFen, releaseFen } = split;
  if (refundFen <= 0 || releaseFen <= 0 || refundFen + releaseFen !== order.amountFen)
    throw new Error(
      `split of order ${order.orderNumber}: ${refundFen} + ${releaseFen} is not the escrow ${order.amountFen}`,
    );
  const fee = platformFee(releaseFen, split.feeBps);
  const client = account.available(order.clientId);
  const postings = [
    { account: account.escrow(order.id), amountFen: -order.amountFen },
    { account: client, amountFen: refundFen, entryType: 'refund' },
    { account: client, amountFen: -refundFen, entryType: 'refund_out' },
    { account: account.clearing(split.provider), amountFen: refundFen },
    {
      account: account.available(order.freelancerId),
      amountFen: releaseFen - fee,
      entryType: 'earning',
    },
  ];
  if (fee > 0) postings.push({ account: account.fees(), amountFen: fee });
  const result = await postJournal(tx, {
    kind: 'dispute_split',
    orderId: order.id,
    idempotencyKey: `dispute_split:${order.id}`,
    description: `订单 ${order.orderNumber} 纠纷裁决：退款 ${formatFen(refundFen)}，放款 ${formatFen(releaseFen)}（平台服务费 ${formatFen(fee)}）`,
    audience: [order.clientId, order.freelancerId],
    postings,
  });
  return { ...result, feeFen: fee };
}
