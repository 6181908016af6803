import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/** Withdrawals (payouts), their approvals, and the differences daily reconciliation finds. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE payouts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      amount_fen bigint NOT NULL CHECK (amount_fen > 0),
      channel text NOT NULL CHECK (channel IN ('alipay','wechat','bank')),
      provider text NOT NULL CHECK (provider IN ('alipay','wechat')),
      account_name text NOT NULL,
      account_number text NOT NULL,
      bank_name text,
      status text NOT NULL DEFAULT 'pending_review'
        CHECK (status IN ('pending_review','approved','processing','paid','failed','rejected')),
      required_approvals smallint NOT NULL CHECK (required_approvals IN (1, 2)),
      out_biz_no text UNIQUE,
      gateway_ref text,
      rejection_reason text,
      failure_reason text,
      attempts integer NOT NULL DEFAULT 0,
      last_error text,
      lease_until timestamptz,
      approved_at timestamptz,
      paid_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX payouts_user_idx ON payouts (user_id, id DESC)`,
    `CREATE INDEX payouts_due_idx ON payouts (id) WHERE status IN ('approved','processing')`,
    `CREATE TABLE payout_approvals (
      payout_id bigint NOT NULL REFERENCES payouts(id),
      staff_id bigint NOT NULL REFERENCES users(id),
      at timestamptz NOT NULL,
      note text NOT NULL DEFAULT '',
      PRIMARY KEY (payout_id, staff_id)
    )`,
    `CREATE TABLE reconciliation_mismatches (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      day text NOT NULL CHECK (day ~ '^\\d{4}-\\d{2}-\\d{2}$'),
      kind text NOT NULL CHECK (kind IN ('payment','refund','transfer')),
      provider text NOT NULL CHECK (provider IN ('alipay','wechat')),
      reference text NOT NULL,
      problem text NOT NULL
        CHECK (problem IN ('missing_in_ledger','missing_at_gateway','amount_differs','status_differs')),
      ledger_amount_fen bigint,
      gateway_amount_fen bigint,
      detail jsonb NOT NULL DEFAULT '{}',
      case_id bigint REFERENCES cases(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    // One mismatch per movement, whichever day's run found it: reconciling again opens nothing new.
    `CREATE UNIQUE INDEX reconciliation_mismatches_movement ON reconciliation_mismatches (kind, provider, reference)`,
  ]);
}
