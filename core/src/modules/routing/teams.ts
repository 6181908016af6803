import { CASE_KINDS, type CaseKind } from '@jiangxin/shared/ops/cases';
import type { CreateTeamBody, Team, UpdateTeamBody } from '@jiangxin/shared/ops/routing';
import { hasPermission, type StaffRole, staffRoleSchema } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';
import { mayBeAssigned } from '../cases/commands';

/**
 * Teams and their members (`teams.manage`). Writes run under one advisory lock, so "a kind belongs to
 * at most one team" is a plain check, carry the team's version, and are audited in their transaction.
 */

/** Arbitrary constant naming the advisory lock that serializes team writes. */
const TEAMS_LOCK = 0x4a58_0020;

const noSuchTeam = () => notFound({ zh: '团队不存在', en: 'No such team' });

/** Every team with its members, their status and open cases of the team's kinds; by name. */
export async function listTeams(db: ReadDb | Tx, onlyId?: number): Promise<Team[]> {
  const teams = await db
    .selectFrom('teams')
    .selectAll()
    .$if(onlyId !== undefined, (q) => q.where('id', '=', onlyId as number))
    .orderBy('id')
    .execute();
  if (teams.length === 0) return [];
  const members = await db
    .selectFrom('team_members as tm')
    .innerJoin('teams as t', 't.id', 'tm.team_id')
    .innerJoin('users as u', 'u.id', 'tm.user_id')
    .leftJoin('staff_presence as p', 'p.user_id', 'tm.user_id')
    .select([
      'tm.team_id',
      'u.id',
      'u.nickname',
      'u.staff_roles',
      'u.status',
      'u.staff_disabled_at',
      'p.status as presence',
      sql<string>`(SELECT count(*) FROM cases c
                    WHERE c.assignee_id = u.id AND c.status <> 'resolved' AND c.kind = ANY(t.kinds))`.as(
        'open_cases',
      ),
    ])
    .where(
      'tm.team_id',
      'in',
      teams.map((t) => t.id),
    )
    .orderBy('u.id')
    .execute();
  return teams.map((t) => {
    const kinds = t.kinds.filter((k): k is CaseKind => (CASE_KINDS as readonly string[]).includes(k));
    return {
      id: t.id,
      name: t.name,
      kinds,
      mode: t.mode,
      capacity: t.capacity,
      version: t.version,
      updatedAt: t.updated_at.toISOString(),
      members: members
        .filter((m) => m.team_id === t.id)
        .map((m) => ({
          userId: m.id,
          nickname: m.nickname,
          roles: (m.staff_roles as string[]).filter(
            (r): r is StaffRole => staffRoleSchema.safeParse(r).success,
          ),
          status: m.presence ?? 'away',
          openCases: Number(m.open_cases),
          eligible: kinds.every((k) => mayBeAssigned(m, k)),
        })),
    };
  });
}

async function begin(tx: Tx, actor: Staff): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${TEAMS_LOCK})`.execute(tx);
  // The actor may have been disabled or lost the role since the request was let in.
  const me = await tx
    .selectFrom('users')
    .select(['staff_roles', 'staff_disabled_at'])
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  const roles = (me?.staff_roles ?? []) as StaffRole[];
  if (!me || me.staff_disabled_at || !hasPermission(roles, 'teams.manage'))
    throw new AppError('forbidden', undefined, { permission: 'teams.manage' });
}

/** Name and kinds free, every member an active member of staff who may handle every kind. */
async function checkTeam(tx: Tx, body: CreateTeamBody, selfId: number | null): Promise<void> {
  const others = await tx
    .selectFrom('teams')
    .select(['id', 'name', 'kinds'])
    .$if(selfId !== null, (q) => q.where('id', '<>', selfId as number))
    .execute();
  if (others.some((o) => o.name === body.name))
    throw new AppError('team_name_taken', undefined, undefined, [
      { field: 'body.name', message: 'another team has this name' },
    ]);
  const clash = others.find((o) => o.kinds.some((k) => (body.kinds as string[]).includes(k)));
  if (clash)
    throw new AppError(
      'team_kind_taken',
      {
        zh: `团队「${clash.name}」已负责其中的工单类型`,
        en: `Team ${clash.name} already handles one of these kinds`,
      },
      { teamId: clash.id },
      [{ field: 'body.kinds', message: `team ${clash.id} already handles one of these kinds` }],
    );
  if (body.memberIds.length === 0) return;
  const users = await tx
    .selectFrom('users')
    .select(['id', 'status', 'staff_disabled_at', 'staff_roles'])
    .where('id', 'in', body.memberIds)
    .execute();
  body.memberIds.forEach((id, i) => {
    const u = users.find((x) => x.id === id);
    if (!u || !body.kinds.every((k) => mayBeAssigned(u, k)))
      throw new AppError('team_member_not_eligible', undefined, { userId: id }, [
        {
          field: `body.memberIds.${i}`,
          message: 'is not an active member of staff who may handle every kind of this team',
        },
      ]);
  });
}

async function setMembers(tx: Tx, teamId: number, memberIds: number[], now: Date): Promise<void> {
  await tx.deleteFrom('team_members').where('team_id', '=', teamId).execute();
  if (memberIds.length > 0)
    await tx
      .insertInto('team_members')
      .values(memberIds.map((userId) => ({ team_id: teamId, user_id: userId, added_at: now })))
      .execute();
}

export async function createTeam(ctx: AppContext, actor: Staff, body: CreateTeamBody): Promise<Team> {
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    await checkTeam(tx, body, null);
    const now = ctx.now();
    const capacity = body.capacity ?? null;
    const { id } = await tx
      .insertInto('teams')
      .values({
        name: body.name,
        kinds: body.kinds,
        mode: body.mode,
        capacity,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setMembers(tx, id, body.memberIds, now);
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'team.create',
      subjectType: 'team',
      subjectId: id,
      data: { name: body.name, kinds: body.kinds, mode: body.mode, capacity, memberIds: body.memberIds },
    });
    const [team] = await listTeams(tx, id);
    return team!;
  });
}

export async function updateTeam(
  ctx: AppContext,
  actor: Staff,
  id: number,
  body: UpdateTeamBody,
): Promise<Team> {
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    const row = await tx
      .selectFrom('teams')
      .selectAll()
      .where('id', '=', id)
      .forNoKeyUpdate()
      .executeTakeFirst();
    if (!row) throw noSuchTeam();
    if (row.version !== body.version)
      throw new AppError('team_version_conflict', undefined, { currentVersion: row.version });
    await checkTeam(tx, body, id);
    const now = ctx.now();
    const capacity = body.capacity ?? null;
    const before = await tx
      .selectFrom('team_members')
      .select('user_id')
      .where('team_id', '=', id)
      .orderBy('user_id')
      .execute();
    await tx
      .updateTable('teams')
      .set({
        name: body.name,
        kinds: body.kinds,
        mode: body.mode,
        capacity,
        version: row.version + 1,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    await setMembers(tx, id, body.memberIds, now);
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'team.update',
      subjectType: 'team',
      subjectId: id,
      data: {
        before: {
          name: row.name,
          kinds: row.kinds,
          mode: row.mode,
          capacity: row.capacity,
          memberIds: before.map((m) => m.user_id),
        },
        after: { name: body.name, kinds: body.kinds, mode: body.mode, capacity, memberIds: body.memberIds },
      },
    });
    const [team] = await listTeams(tx, id);
    return team!;
  });
}
