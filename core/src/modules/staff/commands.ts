import type { CreateStaffBody, StaffMember } from '@jiangxin/shared/ops/staff';
import { hasPermission, type StaffRole } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { hashPassword, insertUser } from '../accounts/commands';
import { appendAudit } from '../audit/chain';
import { lockStaff, presentStaff, type StaffRow } from './queries';

/**
 * Staff accounts and roles. Every change runs under one advisory lock (changes are rare, and it makes
 * "at least one active administrator remains" a plain count rather than a race), re-checks that the
 * actor still may manage staff, checks the target's version, and is audited in the same transaction.
 * A change of roles or state appends `staff.access_changed`, which closes the member's console streams.
 */

/** Arbitrary constant naming the advisory lock that serializes staff-management writes. */
const STAFF_LOCK = 0x4a58_0010;

const noSuchStaff = () => notFound({ zh: '员工账号不存在', en: 'No such staff account' });

async function begin(tx: Tx, actor: Staff): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${STAFF_LOCK})`.execute(tx);
  // The actor may have been disabled or lost the role since the request was let in.
  const me = await tx
    .selectFrom('users')
    .select(['staff_roles', 'staff_disabled_at'])
    .where('id', '=', actor.userId)
    .executeTakeFirst();
  if (!me || me.staff_disabled_at || !hasPermission(me.staff_roles as StaffRole[], 'staff.manage'))
    throw new AppError('forbidden', undefined, { permission: 'staff.manage' });
}

async function target(tx: Tx, id: number, version: number): Promise<StaffRow> {
  const row = await lockStaff(tx, id);
  if (!row) throw noSuchStaff();
  if (row.staff_version !== version)
    throw new AppError('staff_version_conflict', undefined, {
      currentVersion: row.staff_version,
      member: presentStaff(row),
    });
  return row;
}

/** Active administrators other than `exceptId`. */
async function otherActiveAdmins(tx: Tx, exceptId: number): Promise<number> {
  const r = await tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(sql<boolean>`'admin' = ANY(staff_roles)`)
    .where('staff_disabled_at', 'is', null)
    .where('id', '<>', exceptId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

async function save(
  tx: Tx,
  row: StaffRow,
  set: { staff_roles?: StaffRole[]; staff_disabled_at?: Date | null },
  at: Date,
): Promise<StaffRow> {
  const updated = await tx
    .updateTable('users')
    .set({ ...set, staff_version: row.staff_version + 1, updated_at: at })
    .where('id', '=', row.id)
    .returning([
      'id',
      'username',
      'nickname',
      'staff_roles',
      'staff_disabled_at',
      'staff_version',
      'last_login_at',
      'created_at',
    ])
    .executeTakeFirstOrThrow();
  await appendEvent(
    tx,
    'staff.access_changed',
    { aggregateType: 'user', aggregateId: row.id },
    {
      userId: row.id,
      roles: updated.staff_roles as StaffRole[],
      active: updated.staff_disabled_at === null,
    },
  );
  return updated;
}

export async function createStaff(
  ctx: AppContext,
  actor: Staff,
  body: CreateStaffBody,
): Promise<StaffMember> {
  const passwordHash = await hashPassword(body.password);
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    const roles = [...new Set(body.roles)];
    const id = await insertUser(
      tx,
      ctx.pii,
      { username: body.username, nickname: body.nickname, userType: 'client' },
      passwordHash,
      roles,
    );
    const now = ctx.now();
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'staff.create',
      subjectType: 'user',
      subjectId: id,
      data: { username: body.username, nickname: body.nickname, roles },
    });
    const row = await lockStaff(tx, id);
    return presentStaff(row!);
  });
}

export async function setStaffRoles(
  ctx: AppContext,
  actor: Staff,
  id: number,
  body: { roles: StaffRole[]; version: number },
): Promise<StaffMember> {
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    const row = await target(tx, id, body.version);
    const before = row.staff_roles as StaffRole[];
    const after = [...new Set(body.roles)];
    if (before.length === after.length && before.every((r) => after.includes(r))) return presentStaff(row);
    const losesAdmin = before.includes('admin') && !after.includes('admin');
    // The last active administrator is the more telling reason when both apply (only they can be it).
    if (losesAdmin && row.staff_disabled_at === null && (await otherActiveAdmins(tx, id)) === 0)
      throw new AppError('staff_last_admin');
    if (losesAdmin && id === actor.userId) throw new AppError('staff_self_admin_removal');
    const now = ctx.now();
    const updated = await save(tx, row, { staff_roles: after }, now);
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'staff.set_roles',
      subjectType: 'user',
      subjectId: id,
      data: { before, after, version: updated.staff_version },
    });
    return presentStaff(updated);
  });
}

/**
 * Disables a member: sign-in and token refresh are refused, every refresh token is revoked, the ops
 * routes refuse their current access token, and their console streams are closed.
 */
export async function disableStaff(
  ctx: AppContext,
  actor: Staff,
  id: number,
  body: { version: number; note?: string | undefined },
): Promise<StaffMember> {
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    const row = await target(tx, id, body.version);
    if (row.staff_disabled_at) throw new AppError('staff_already_disabled');
    if (row.staff_roles.includes('admin') && (await otherActiveAdmins(tx, id)) === 0)
      throw new AppError('staff_last_admin');
    if (id === actor.userId) throw new AppError('staff_self_disable');
    const now = ctx.now();
    const updated = await save(tx, row, { staff_disabled_at: now }, now);
    const revoked = await tx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'staff.disable',
      subjectType: 'user',
      subjectId: id,
      data: {
        note: body.note ?? '',
        roles: row.staff_roles,
        revokedTokens: Number(revoked.numUpdatedRows),
        version: updated.staff_version,
      },
    });
    return presentStaff(updated);
  });
}

export async function enableStaff(
  ctx: AppContext,
  actor: Staff,
  id: number,
  body: { version: number; note?: string | undefined },
): Promise<StaffMember> {
  return ctx.db.transact(async (tx) => {
    await begin(tx, actor);
    const row = await target(tx, id, body.version);
    if (!row.staff_disabled_at) throw new AppError('staff_already_enabled');
    const now = ctx.now();
    const updated = await save(tx, row, { staff_disabled_at: null }, now);
    await appendAudit(tx, now, {
      actorId: actor.userId,
      action: 'staff.enable',
      subjectType: 'user',
      subjectId: id,
      data: { note: body.note ?? '', roles: row.staff_roles, version: updated.staff_version },
    });
    return presentStaff(updated);
  });
}
