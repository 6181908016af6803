import type { ColumnType, Generated } from 'kysely';
import type { Sealed } from '../../crypto/pii';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Row types of the ops payouts tables (migration 20261127093000). */
export interface PayoutsTables {
  payouts: {
    id: Generated<number>;
    user_id: number;
    amount_fen: number;
    channel: 'alipay' | 'wechat' | 'bank';
    provider: 'alipay' | 'wechat';
    /** Sealed (platform/crypto/pii.ts). */
    account_name: Sealed;
    account_number: Sealed;
    /** Blind index of the account number: "same account as last time" without opening it. */
    account_bidx: string;
    bank_name: string | null;
    status: Generated<'pending_review' | 'approved' | 'processing' | 'paid' | 'failed' | 'rejected'>;
    required_approvals: 1 | 2;
    out_biz_no: string | null;
    gateway_ref: string | null;
    rejection_reason: string | null;
    failure_reason: string | null;
    attempts: Generated<number>;
    last_error: string | null;
    lease_until: NullableTimestamp;
    approved_at: NullableTimestamp;
    paid_at: NullableTimestamp;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
  };
  payout_approvals: {
    payout_id: number;
    staff_id: number;
    at: ColumnType<Date, Date | string, Date | string>;
    note: Generated<string>;
  };
  reconciliation_mismatches: {
    id: Generated<number>;
    day: string;
    kind: 'payment' | 'refund' | 'transfer';
    provider: 'alipay' | 'wechat';
    reference: string;
    problem: 'missing_in_ledger' | 'missing_at_gateway' | 'amount_differs' | 'status_differs';
    ledger_amount_fen: number | null;
    gateway_amount_fen: number | null;
    detail: ColumnType<Record<string, unknown>, string | undefined, string>;
    case_id: number | null;
    created_at: TimestampDefault;
  };
}
