import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Row types of team routing (migration 20261206090000). */
export interface RoutingTables {
  teams: {
    id: Generated<number>;
    name: string;
    kinds: string[];
    mode: 'round_robin' | 'capacity';
    capacity: number | null;
    /** The member who received the team's last round-robin case. */
    rr_cursor: number | null;
    version: Generated<number>;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
  };
  team_members: {
    team_id: number;
    user_id: number;
    added_at: TimestampDefault;
  };
  staff_presence: {
    user_id: number;
    status: 'online' | 'away';
    changed_at: Timestamp;
    last_assigned_at: NullableTimestamp;
  };
}
