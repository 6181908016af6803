import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/** The ops queue (cases and their history), the hash-chained audit log and run-time ops settings. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE cases (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('listing_review','report','dispute','payout','support_chat','reconciliation_mismatch')),
      status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','waiting','resolved')),
      stage text NOT NULL,
      priority smallint NOT NULL DEFAULT 1 CHECK (priority BETWEEN 0 AND 3),
      assignee_id bigint REFERENCES users(id),
      claimed_at timestamptz,
      version integer NOT NULL DEFAULT 1,
      sla_due_at timestamptz,
      sla_breached boolean NOT NULL DEFAULT false,
      subject_type text NOT NULL,
      subject_id bigint NOT NULL,
      user_id bigint REFERENCES users(id),
      order_id bigint REFERENCES orders(id),
      amount_fen bigint CHECK (amount_fen >= 0),
      title text NOT NULL,
      summary jsonb NOT NULL DEFAULT '{}',
      flags text[] NOT NULL DEFAULT '{}',
      outcome text,
      search_text text NOT NULL DEFAULT '',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by bigint REFERENCES users(id)
    )`,
    // One live case per subject and kind: a second "listing submitted" reopens nothing twice.
    `CREATE UNIQUE INDEX cases_one_live_per_subject ON cases (kind, subject_type, subject_id) WHERE status <> 'resolved'`,
    `CREATE INDEX cases_queue_idx ON cases (kind, status, sla_due_at, id)`,
    `CREATE INDEX cases_assignee_idx ON cases (assignee_id, status) WHERE assignee_id IS NOT NULL`,
    `CREATE INDEX cases_user_idx ON cases (user_id, id DESC)`,
    `CREATE INDEX cases_order_idx ON cases (order_id) WHERE order_id IS NOT NULL`,
    `CREATE INDEX cases_sla_idx ON cases (sla_due_at) WHERE status <> 'resolved' AND NOT sla_breached`,
    `CREATE INDEX cases_search_idx ON cases USING gin (search_text gin_trgm_ops)`,
    `CREATE TABLE case_history (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      case_id bigint NOT NULL REFERENCES cases(id),
      at timestamptz NOT NULL,
      actor_id bigint REFERENCES users(id),
      action text NOT NULL,
      from_status text,
      to_status text,
      note text NOT NULL DEFAULT '',
      data jsonb NOT NULL DEFAULT '{}'
    )`,
    `CREATE INDEX case_history_case_idx ON case_history (case_id, id)`,
    `CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_id bigint REFERENCES users(id),
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id bigint,
      data jsonb NOT NULL DEFAULT '{}',
      prev_hash text NOT NULL,
      hash text NOT NULL UNIQUE
    )`,
    `CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC)`,
    `CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, id DESC)`,
    // Append-only: corrections are new rows. (A superuser can still tamper; verification catches it.)
    `CREATE RULE audit_log_no_update AS ON UPDATE TO audit_log DO INSTEAD NOTHING`,
    `CREATE RULE audit_log_no_delete AS ON DELETE TO audit_log DO INSTEAD NOTHING`,
    `CREATE TABLE ops_settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_by bigint REFERENCES users(id),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX events_case_seq_idx ON events (seq) WHERE aggregate_type = 'case'`,
  ]);
}
