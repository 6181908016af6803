import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Macros and case tags: a case carries short tags; a canned reply may also set the chat's status and
 * priority and add tags when an agent replies with it (see modules/support/chat-case.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `ALTER TABLE cases ADD COLUMN tags text[] NOT NULL DEFAULT '{}'`,
    `ALTER TABLE canned_replies
      ADD COLUMN set_status text CHECK (set_status IN ('waiting','resolved')),
      ADD COLUMN set_priority smallint CHECK (set_priority BETWEEN 0 AND 3),
      ADD COLUMN add_tags text[] NOT NULL DEFAULT '{}'`,
  ]);
}
