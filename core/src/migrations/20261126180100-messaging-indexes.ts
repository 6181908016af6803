import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * Lookups the files and messaging modules make on every download and every conversation list:
 * "was this file sent in a conversation I am in" (messages by file) and "my conversations by activity".
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `CREATE INDEX messages_file_idx ON messages (file_id) WHERE file_id IS NOT NULL`,
    `CREATE INDEX files_sha256_idx ON files (sha256)`,
    `CREATE INDEX conversations_activity_idx ON conversations (updated_at DESC, id DESC)`,
  ]);
}
