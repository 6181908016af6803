import type { MyPresence, PresenceStatus } from '@jiangxin/shared/ops/routing';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import type { Staff } from '../../platform/http/auth';
import { appendAudit } from '../audit/chain';
import { handBackOnAway, routeBacklogOnOnline } from './assign';

/**
 * Each member's own online/away status. Only online members receive routed cases; going away hands
 * back, in the same transaction, the open cases they have not acted on (see `handBackOnAway`); coming
 * online routes the cases waiting unassigned in the queue (see `routeBacklogOnOnline`).
 */

async function myTeams(db: ReadDb | Tx, userId: number) {
  return db
    .selectFrom('team_members as tm')
    .innerJoin('teams as t', 't.id', 'tm.team_id')
    .select(['t.id', 't.name'])
    .where('tm.user_id', '=', userId)
    .orderBy('t.id')
    .execute();
}

export async function getMyPresence(db: ReadDb | Tx, staff: Staff): Promise<MyPresence> {
  const row = await db
    .selectFrom('staff_presence')
    .select(['status', 'changed_at'])
    .where('user_id', '=', staff.userId)
    .executeTakeFirst();
  return {
    status: row?.status ?? 'away',
    changedAt: row?.changed_at.toISOString() ?? null,
    teams: await myTeams(db, staff.userId),
    reassigned: 0,
    received: 0,
  };
}

/**
 * Sets the member's status. Unchanged: nothing is written. Changed: stored, audited, streamed as
 * `team.presence_changed`; going away hands back their untouched open cases.
 */
export async function setMyPresence(
  ctx: AppContext,
  staff: Staff,
  status: PresenceStatus,
): Promise<MyPresence> {
  return ctx.db.transact(async (tx) => {
    const now = ctx.now();
    const current = await tx
      .selectFrom('staff_presence')
      .select(['status'])
      .where('user_id', '=', staff.userId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    const from = current?.status ?? 'away';
    if (current && from === status) return getMyPresence(tx, staff);
    await tx
      .insertInto('staff_presence')
      .values({ user_id: staff.userId, status, changed_at: now })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ status, changed_at: now }))
      .execute();
    await appendAudit(tx, now, {
      actorId: staff.userId,
      action: 'team.presence',
      subjectType: 'user',
      subjectId: staff.userId,
      data: { from, to: status },
    });
    const user = await tx
      .selectFrom('users')
      .select('nickname')
      .where('id', '=', staff.userId)
      .executeTakeFirstOrThrow();
    await appendEvent(
      tx,
      'team.presence_changed',
      { aggregateType: 'user', aggregateId: staff.userId },
      { userId: staff.userId, nickname: user.nickname, status, at: now.toISOString() },
    );
    const reassigned = status === 'away' ? await handBackOnAway(ctx, tx, staff.userId) : 0;
    const received = status === 'online' ? await routeBacklogOnOnline(ctx, tx, staff.userId) : 0;
    return { ...(await getMyPresence(tx, staff)), reassigned, received };
  });
}
