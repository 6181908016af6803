import { z } from 'zod';
import { idSchema, isoDateTime, text } from '../api/common';
import { queueViewStateSchema } from '../console/views';
import { WORKSPACES } from '../console/workspaces';

/**
 * Team-shared saved views (`/ops/team-views`): a queue view (filters, sort, columns — the same state a
 * personal saved view keeps) that a member shares with one of their teams, so the whole team opens
 * "高优先级待审" with one click. Each member sees the views of the teams they belong to, per queue
 * workspace. A member of the team (or a `teams.manage` holder) may share; its creator or a
 * `teams.manage` holder may replace or delete it.
 */

/** The queue workspaces a view may be shared for (those that list cases). */
export const TEAM_VIEW_WORKSPACES = WORKSPACES.filter((w) => w.caseKinds).map((w) => w.id) as [
  string,
  ...string[],
];
export const teamViewWorkspaceSchema = z.enum(TEAM_VIEW_WORKSPACES);

/** A team keeps at most this many shared views per workspace. */
export const MAX_TEAM_VIEWS = 30;
export const TEAM_VIEW_NAME_MAX = 40;

export const teamViewSchema = z.object({
  id: z.number().int(),
  teamId: z.number().int(),
  teamName: z.string(),
  workspace: z.string(),
  name: z.string(),
  state: queueViewStateSchema,
  createdBy: z.object({ id: z.number().int(), nickname: z.string() }),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  /** Whether the caller may replace or delete it (its creator, or a `teams.manage` holder). */
  mayDelete: z.boolean(),
});
export type TeamView = z.infer<typeof teamViewSchema>;

export const teamViewListQuerySchema = z.object({ workspace: teamViewWorkspaceSchema }).strict();
export const teamViewListSchema = z.object({
  /** The teams the caller belongs to (those they may share with), by name. */
  teams: z.array(z.object({ id: z.number().int(), name: z.string() })),
  /** Their views for the workspace, by team then name. */
  items: z.array(teamViewSchema),
});
export type TeamViewList = z.infer<typeof teamViewListSchema>;

/** Shares a view with a team; a view of the same name (team and workspace) is replaced. */
export const shareTeamViewBodySchema = z
  .object({
    teamId: idSchema,
    workspace: teamViewWorkspaceSchema,
    name: text({ min: 1, max: TEAM_VIEW_NAME_MAX }),
    state: queueViewStateSchema,
  })
  .strict();
export type ShareTeamViewBody = z.infer<typeof shareTeamViewBodySchema>;

export const TEAM_VIEW_ERRORS = {
  team_view_not_member: {
    status: 403,
    zh: '你不是该团队的成员，不能向其共享视图',
    en: 'You are not a member of this team, so you cannot share views with it',
  },
  team_view_not_yours: {
    status: 403,
    zh: '只有视图的创建者或团队管理员可以修改或删除它',
    en: 'Only the view’s creator or a team manager may change or delete it',
  },
  team_view_limit: {
    status: 409,
    zh: `每个团队在一个队列中最多共享 ${MAX_TEAM_VIEWS} 个视图，请先删除不用的视图`,
    en: `A team shares at most ${MAX_TEAM_VIEWS} views per queue; delete one it no longer uses first`,
  },
} as const;
