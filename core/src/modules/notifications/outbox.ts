import type { EventType } from '@jiangxin/shared/events';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import { writeAtCommit } from '../../platform/db/at-commit';
import type { Tx } from '../../platform/db/database';
import {
  NOTIFICATION_TEMPLATES,
  type NoticeLang,
  type NotificationTemplate,
  renderNotice,
  type TemplateParams,
} from './templates';

/**
 * The language notifications are written in. Accounts store no language yet, so every user is written to
 * in Chinese, the product's first language; the templates hold English too, and a stored preference
 * would be read here (`users.locale`, zh-CN when unset).
 */
export const NOTIFICATION_LANG: NoticeLang = 'zh';

/**
 * Queues a notification to one user in the caller's transaction (an event reaction): one row per channel
 * the user can be reached on — email when they have an address, SMS when the template warrants it and
 * their phone is verified. The `notifications` job delivers the rows after commit, so a rolled-back
 * change notifies nobody. The email address is captured as the transaction commits (the row is
 * written by its last statement); an SMS row keeps no number (phones are sealed, and SQL cannot open
 * them): its recipient is null, meaning the user's verified phone, opened at delivery (delivery.ts).
 * The insert's foreign key takes FOR KEY SHARE on the user's row, last in the caller's transaction: which is why a user row is never locked FOR UPDATE in a command that
 * touches money (lock order, platform/db/locks.ts). The row keeps the subject and body as sent and, in
 * `params`, the words an SMS provider's template is filled with (`vars`).
 */
export async function queueNotification<T extends NotificationTemplate>(
  ctx: AppContext,
  tx: Tx,
  eventType: EventType,
  userId: number,
  template: T,
  params: TemplateParams<T>,
): Promise<void> {
  const def = NOTIFICATION_TEMPLATES[template];
  const { subject, body, vars } = renderNotice(template, params, NOTIFICATION_LANG);
  const now = ctx.now();
  // One row per reachable channel, addressed from the user's row as it is now: an INSERT … SELECT kept
  // for the transaction's last statement (at-commit.ts), so queueing costs no round trip of its own.
  const channels = sql.join([
    sql`('email'::text, u.email)`,
    ...(def.sms ? [sql`('sms'::text, CASE WHEN u.phone_verified AND u.phone IS NOT NULL THEN '' END)`] : []),
  ]);
  await writeAtCommit(
    tx,
    tx
      .insertInto('notifications')
      .columns([
        'user_id',
        'channel',
        'recipient',
        'template',
        'subject',
        'body',
        'params',
        'event_type',
        'next_attempt_at',
        'created_at',
        'updated_at',
      ])
      .expression(
        sql`SELECT u.id, c.channel, CASE WHEN c.channel = 'email' THEN c.recipient END, ${template}::text, ${subject}::text, ${body}::text,
                 ${JSON.stringify(vars)}::jsonb, ${eventType}::text,
                 ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz
          FROM users u CROSS JOIN LATERAL (VALUES ${channels}) AS c (channel, recipient)
          WHERE u.id = ${userId} AND c.recipient IS NOT NULL AND (c.channel = 'sms' OR c.recipient <> '')`,
      ),
  );
}
