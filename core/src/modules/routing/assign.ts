import type { CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendAudit } from '../audit/chain';
import { changeCase, mayBeAssigned } from '../cases/commands';
import { type CaseRow, lockCase } from '../cases/queries';

/**
 * Team routing's assignment: which online member of the team that handles a case's kind receives it.
 * Runs inside the caller's transaction (the one that opened the case, or the one that set a member
 * away) and hands the case on through `changeCase`, like a manual assignment: version, history line,
 * audit entry, `case.upserted` on the live stream.
 */

type TeamRow = {
  id: number;
  name: string;
  kinds: string[];
  mode: 'round_robin' | 'capacity';
  capacity: number | null;
  rr_cursor: number | null;
};

interface Candidate {
  userId: number;
  openCases: number;
  lastAssignedAt: Date | null;
}

/** The team handling `kind`, locked (its round-robin cursor moves), or undefined. */
async function lockTeamFor(tx: Tx, kind: CaseKind): Promise<TeamRow | undefined> {
  return (await tx
    .selectFrom('teams')
    .select(['id', 'name', 'kinds', 'mode', 'capacity', 'rr_cursor'])
    .where(sql<boolean>`${kind} = ANY(kinds)`)
    .orderBy('id')
    .limit(1)
    .forNoKeyUpdate()
    .executeTakeFirst()) as TeamRow | undefined;
}

/**
 * Online members of the team who may handle `kind` now and are under the team's cap, with their open
 * cases of the team's kinds. `exclude`: a member going away.
 */
async function candidates(
  tx: Tx,
  team: TeamRow,
  kind: CaseKind,
  exclude: number | null,
): Promise<Candidate[]> {
  const rows = await tx
    .selectFrom('team_members as tm')
    .innerJoin('users as u', 'u.id', 'tm.user_id')
    .innerJoin('staff_presence as p', 'p.user_id', 'tm.user_id')
    .select([
      'u.id',
      'u.status',
      'u.staff_disabled_at',
      'u.staff_roles',
      'p.last_assigned_at',
      sql<string>`(SELECT count(*) FROM cases c
                    WHERE c.assignee_id = u.id AND c.status <> 'resolved' AND c.kind = ANY(${team.kinds}::text[]))`.as(
        'open_cases',
      ),
    ])
    .where('tm.team_id', '=', team.id)
    .where('p.status', '=', 'online')
    .$if(exclude !== null, (q) => q.where('u.id', '<>', exclude as number))
    .orderBy('u.id')
    .execute();
  return rows
    .filter((r) => mayBeAssigned(r, kind))
    .map((r) => ({ userId: r.id, openCases: Number(r.open_cases), lastAssignedAt: r.last_assigned_at }))
    .filter((c) => team.capacity === null || c.openCases < team.capacity);
}

/** Round robin: the first member after the cursor (by id), wrapping. Capacity: fewest open, longest idle. */
function pick(team: TeamRow, list: Candidate[]): Candidate | undefined {
  if (team.mode === 'round_robin') {
    const cursor = team.rr_cursor ?? 0;
    return list.find((c) => c.userId > cursor) ?? list[0];
  }
  return [...list].sort(
    (a, b) =>
      a.openCases - b.openCases ||
      (a.lastAssignedAt?.getTime() ?? 0) - (b.lastAssignedAt?.getTime() ?? 0) ||
      a.userId - b.userId,
  )[0];
}

/**
 * Hands the locked case `c` to a member of the team handling its kind, or returns null (no team, or
 * nobody online under the cap: the case stays where it is). `actorId`: who caused it (null: the system).
 */
export async function autoAssign(
  ctx: AppContext,
  tx: Tx,
  c: CaseRow,
  opts: { actorId: number | null; exclude: number | null; why?: { zh: string; en: string } },
): Promise<CaseSummary | null> {
  if (c.status === 'resolved') return null;
  const team = await lockTeamFor(tx, c.kind);
  if (!team) return null;
  const chosen = pick(team, await candidates(tx, team, c.kind, opts.exclude));
  if (!chosen) return null;
  const now = ctx.now();
  if (team.mode === 'round_robin')
    await tx.updateTable('teams').set({ rr_cursor: chosen.userId }).where('id', '=', team.id).execute();
  await tx
    .updateTable('staff_presence')
    .set({ last_assigned_at: now })
    .where('user_id', '=', chosen.userId)
    .execute();
  const note = `${opts.why ? `${opts.why.zh}，` : ''}由团队「${team.name}」自动分配`;
  const reason = `${opts.why ? `${opts.why.en}; ` : ''}auto-assigned by team ${team.name}`;
  await appendAudit(tx, now, {
    actorId: opts.actorId,
    action: 'case.assign',
    subjectType: 'case',
    subjectId: c.id,
    data: { from: c.assignee_id, to: chosen.userId, note, reason, auto: true, teamId: team.id },
  });
  return changeCase(ctx, tx, c, opts.actorId, 'assigned', {
    assigneeId: chosen.userId,
    note,
    data: { from: c.assignee_id, to: chosen.userId, auto: true, teamId: team.id },
  });
}

