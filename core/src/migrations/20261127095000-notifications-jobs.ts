import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * The notification outbox (rows written by event reactions in the event's transaction, delivered by the
 * `notifications` job) and the log of background job runs (one row per run, pruned after a few days).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE notifications (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users(id),
      channel text NOT NULL CHECK (channel IN ('email','sms')),
      template text NOT NULL,
      recipient text NOT NULL,
      subject text NOT NULL DEFAULT '',
      body text NOT NULL,
      params jsonb NOT NULL DEFAULT '{}',
      event_type text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sending','sent','failed','skipped')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL,
      lease_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      sent_at timestamptz
    )`,
    `CREATE INDEX notifications_due_idx ON notifications (next_attempt_at, id) WHERE state IN ('pending','sending')`,
    `CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC)`,
    `CREATE TABLE job_runs (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job text NOT NULL,
      slot timestamptz,
      instance text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      ok boolean,
      error text,
      result jsonb NOT NULL DEFAULT '{}'
    )`,
    `CREATE INDEX job_runs_job_idx ON job_runs (job, started_at)`,
    // Range scans of /ops/stats.
    `CREATE INDEX ledger_journals_created_idx ON ledger_journals (created_at)`,
    `CREATE INDEX cases_resolved_idx ON cases (resolved_at, kind) WHERE resolved_at IS NOT NULL`,
  ]);
}
