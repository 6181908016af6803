import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Team-shared saved views: a queue view (the console's filters, sort and columns, validated by the shared
 * `queueViewStateSchema` before it is written) that a member shares with a team for one workspace, named
 * uniquely per team and workspace.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE team_views (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      team_id bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
      workspace text NOT NULL CHECK (workspace ~ '^[a-zA-Z]{1,40}$'),
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 40),
      state jsonb NOT NULL,
      created_by bigint NOT NULL REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (team_id, workspace, name)
    )`,
  ]);
}
