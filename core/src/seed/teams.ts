import type { StaffRole } from '@jiangxin/shared/permissions';
import { createTeam } from '../modules/routing/teams';
import type { AppContext } from '../platform/context';

/**
 * The demo's two teams, written through the routing commands (audited like an admin's): 审核组 reviews
 * listings and handles reports round robin, 客服组 answers support chats by workload (at most 5 each).
 * Their members start away, as every member does until they say otherwise: a member switches to 在线 in
 * the console header (or `PUT /ops/me/presence`) and from then on receives the new cases of the team's
 * kinds. (Online from the start, every fresh listing and chat would already be held when the browser
 * journeys go to claim it from the queue.) Seeded last: the work the seed left waiting stays queued.
 */
export async function seedTeams(ctx: AppContext): Promise<void> {
  const staff = await ctx.db.write
    .selectFrom('users')
    .select(['id', 'username', 'staff_roles'])
    .where('username', 'in', ['admin', 'moderator', 'support'])
    .execute();
  const byName = (u: string) => staff.find((s) => s.username === u);
  const admin = byName('admin');
  if (!admin) return;
  const actor = { userId: admin.id, roles: admin.staff_roles as StaffRole[] };
  const teams = [
    {
      name: '审核组',
      kinds: ['listing_review', 'report'] as const,
      mode: 'round_robin' as const,
      member: 'moderator',
    },
    {
      name: '客服组',
      kinds: ['support_chat'] as const,
      mode: 'capacity' as const,
      capacity: 5,
      member: 'support',
    },
  ];
  for (const t of teams) {
    const member = byName(t.member);
    if (!member) continue;
    await createTeam(ctx, actor, {
      name: t.name,
      kinds: [...t.kinds],
      mode: t.mode,
      ...('capacity' in t ? { capacity: t.capacity } : {}),
      memberIds: [member.id],
    });
  }
}
