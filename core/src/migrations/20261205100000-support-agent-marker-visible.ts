import type { Kysely } from 'kysely';
import { runStatements } from '../platform/db/migrate';

/**
 * The agent side's read marker is shown to the customer, so it must not rest on a private note (a note's
 * id there tells the customer that a note exists). Markers written before `markAgentRead` clamped them are
 * moved back to the newest message the customer can see at or before them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await runStatements(db, [
    `UPDATE support_conversations sc
        SET agent_last_read_message_id = COALESCE(
              (SELECT max(m.id) FROM support_messages m
                WHERE m.conversation_id = sc.id AND NOT m.is_note AND m.id <= sc.agent_last_read_message_id),
              0)
      WHERE EXISTS (SELECT 1 FROM support_messages n
                     WHERE n.id = sc.agent_last_read_message_id AND n.is_note)`,
  ]);
}
