import type { Permission } from '../permissions';

/**
 * The permission every operations route needs, by `METHOD /path` (paths under `/api/v1`). The core
 * enforces it before the request body is even validated (a role that may not use a route gets 403, never a
 * 400 that hints at its shape), refuses to start if an ops route is missing here, and the console uses
 * it to hide what a role may not use. `staff` means any member of staff. Finer rules (which kind of case,
 * which action) are checked by the route itself.
 */
export const OPS_ROUTE_PERMISSIONS = {
  'GET /ops/cases': 'cases.view',
  'GET /ops/cases/:id': 'cases.view',
  'POST /ops/cases/:id/claim': 'cases.view',
  'POST /ops/cases/:id/release': 'cases.view',
  'POST /ops/cases/:id/assign': 'cases.view',
  'POST /ops/cases/:id/perform/:action': 'cases.view',
  'GET /ops/sync': 'cases.view',
  'GET /ops/audit': 'audit.view',
  'GET /ops/audit/verify': 'audit.view',
  'GET /ops/settings': 'staff',
  'PUT /ops/settings': 'config.manage',
  'POST /ops/users/:id/sanctions': 'sanctions.apply',
  'POST /ops/sanctions/:id/revoke': 'sanctions.apply',
  'GET /ops/users/:id/sanctions': 'cases.view',
  'POST /ops/payouts/batch-approve': 'payouts.approve',
  'GET /ops/stats': 'stats.view',
  'GET /ops/support/conversations/:caseId/messages': 'support.chat',
  'POST /ops/support/conversations/:caseId/read': 'support.chat',
  'GET /ops/support/unread': 'support.chat',
  'GET /ops/support/previews': 'support.chat',
  'GET /ops/canned-replies': 'support.chat',
  'POST /ops/canned-replies': 'canned_replies.manage',
  'PATCH /ops/canned-replies/:id': 'canned_replies.manage',
  'DELETE /ops/canned-replies/:id': 'canned_replies.manage',
  'GET /ops/users/:id/context': 'cases.view',
  'POST /ops/users/:id/reveal': 'pii.reveal',
  'GET /ops/staff': 'staff.manage',
  'GET /ops/staff/directory': 'cases.view',
  'POST /ops/staff': 'staff.manage',
  'PUT /ops/staff/:id/roles': 'staff.manage',
  'POST /ops/staff/:id/disable': 'staff.manage',
  'POST /ops/staff/:id/enable': 'staff.manage',
  'GET /ops/ledger/transactions': 'ledger.view',
  'GET /ops/ledger/accounts': 'ledger.view',
} as const satisfies Record<string, Permission | 'staff'>;

export type OpsRoute = keyof typeof OPS_ROUTE_PERMISSIONS;
