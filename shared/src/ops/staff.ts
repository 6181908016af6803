import { z } from 'zod';
import { registerBodySchema } from '../api/accounts';
import { displayName, isoDateTime, text } from '../api/common';
import { staffRoleSchema } from '../permissions';
import { caseKindSchema } from './cases';

/**
 * Staff accounts and their roles (`/ops/staff…`, permission `staff.manage`, every write audited).
 * A member of staff is a user with at least one staff role; disabling keeps the account and its roles
 * but refuses sign-in and ends its sessions. Role changes and disable/enable carry the account's
 * `version`, so two admins editing the same member cannot overwrite each other unseen.
 */

export const staffMemberSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  roles: z.array(staffRoleSchema),
  active: z.boolean(),
  disabledAt: isoDateTime.nullable(),
  /** Last successful sign-in with a password, null if never (or before this was recorded). */
  lastLoginAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  /** Bumped by every role change, disable and enable: send it back with the next change. */
  version: z.number().int(),
});
export type StaffMember = z.infer<typeof staffMemberSchema>;

export const staffListSchema = z.object({ items: z.array(staffMemberSchema) });

/**
 * The staff directory (`GET /ops/staff/directory`, any member who may hand on cases): active colleagues
 * only, with what choosing one needs — name, roles, whether their console is open now — and nothing of
 * account management (no sign-in name, no dates, no disabled members).
 */
export const staffDirectoryEntrySchema = z.object({
  id: z.number().int(),
  nickname: z.string(),
  roles: z.array(staffRoleSchema),
  /** Has the console open now (a live `/ops` stream on any instance); null when the core cannot tell. */
  online: z.boolean().nullable(),
});
export type StaffDirectoryEntry = z.infer<typeof staffDirectoryEntrySchema>;

/** `kind`: only colleagues who may handle (be assigned) cases of that kind. */
export const staffDirectoryQuerySchema = z.object({ kind: caseKindSchema.optional() }).strict();
export const staffDirectorySchema = z.object({ items: z.array(staffDirectoryEntrySchema) });

/** The roles of one member: at least one, no repeats (remove someone from staff by disabling them). */
export const staffRolesSchema = z
  .array(staffRoleSchema)
  .min(1, { error: 'at least one role is required' })
  .max(staffRoleSchema.options.length)
  .refine((roles) => new Set(roles).size === roles.length, { error: 'roles must not repeat' });

/** The same rules as sign-up for the name and password, so a staff account is an ordinary account. */
export const STAFF_PASSWORD_MIN = 8;
export const createStaffBodySchema = z
  .object({
    username: registerBodySchema.shape.username,
    nickname: displayName({ min: 1, max: 32 }),
    password: registerBodySchema.shape.password,
    roles: staffRolesSchema,
  })
  .strict();
export type CreateStaffBody = z.infer<typeof createStaffBodySchema>;

export const setStaffRolesBodySchema = z
  .object({ roles: staffRolesSchema, version: z.number().int().min(1) })
  .strict();
export const staffStateBodySchema = z
  .object({
    version: z.number().int().min(1),
    /** Why (kept in the audit row). */
    note: text({ max: 200, multiline: true }).optional(),
  })
  .strict();

export const STAFF_ERRORS = {
  staff_version_conflict: {
    status: 409,
    zh: '该员工账号已被他人修改，请刷新后重试',
    en: 'This staff account changed since you loaded it; reload and try again',
  },
  staff_self_admin_removal: {
    status: 422,
    zh: '不能移除自己的管理员角色，请让另一位管理员操作',
    en: 'You cannot remove your own administrator role; ask another administrator',
  },
  staff_self_disable: {
    status: 422,
    zh: '不能停用自己的账号',
    en: 'You cannot disable your own account',
  },
  staff_last_admin: {
    status: 409,
    zh: '至少需要保留一名启用状态的管理员',
    en: 'At least one active administrator must remain',
  },
  staff_already_disabled: {
    status: 409,
    zh: '该员工账号已停用',
    en: 'This staff account is already disabled',
  },
  staff_already_enabled: {
    status: 409,
    zh: '该员工账号已是启用状态',
    en: 'This staff account is already active',
  },
  account_disabled: {
    status: 403,
    zh: '该员工账号已停用，请联系管理员',
    en: 'This staff account is disabled; contact an administrator',
  },
} as const;

export const STAFF_EVENTS = {
  /**
   * A member's roles or active state changed: their open console streams are closed so they reconnect
   * with what they may now see (or, disabled, cannot reconnect). Delivered to no staff stream.
   */
  'staff.access_changed': z.object({
    userId: z.number().int(),
    roles: z.array(staffRoleSchema),
    active: z.boolean(),
  }),
} as const;
