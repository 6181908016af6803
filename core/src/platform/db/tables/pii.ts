import type { ColumnType } from 'kysely';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Row types of the personal-data key checks (migration 20261207130000, platform/crypto/pii-keys.ts). */
export interface PiiTables {
  pii_key_checks: {
    /** `data`: one row per data key id ever used; `index`: the blind-index key's one row. */
    kind: 'data' | 'index';
    key_id: string;
    /** data: a known text sealed under that key; index: the index key's fingerprint. */
    check_value: string;
    created_at: TimestampDefault;
    /** Set by `pii:rotate` once no row is sealed under this key any more: it may leave PII_KEY. */
    retired_at: NullableTimestamp;
  };
}
