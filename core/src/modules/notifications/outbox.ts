import type { EventType } from '@jiangxin/shared/events';
import type { AppContext } from '../../platform/context';
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
 * change notifies nobody. The recipient address is captured now. The insert's foreign key takes FOR KEY
 * SHARE on the user's row, late in the caller's transaction: which is why a user row is never locked FOR
 * UPDATE in a command that touches money (lock order, platform/db/locks.ts). The row keeps the subject and
 * body as sent and, in `params`, the words an SMS provider's template is filled with (`vars`).
 */
export async function queueNotification<T extends NotificationTemplate>(
  ctx: AppContext,
  tx: Tx,
  eventType: EventType,
  userId: number,
  template: T,
  params: TemplateParams<T>,
): Promise<number> {
  const user = await tx
    .selectFrom('users')
    .select(['email', 'phone', 'phone_verified'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return 0;
  const def = NOTIFICATION_TEMPLATES[template];
  const { subject, body, vars } = renderNotice(template, params, NOTIFICATION_LANG);
  const now = ctx.now();
  const base = {
    user_id: userId,
    template,
    subject,
    body,
    params: JSON.stringify(vars),
    event_type: eventType,
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
  };
  const rows = [];
  if (user.email) rows.push({ ...base, channel: 'email' as const, recipient: user.email });
  if (def.sms && user.phone && user.phone_verified)
    rows.push({ ...base, channel: 'sms' as const, recipient: user.phone });
  if (rows.length) await tx.insertInto('notifications').values(rows).execute();
  return rows.length;
}
