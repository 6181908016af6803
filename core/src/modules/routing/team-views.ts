import { queueViewStateSchema } from '@jiangxin/shared/console/views';
import type { ShareTeamViewBody, TeamView, TeamViewList } from '@jiangxin/shared/ops/team-views';
import { MAX_TEAM_VIEWS } from '@jiangxin/shared/ops/team-views';
import { hasPermission } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';

/**
 * Team-shared saved views: a member shares a queue view with one of their teams; every member of the team
 * sees it in that queue's view menu. Sharing needs membership (or `teams.manage`); replacing or deleting
 * needs its creator (or `teams.manage`). Writes for one team run under an advisory lock on the team, so
 * the cap of MAX_TEAM_VIEWS per team and workspace is a plain count.
 */

/** Arbitrary constant naming the advisory locks (one per team) that serialize team view writes. */
const TEAM_VIEWS_LOCK = 0x4a58_0021;

const noSuchTeam = () => notFound({ zh: '团队不存在', en: 'No such team' });
const noSuchView = () => notFound({ zh: '团队视图不存在', en: 'No such team view' });

const manages = (staff: Staff) => hasPermission(staff.roles, 'teams.manage');

type Row = {
  id: number;
  team_id: number;
  team_name: string;
  workspace: string;
  name: string;
  state: Record<string, unknown>;
  created_by: number;
  creator: string;
  created_at: Date;
  updated_at: Date;
};

function toView(r: Row, staff: Staff): TeamView | null {
  // Validated on the way in; a row that no longer parses (the state's contract narrowed) is left out.
  const state = queueViewStateSchema.safeParse(r.state);
  if (!state.success) return null;
  return {
    id: r.id,
    teamId: r.team_id,
    teamName: r.team_name,
    workspace: r.workspace,
    name: r.name,
    state: state.data,
    createdBy: { id: r.created_by, nickname: r.creator },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    mayDelete: r.created_by === staff.userId || manages(staff),
  };
}

function selectViews(db: ReadDb | Tx) {
  return db
    .selectFrom('team_views as v')
    .innerJoin('teams as t', 't.id', 'v.team_id')
    .innerJoin('users as u', 'u.id', 'v.created_by')
    .select([
      'v.id',
      'v.team_id',
      't.name as team_name',
      'v.workspace',
      'v.name',
      'v.state',
      'v.created_by',
      'u.nickname as creator',
      'v.created_at',
      'v.updated_at',
    ]);
}

/** The caller's teams and the views those teams share for `workspace`, by team name then view name. */
export async function listTeamViews(db: ReadDb | Tx, staff: Staff, workspace: string): Promise<TeamViewList> {
  const teams = await db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .select(['t.id', 't.name'])
    .where('m.user_id', '=', staff.userId)
    .orderBy('t.name')
    .execute();
  if (teams.length === 0) return { teams: [], items: [] };
  const rows = await selectViews(db)
    .where(
      'v.team_id',
      'in',
      teams.map((t) => t.id),
    )
    .where('v.workspace', '=', workspace)
    .orderBy('t.name')
    .orderBy('v.name')
    .execute();
  return { teams, items: rows.flatMap((r) => toView(r, staff) ?? []) };
}

/** Shares a view with a team, replacing the team's view of the same name in that workspace. */
export async function shareTeamView(
  ctx: AppContext,
  staff: Staff,
  body: ShareTeamViewBody,
): Promise<TeamView> {
  return ctx.db.transact(async (tx) => {
    const team = await tx
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('id', '=', body.teamId)
      .executeTakeFirst();
    if (!team) throw noSuchTeam();
    const member = await tx
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', team.id)
      .where('user_id', '=', staff.userId)
      .executeTakeFirst();
    if (!member && !manages(staff))
      throw new AppError('team_view_not_member', undefined, { teamId: team.id });
    await sql`SELECT pg_advisory_xact_lock(${TEAM_VIEWS_LOCK}::int, ${team.id}::int)`.execute(tx);
    const now = ctx.now();
    const state = JSON.stringify(body.state);
    const existing = await tx
      .selectFrom('team_views')
      .select(['id', 'created_by'])
      .where('team_id', '=', team.id)
      .where('workspace', '=', body.workspace)
      .where('name', '=', body.name)
      .executeTakeFirst();
    let id: number;
    if (existing) {
      if (existing.created_by !== staff.userId && !manages(staff))
        throw new AppError('team_view_not_yours', undefined, { viewId: existing.id });
      await tx
        .updateTable('team_views')
        .set({ state, updated_at: now })
        .where('id', '=', existing.id)
        .execute();
      id = existing.id;
    } else {
      const { n } = await tx
        .selectFrom('team_views')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('team_id', '=', team.id)
        .where('workspace', '=', body.workspace)
        .executeTakeFirstOrThrow();
      if (Number(n) >= MAX_TEAM_VIEWS)
        throw new AppError('team_view_limit', undefined, { teamId: team.id, max: MAX_TEAM_VIEWS });
      ({ id } = await tx
        .insertInto('team_views')
        .values({
          team_id: team.id,
          workspace: body.workspace,
          name: body.name,
          state,
          created_by: staff.userId,
          created_at: now,
          updated_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow());
    }
    await appendAudit(tx, now, {
      actorId: staff.userId,
      action: existing ? 'team_view.replace' : 'team_view.create',
      subjectType: 'team_view',
      subjectId: id,
      data: { teamId: team.id, teamName: team.name, workspace: body.workspace, name: body.name },
    });
    const row = await selectViews(tx).where('v.id', '=', id).executeTakeFirstOrThrow();
    return toView(row, staff)!;
  });
}

/** Deletes a team view: its creator or a `teams.manage` holder. */
export async function deleteTeamView(ctx: AppContext, staff: Staff, id: number): Promise<void> {
  await ctx.db.transact(async (tx) => {
    const view = await tx
      .selectFrom('team_views as v')
      .innerJoin('teams as t', 't.id', 'v.team_id')
      .select(['v.id', 'v.team_id', 't.name as team_name', 'v.workspace', 'v.name', 'v.created_by'])
      .where('v.id', '=', id)
      .executeTakeFirst();
    if (!view) throw noSuchView();
    if (view.created_by !== staff.userId && !manages(staff))
      throw new AppError('team_view_not_yours', undefined, { viewId: view.id });
    await tx.deleteFrom('team_views').where('id', '=', id).execute();
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: 'team_view.delete',
      subjectType: 'team_view',
      subjectId: id,
      data: { teamId: view.team_id, teamName: view.team_name, workspace: view.workspace, name: view.name },
    });
  });
}
