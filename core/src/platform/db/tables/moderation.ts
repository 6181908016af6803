import type { ColumnType, Generated } from 'kysely';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Row types of the moderation tables (migration 20261127091000). */
export interface ModerationTables {
  scan_hits: {
    id: Generated<number>;
    subject_type: string;
    subject_id: number;
    field: string;
    kind: 'prohibited_word' | 'phone' | 'wechat' | 'qq' | 'email' | 'url';
    match: string;
    category: string | null;
    start: number;
    end: number;
    created_at: TimestampDefault;
  };
  reports: {
    id: Generated<number>;
    reporter_id: number | null;
    target_type: 'listing' | 'review' | 'message' | 'user';
    target_id: number;
    target_user_id: number | null;
    reason: string;
    detail: Generated<string>;
    case_id: number | null;
    created_at: TimestampDefault;
  };
  sanctions: {
    id: Generated<number>;
    user_id: number;
    kind: 'warn' | 'suspend' | 'ban' | 'takedown';
    status: Generated<'active' | 'expired' | 'revoked'>;
    reason: string;
    note: Generated<string>;
    days: number | null;
    starts_at: ColumnType<Date, Date | string, Date | string>;
    ends_at: NullableTimestamp;
    case_id: number | null;
    subject_type: string | null;
    subject_id: number | null;
    created_by: number | null;
    created_at: TimestampDefault;
    revoked_at: NullableTimestamp;
    revoked_by: number | null;
    revoke_note: string | null;
  };
  hidden_content: {
    subject_type: 'review' | 'message';
    subject_id: number;
    case_id: number | null;
    hidden_by: number | null;
    hidden_at: TimestampDefault;
  };
}
