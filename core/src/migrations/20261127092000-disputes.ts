import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Disputes for the ops side: the evidence deadline, the proposed resolution awaiting a second approval,
 * the executed resolution with its amounts, the parties' evidence and every staff decision.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE disputes
      ADD COLUMN evidence_until timestamptz,
      ADD COLUMN proposal_outcome text CHECK (proposal_outcome IN ('refund','release','split')),
      ADD COLUMN proposal_refund_fen bigint CHECK (proposal_refund_fen >= 0),
      ADD COLUMN proposal_release_fen bigint CHECK (proposal_release_fen >= 0),
      ADD COLUMN proposal_note text,
      ADD COLUMN proposed_by bigint REFERENCES users(id),
      ADD COLUMN proposed_at timestamptz,
      ADD COLUMN refund_fen bigint CHECK (refund_fen >= 0),
      ADD COLUMN release_fen bigint CHECK (release_fen >= 0),
      ADD COLUMN fee_fen bigint CHECK (fee_fen >= 0),
      ADD COLUMN resolution_note text,
      ADD COLUMN resolved_by bigint REFERENCES users(id),
      ADD COLUMN approved_by bigint REFERENCES users(id)`,
    `ALTER TABLE disputes ADD CONSTRAINT disputes_resolution_check
      CHECK (resolution IS NULL OR resolution IN ('refund','release','split'))`,
    // A second approval is by someone other than the proposer, whatever the application does.
    `ALTER TABLE disputes ADD CONSTRAINT disputes_four_eyes CHECK (approved_by IS NULL OR approved_by <> proposed_by)`,
    `CREATE TABLE dispute_evidence (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dispute_id bigint NOT NULL REFERENCES disputes(id),
      author_id bigint NOT NULL REFERENCES users(id),
      side text NOT NULL CHECK (side IN ('client','freelancer')),
      note text NOT NULL,
      file_ids bigint[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL
    )`,
    `CREATE INDEX dispute_evidence_dispute_idx ON dispute_evidence (dispute_id, id)`,
    `CREATE TABLE dispute_decisions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dispute_id bigint NOT NULL REFERENCES disputes(id),
      step text NOT NULL CHECK (step IN ('proposed','approved','rejected','executed')),
      actor_id bigint NOT NULL REFERENCES users(id),
      outcome text NOT NULL CHECK (outcome IN ('refund','release','split')),
      refund_fen bigint NOT NULL CHECK (refund_fen >= 0),
      release_fen bigint NOT NULL CHECK (release_fen >= 0),
      note text NOT NULL DEFAULT '',
      at timestamptz NOT NULL
    )`,
    `CREATE INDEX dispute_decisions_dispute_idx ON dispute_decisions (dispute_id, id)`,
    // A dispute is settled once: one executed decision per dispute.
    `CREATE UNIQUE INDEX dispute_decisions_one_execution ON dispute_decisions (dispute_id) WHERE step = 'executed'`,
  ]);
}