/** Called by `openCase` for a case it just inserted: route it if a team handles its kind. */
export async function routeNewCase(ctx: AppContext, tx: Tx, caseId: number): Promise<CaseSummary | null> {
  const c = await lockCase(tx, caseId);
  if (!c || c.assignee_id !== null) return null;
  return autoAssign(ctx, tx, c, { actorId: null, exclude: null });
}

/** History actions that only move the case between hands: they do not count as working on it. */
const HOLD_ACTIONS = ['claimed', 'assigned', 'transferred', 'released'];

/**
 * A member went away: each open case they hold of their teams' kinds that they have not acted on since
 * receiving it goes back through the team's routing to another online member, or to the queue when
 * nobody can take it. In the caller's transaction; each hand-on audited with the member as actor.
 */
export async function handBackOnAway(ctx: AppContext, tx: Tx, userId: number): Promise<number> {
  const ids = await tx
    .selectFrom('cases as c')
    .select('c.id')
    .where('c.assignee_id', '=', userId)
    .where('c.status', '=', 'open')
    .where(
      sql<boolean>`c.kind = ANY(ARRAY(SELECT unnest(t.kinds) FROM teams t
                     JOIN team_members tm ON tm.team_id = t.id WHERE tm.user_id = ${userId}))`,
    )
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('case_history as h')
            .select('h.id')
            .whereRef('h.case_id', '=', 'c.id')
            .where('h.actor_id', '=', userId)
            .whereRef('h.at', '>=', 'c.claimed_at')
            .where('h.action', 'not in', HOLD_ACTIONS),
        ),
      ),
    )
    .orderBy('c.id')
    .execute();
  const why = { zh: '原处理人已离开', en: 'the holder went away' };
  for (const { id } of ids) {
    const c = await lockCase(tx, id);
    if (!c || c.assignee_id !== userId) continue;
    const routed = await autoAssign(ctx, tx, c, { actorId: userId, exclude: userId, why });
    if (routed) continue;
    const note = '原处理人已离开，团队中暂无在线同事，退回队列';
    await appendAudit(tx, ctx.now(), {
      actorId: userId,
      action: 'case.release',
      subjectType: 'case',
      subjectId: c.id,
      data: {
        previousAssigneeId: userId,
        note,
        reason: 'holder went away; nobody online in the team',
        auto: true,
      },
    });
    await changeCase(ctx, tx, c, userId, 'released', { assigneeId: null, note });
  }
  return ids.length;
}

/** At most this many waiting cases are routed when one member comes online (one transaction stays short). */
export const BACKLOG_PULL_MAX = 50;

/**
 * A member came online: the open cases of their teams' kinds that wait unassigned in the queue (arrived
 * while nobody could take them) go through the team's routing now, most urgent first, then oldest —
 * spread over every online member as new cases are, so the one who just arrived is not buried but gets
 * the backlog in turn (round robin) or up to the cap (capacity). Stops when nobody can take more.
 * Returns how many the member themselves received.
 */
export async function routeBacklogOnOnline(ctx: AppContext, tx: Tx, userId: number): Promise<number> {
  const waiting = await tx
    .selectFrom('cases as c')
    .select('c.id')
    .where('c.assignee_id', 'is', null)
    .where('c.status', '=', 'open')
    .where(
      sql<boolean>`c.kind = ANY(ARRAY(SELECT unnest(t.kinds) FROM teams t
                     JOIN team_members tm ON tm.team_id = t.id WHERE tm.user_id = ${userId}))`,
    )
    .orderBy('c.priority', 'desc')
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(BACKLOG_PULL_MAX)
    .execute();
  const why = { zh: '有同事上线，处理排队中的工单', en: 'a member came online to take waiting cases' };
  let received = 0;
  for (const { id } of waiting) {
    const c = await lockCase(tx, id);
    if (!c || c.assignee_id !== null || c.status !== 'open') continue;
    const routed = await autoAssign(ctx, tx, c, { actorId: null, exclude: null, why });
    if (!routed) break; // every online member is at the cap
    if (routed.assigneeId === userId) received += 1;
  }
  return received;
}
