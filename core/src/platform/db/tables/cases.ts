import type { CaseKind } from '@jiangxin/shared/ops/cases';
import type { ColumnType, Generated } from 'kysely';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string, string>;

/** Row types of the ops queue, the audit log and ops settings (migration 20261127090000). */
export interface CasesTables {
  cases: {
    id: Generated<number>;
    kind: CaseKind;
    status: Generated<'open' | 'waiting' | 'resolved'>;
    stage: string;
    priority: Generated<number>;
    assignee_id: number | null;
    claimed_at: NullableTimestamp;
    version: Generated<number>;
    sla_due_at: NullableTimestamp;
    sla_breached: Generated<boolean>;
    subject_type: string;
    subject_id: number;
    user_id: number | null;
    order_id: number | null;
    amount_fen: number | null;
    title: string;
    summary: ColumnType<Record<string, unknown>, string | undefined, string>;
    flags: Generated<string[]>;
    /** Labels staff add (macros); migration 20261206100000. */
    tags: Generated<string[]>;
    outcome: string | null;
    search_text: Generated<string>;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
    resolved_at: NullableTimestamp;
    resolved_by: number | null;
  };
  case_history: {
    id: Generated<number>;
    case_id: number;
    at: ColumnType<Date, Date | string, Date | string>;
    actor_id: number | null;
    action: string;
    from_status: string | null;
    to_status: string | null;
    note: Generated<string>;
    data: ColumnType<Record<string, unknown>, string | undefined, string>;
  };
  audit_log: {
    id: Generated<number>;
    at: ColumnType<Date, Date | string, never>;
    actor_id: number | null;
    action: string;
    subject_type: string;
    subject_id: number | null;
    data: ColumnType<Record<string, unknown>, string, never>;
    prev_hash: string;
    hash: string;
  };
  ops_settings: {
    key: string;
    value: Json;
    updated_by: number | null;
    updated_at: TimestampDefault;
  };
}
