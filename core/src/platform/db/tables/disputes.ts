import type { ColumnType, Generated } from 'kysely';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Outcome = 'refund' | 'release' | 'split';
/** A nullable column an insert may leave out. */
type Opt<T> = ColumnType<T | null, T | null | undefined, T | null>;

/**
 * Row types of the ops disputes tables (migration 20261127092000). The `disputes` table itself belongs
 * to the orders migration; its ops columns are in `DisputeOpsColumns` (merged into its row type).
 */
export interface DisputeOpsColumns {
  evidence_until: NullableTimestamp;
  proposal_outcome: Opt<Outcome>;
  proposal_refund_fen: Opt<number>;
  proposal_release_fen: Opt<number>;
  proposal_note: Opt<string>;
  proposed_by: Opt<number>;
  proposed_at: NullableTimestamp;
  refund_fen: Opt<number>;
  release_fen: Opt<number>;
  fee_fen: Opt<number>;
  resolution_note: Opt<string>;
  resolved_by: Opt<number>;
  approved_by: Opt<number>;
}

export interface DisputesTables {
  dispute_evidence: {
    id: Generated<number>;
    dispute_id: number;
    author_id: number;
    side: 'client' | 'freelancer';
    note: string;
    file_ids: Generated<number[]>;
    created_at: Timestamp;
  };
  dispute_decisions: {
    id: Generated<number>;
    dispute_id: number;
    step: 'proposed' | 'approved' | 'rejected' | 'executed';
    actor_id: number;
    outcome: Outcome;
    refund_fen: number;
    release_fen: number;
    note: Generated<string>;
    at: Timestamp;
  };
}
