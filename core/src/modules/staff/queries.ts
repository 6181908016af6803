import { CASE_HANDLE_PERMISSION, type CaseKind } from '@jiangxin/shared/ops/cases';
import type { StaffDirectoryEntry, StaffMember } from '@jiangxin/shared/ops/staff';
import { hasPermission, type StaffRole } from '@jiangxin/shared/permissions';
import { sql } from 'kysely';
import type { ReadDb, Tx } from '../../platform/db/database';

const COLUMNS = [
  'id',
  'username',
  'nickname',
  'staff_roles',
  'staff_disabled_at',
  'staff_version',
  'last_login_at',
  'created_at',
] as const;

export interface StaffRow {
  id: number;
  username: string;
  nickname: string;
  staff_roles: string[];
  staff_disabled_at: Date | null;
  staff_version: number;
  last_login_at: Date | null;
  created_at: Date;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentStaff(r: StaffRow): StaffMember {
  return {
    id: r.id,
    username: r.username,
    nickname: r.nickname,
    roles: r.staff_roles as StaffRole[],
    active: r.staff_disabled_at === null,
    disabledAt: iso(r.staff_disabled_at),
    lastLoginAt: iso(r.last_login_at),
    createdAt: new Date(r.created_at).toISOString(),
    version: r.staff_version,
  };
}

/** Every member of staff (anyone with a role), active first, then by name. A few dozen rows at most. */
export async function listStaff(db: ReadDb): Promise<StaffMember[]> {
  const rows = await db
    .selectFrom('users')
    .select(COLUMNS)
    .where(sql<boolean>`staff_roles <> '{}'`)
    .orderBy(sql`staff_disabled_at IS NOT NULL`)
    .orderBy('username')
    .execute();
  return rows.map(presentStaff);
}

/**
 * Active colleagues as the staff directory shows them, by nickname: enabled staff accounts whose user
 * account is active — exactly those `assignCase` accepts — optionally only those who may handle `kind`.
 * `online` is the set of members with the console open now, or null when that is not known.
 */
export async function staffDirectory(
  db: ReadDb,
  opts: { kind?: CaseKind | undefined; online: ReadonlySet<number> | null },
): Promise<StaffDirectoryEntry[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'nickname', 'staff_roles'])
    .where(sql<boolean>`staff_roles <> '{}'`)
    .where('staff_disabled_at', 'is', null)
    .where('status', '=', 'active')
    .orderBy('nickname')
    .orderBy('id')
    .execute();
  const needs = opts.kind ? CASE_HANDLE_PERMISSION[opts.kind] : null;
  return rows
    .filter((r) => !needs || hasPermission(r.staff_roles as StaffRole[], needs))
    .map((r) => ({
      id: r.id,
      nickname: r.nickname,
      roles: r.staff_roles as StaffRole[],
      online: opts.online ? opts.online.has(r.id) : null,
    }));
}

/** One member of staff, locked for a change; null when the user is not staff. */
export async function lockStaff(tx: Tx, id: number): Promise<StaffRow | null> {
  const row = await tx
    .selectFrom('users')
    .select(COLUMNS)
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row?.staff_roles.length ? row : null;
}
