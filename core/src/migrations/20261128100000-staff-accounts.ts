import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Staff account management: a disabled flag (kept apart from the marketplace `status`, which sanctions
 * own), a version for optimistic locking of role and state changes, and the last password sign-in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE users ADD COLUMN staff_disabled_at timestamptz`,
    `ALTER TABLE users ADD COLUMN staff_version integer NOT NULL DEFAULT 1`,
    `ALTER TABLE users ADD COLUMN last_login_at timestamptz`,
    `CREATE INDEX users_staff_list_idx ON users (id) WHERE staff_roles <> '{}'`,
  ]);
}
