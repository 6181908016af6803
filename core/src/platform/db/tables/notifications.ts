import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<Record<string, unknown>, string | undefined, string>;

/** Row types of the notification outbox and the job run log (migration 20261127095000). */
export interface NotificationsTables {
  notifications: {
    id: Generated<number>;
    user_id: number;
    channel: 'email' | 'sms';
    template: string;
    /**
     * Email: the address. SMS: sealed (platform/crypto/pii.ts) when the number is the message's own (a
     * verification code); null for "the user's verified phone", looked up and opened at delivery.
     */
    recipient: string | null;
    subject: Generated<string>;
    body: string;
    params: Json;
    event_type: string;
    state: Generated<'pending' | 'sending' | 'sent' | 'failed' | 'skipped'>;
    attempts: Generated<number>;
    next_attempt_at: Timestamp;
    lease_until: NullableTimestamp;
    last_error: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
    sent_at: NullableTimestamp;
  };
  job_runs: {
    id: Generated<number>;
    job: string;
    slot: NullableTimestamp;
    instance: string;
    started_at: TimestampDefault;
    finished_at: NullableTimestamp;
    ok: boolean | null;
    error: string | null;
    result: Json;
  };
}
