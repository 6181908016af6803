import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Team routing: teams (the case kinds each handles, its assignment mode, a per-member cap and the
 * round-robin cursor), their members, and each member of staff's own online/away status with when they
 * last received a case (capacity-aware ties go to the longest idle).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE TABLE teams (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL UNIQUE,
      kinds text[] NOT NULL,
      mode text NOT NULL CHECK (mode IN ('round_robin','capacity')),
      capacity integer CHECK (capacity IS NULL OR capacity > 0),
      rr_cursor bigint,
      version integer NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (mode <> 'capacity' OR capacity IS NOT NULL)
    )`,
    `CREATE TABLE team_members (
      team_id bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users(id),
      added_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (team_id, user_id)
    )`,
    `CREATE INDEX team_members_user_idx ON team_members (user_id)`,
    `CREATE TABLE staff_presence (
      user_id bigint PRIMARY KEY REFERENCES users(id),
      status text NOT NULL CHECK (status IN ('online','away')),
      changed_at timestamptz NOT NULL,
      last_assigned_at timestamptz
    )`,
  ]);
}
