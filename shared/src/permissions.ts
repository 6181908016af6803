import { z } from 'zod';

/** Staff roles. A marketplace user (client/freelancer) has no staff role. */
export const STAFF_ROLES = ['moderator', 'finance', 'support', 'admin'] as const;
export const staffRoleSchema = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export const STAFF_ROLE_LABELS: Record<StaffRole, { zh: string; en: string }> = {
  moderator: { zh: '内容审核', en: 'Moderator' },
  finance: { zh: '财务', en: 'Finance' },
  support: { zh: '客服', en: 'Support' },
  admin: { zh: '管理员', en: 'Administrator' },
};

export const PERMISSIONS = [
  'cases.view',
  'listings.review',
  'reports.handle',
  'sanctions.apply',
  'disputes.view',
  'disputes.resolve',
  'disputes.second_approval',
  'payouts.view',
  'payouts.approve',
  'reconciliation.view',
  'ledger.view',
  'support.chat',
  'canned_replies.manage',
  'pii.reveal',
  'audit.view',
  'stats.view',
  'staff.manage',
  'config.manage',
  'teams.manage',
] as const;
export const permissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof permissionSchema>;

/**
 * The permission matrix: what each staff role may do. The core checks every ops route against it and
 * the console hides what a role may not use. Admin holds every permission.
 */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  moderator: [
    'cases.view',
    'listings.review',
    'reports.handle',
    'sanctions.apply',
    'disputes.view',
    'disputes.resolve',
    'stats.view',
  ],
  finance: [
    'cases.view',
    'disputes.view',
    'disputes.second_approval',
    'payouts.view',
    'payouts.approve',
    'reconciliation.view',
    'ledger.view',
    'stats.view',
  ],
  support: ['cases.view', 'support.chat', 'disputes.view'],
  admin: PERMISSIONS,
};

/** Whether any of `roles` grants `permission`. */
export function hasPermission(roles: readonly StaffRole[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

/** All permissions the roles grant together, sorted for stable display. */
export function permissionsOf(roles: readonly StaffRole[]): Permission[] {
  return PERMISSIONS.filter((p) => hasPermission(roles, p));
}
