import type { QueueViewState } from '@jiangxin/shared/console/views';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { shareTeamView } from '../modules/routing/team-views';
import { createTeam } from '../modules/routing/teams';
import type { AppContext } from '../platform/context';

/**
 * The demo's two teams, written through the routing commands (audited like an admin's): 审核组 reviews
 * listings and handles reports round robin, 客服组 answers support chats by workload (at most 5 each).
 * Their members start away, as every member does until they say otherwise: a member switches to 在线 in
 * the console header (or `PUT /ops/me/presence`) and from then on receives the new cases of the team's
 * kinds. (Online from the start, every fresh listing and chat would already be held when the browser
 * journeys go to claim it from the queue.) Seeded last: the work the seed left waiting stays queued.
 * Each team also gets one shared queue view, shared by its member through the same command as the
 * console's 共享给团队…: 审核组 「高优先级待审」 in 服务审核, 客服组 「等待客户回复」 in 在线客服.
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
      view: {
        workspace: 'listings',
        name: '高优先级待审',
        state: {
          filters: { statuses: ['open'], priorityAtLeast: 2 },
          sort: 'priority',
          columns: ['id', 'title', 'status', 'priority', 'assignee', 'sla', 'flags'],
        } satisfies QueueViewState,
      },
    },
    {
      name: '客服组',
      kinds: ['support_chat'] as const,
      mode: 'capacity' as const,
      capacity: 5,
      member: 'support',
      view: {
        workspace: 'chats',
        name: '等待客户回复',
        state: {
          filters: { statuses: ['waiting'] },
          sort: 'sla',
          columns: ['id', 'title', 'status', 'assignee', 'sla', 'created'],
        } satisfies QueueViewState,
      },
    },
  ];
  for (const t of teams) {
    const member = byName(t.member);
    if (!member) continue;
    const team = await createTeam(ctx, actor, {
      name: t.name,
      kinds: [...t.kinds],
      mode: t.mode,
      ...('capacity' in t ? { capacity: t.capacity } : {}),
      memberIds: [member.id],
    });
    await shareTeamView(
      ctx,
      { userId: member.id, roles: member.staff_roles as StaffRole[] },
      { teamId: team.id, ...t.view },
    );
  }
}
