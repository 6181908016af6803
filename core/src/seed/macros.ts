import type { CannedReplyEffects } from '@jiangxin/shared/ops/support';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { updateCannedReply } from '../modules/support/canned-replies';
import type { AppContext } from '../platform/context';

/**
 * The demo's macros: three of the canned replies every database starts with (see the support migration)
 * also act on the chat when an agent sends them, set by the support lead through the same command as the
 * console's 快捷回复 screen (audited). 退款说明 tags the chat 退款; 站外交易提醒 raises it to 高 and tags
 * it 站外交易; 结束语 ends the chat (refused while the customer has unread messages). 问候 and 订单核实 stay
 * plain replies.
 */
const DEMO_MACROS: { shortcut: string; effects: CannedReplyEffects }[] = [
  { shortcut: 'refund', effects: { status: null, priority: null, addTags: ['退款'] } },
  { shortcut: 'offsite', effects: { status: null, priority: 2, addTags: ['站外交易'] } },
  { shortcut: 'bye', effects: { status: 'resolved', priority: null, addTags: [] } },
];

export async function seedMacros(ctx: AppContext): Promise<void> {
  const lead = await ctx.db.write
    .selectFrom('users')
    .select(['id', 'staff_roles'])
    .where('username', '=', 'admin')
    .executeTakeFirst();
  if (!lead) return;
  const staff = { userId: lead.id, roles: lead.staff_roles as StaffRole[] };
  const replies = await ctx.db.write
    .selectFrom('canned_replies')
    .select(['id', 'shortcut'])
    .where(
      'shortcut',
      'in',
      DEMO_MACROS.map((m) => m.shortcut),
    )
    .execute();
  for (const m of DEMO_MACROS) {
    const reply = replies.find((r) => r.shortcut === m.shortcut);
    if (reply) await updateCannedReply(ctx, staff, reply.id, { effects: m.effects });
  }
}
