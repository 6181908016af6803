import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Event retention: events older than EVENT_RETENTION_DAYS move from the hot `events` table to
 * `events_archive` (platform/events/retention.ts), except the newest event of each case, which the
 * console's `/ops/sync` snapshot is built from. `event_retention.archived_through` is the seq up to which
 * the hot table may be missing events: a live-stream replay from below it answers `resync`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE events_archive (
      id bigint PRIMARY KEY,
      seq bigint NOT NULL UNIQUE,
      type text NOT NULL,
      aggregate_type text NOT NULL,
      aggregate_id bigint NOT NULL,
      payload jsonb NOT NULL,
      audience bigint[] NOT NULL,
      created_at timestamptz NOT NULL,
      archived_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX events_archive_aggregate_idx ON events_archive (aggregate_type, aggregate_id, seq)`,
    `CREATE TABLE event_retention (
      id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      archived_through bigint NOT NULL DEFAULT 0 CHECK (archived_through >= 0),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `INSERT INTO event_retention DEFAULT VALUES`,
  ]);
}
