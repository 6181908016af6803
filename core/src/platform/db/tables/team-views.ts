import type { ColumnType, Generated } from 'kysely';

type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

/** Row types of team-shared saved views (migration 20261206110000). */
export interface TeamViewsTables {
  team_views: {
    id: Generated<number>;
    team_id: number;
    workspace: string;
    name: string;
    /** A `QueueViewState`, validated before it is written; written as JSON text. */
    state: ColumnType<Record<string, unknown>, string, string>;
    created_by: number;
    created_at: TimestampDefault;
    updated_at: TimestampDefault;
  };
}
