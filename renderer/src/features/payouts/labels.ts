import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import {
  PAYOUT_STATUS_LABELS,
  type PayoutCaseDetail,
  type PayoutRiskSignal,
  type ReconciliationMismatchDetail,
} from '@jiangxin/shared/ops/payouts';

type Label = { zh: string; en: string };

export const REAL_NAME_LABELS: Record<PayoutCaseDetail['user']['realNameStatus'], Label> = {
  unverified: { zh: '未认证', en: 'Not verified' },
  pending: { zh: '审核中', en: 'Under review' },
  verified: { zh: '已认证', en: 'Verified' },
  rejected: { zh: '未通过', en: 'Rejected' },
};

export const USER_STATUS_LABELS: Record<PayoutCaseDetail['user']['status'], Label> = {
  active: { zh: '正常', en: 'Active' },
  suspended: { zh: '已限制', en: 'Suspended' },
  banned: { zh: '已封禁', en: 'Banned' },
};

export const PROVIDER_LABELS: Record<PaymentProvider, Label> = {
  alipay: { zh: '支付宝', en: 'Alipay' },
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
};

/**
 * What the reference of each movement is called on the gateway's statement, in words (the gateway's own
 * field names — out_trade_no, out_request_no, out_biz_no — are codes, not words for a reader).
 */
export const REFERENCE_NAMES: Record<ReconciliationMismatchDetail['mismatch']['kind'], Label> = {
  payment: { zh: '商户订单号', en: 'Merchant order number' },
  refund: { zh: '退款请求号', en: 'Refund request number' },
  transfer: { zh: '商户转账单号', en: 'Merchant transfer number' },
};

type LedgerRecord = NonNullable<ReconciliationMismatchDetail['ledgerRecord']>;

export const LEDGER_RECORD_LABELS: Record<LedgerRecord['type'], Label> = {
  payment: { zh: '支付单', en: 'Payment' },
  refund: { zh: '退款单', en: 'Refund' },
  payout: { zh: '提现单', en: 'Payout' },
};

const MONEY_STATUS_LABELS: Record<string, Label> = {
  pending: { zh: '处理中', en: 'Pending' },
  succeeded: { zh: '成功', en: 'Succeeded' },
  failed: { zh: '失败', en: 'Failed' },
  closed: { zh: '已关闭', en: 'Closed' },
};

/** A platform record's status in words (payouts have their own statuses; payments and refunds share these). */
export function recordStatusLabel(record: LedgerRecord): Label {
  if (record.type === 'payout' && record.status in PAYOUT_STATUS_LABELS)
    return PAYOUT_STATUS_LABELS[record.status as keyof typeof PAYOUT_STATUS_LABELS];
  return MONEY_STATUS_LABELS[record.status] ?? { zh: record.status, en: record.status };
}

/** Risk levels in words (never colour alone), most serious first. */
export const RISK_LEVEL_ORDER: Record<PayoutRiskSignal['level'], number> = { high: 0, medium: 1, info: 2 };
