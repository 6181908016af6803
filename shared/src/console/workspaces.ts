import type { CaseKind } from '../ops/cases';
import { CASE_HANDLE_PERMISSION, CASE_KINDS, CASE_VIEW_PERMISSION } from '../ops/cases';
import type { Permission } from '../permissions';
import type { QueueFilters } from './views';

/**
 * The console's workspaces: what the left navigation offers, grouped as staff think of their work, each
 * with the permission that opens it (from the permission matrix) and its route. A workspace the signed-in
 * member may not use is absent from the navigation and its route refuses — never shown broken.
 */
export const WORKSPACE_GROUPS = {
  overview: { zh: '概览', en: 'Overview' },
  moderation: { zh: '内容审核', en: 'Moderation' },
  finance: { zh: '财务', en: 'Finance' },
  support: { zh: '客服', en: 'Support' },
  admin: { zh: '管理', en: 'Administration' },
} as const;
export type WorkspaceGroup = keyof typeof WORKSPACE_GROUPS;

export interface Workspace {
  id: string;
  group: WorkspaceGroup;
  label: { zh: string; en: string };
  /** Hash route of the workspace; a queue's open case is `<path>/<caseId>`. */
  path: `/${string}`;
  permission: Permission;
  /**
   * For queues: the case kinds it lists. A one-kind queue's permission is the kind's view permission; a
   * queue over several kinds lists only those the member may view (`queueKindsFor`).
   */
  caseKinds?: readonly CaseKind[];
  /** The filters a queue opens with before the person picks or saves a view (default: none). */
  defaultFilters?: QueueFilters;
  /**
   * Filters that make the queue what it is (My work: assigned to me): applied to every read whatever view
   * is picked, saved or cleared, and shown as set but not changeable.
   */
  fixedFilters?: Pick<QueueFilters, 'assignee'>;
}

const queue = (
  id: string,
  group: WorkspaceGroup,
  label: Workspace['label'],
  path: Workspace['path'],
  kind: CaseKind,
): Workspace => ({ id, group, label, path, permission: CASE_VIEW_PERMISSION[kind], caseKinds: [kind] });

const screen = (
  id: string,
  group: WorkspaceGroup,
  label: Workspace['label'],
  path: Workspace['path'],
  permission: Permission,
): Workspace => ({ id, group, label, path, permission });

export const WORKSPACES: readonly Workspace[] = [
  queue(
    'listings',
    'moderation',
    { zh: '服务审核', en: 'Listing review' },
    '/moderation/listings',
    'listing_review',
  ),
  queue('reports', 'moderation', { zh: '举报处理', en: 'Reports' }, '/moderation/reports', 'report'),
  queue('disputes', 'moderation', { zh: '纠纷仲裁', en: 'Disputes' }, '/moderation/disputes', 'dispute'),
  queue('payouts', 'finance', { zh: '提现审批', en: 'Payouts' }, '/finance/payouts', 'payout'),
  queue(
    'reconciliation',
    'finance',
    { zh: '对账差异', en: 'Reconciliation' },
    '/finance/reconciliation',
    'reconciliation_mismatch',
  ),
  screen('ledger', 'finance', { zh: '账务查询', en: 'Ledger' }, '/finance/ledger', 'ledger.view'),
  screen('dashboard', 'overview', { zh: '数据看板', en: 'Dashboards' }, '/overview/dashboard', 'stats.view'),
  queue('chats', 'support', { zh: '在线客服', en: 'Support chats' }, '/support/chats', 'support_chat'),
  // Everything a member holds, across the kinds they work on: one place to see what is theirs. Chats are
  // answered in the chat workspace, so they are not listed here.
  {
    id: 'mine',
    group: 'overview',
    label: { zh: '我的待办', en: 'My work' },
    path: '/overview/mine',
    permission: 'cases.view',
    caseKinds: CASE_KINDS.filter((k) => k !== 'support_chat'),
    defaultFilters: { assignee: 'me', statuses: ['open', 'waiting'] },
    fixedFilters: { assignee: 'me' },
  },
  screen('audit', 'admin', { zh: '审计日志', en: 'Audit log' }, '/admin/audit', 'audit.view'),
  screen('staff', 'admin', { zh: '员工与角色', en: 'Staff and roles' }, '/admin/staff', 'staff.manage'),
  screen('teams', 'admin', { zh: '团队', en: 'Teams' }, '/admin/teams', 'teams.manage'),
  screen(
    'cannedReplies',
    'admin',
    { zh: '快捷回复', en: 'Canned replies' },
    '/admin/canned-replies',
    'canned_replies.manage',
  ),
  screen('settings', 'admin', { zh: '阈值设置', en: 'Thresholds' }, '/admin/settings', 'config.manage'),
];

/**
 * Where a member lands after signing in: the first queue they may act on (finance lands on payouts, not
 * on the disputes it only oversees), else the first queue they may see, else their first screen.
 */
export function homeWorkspace(
  workspaces: readonly Workspace[],
  permissions: readonly Permission[],
): Workspace | null {
  const handles = (w: Workspace) =>
    w.caseKinds?.some((k) => permissions.includes(CASE_HANDLE_PERMISSION[k])) ?? false;
  return workspaces.find(handles) ?? workspaces.find((w) => w.caseKinds) ?? workspaces[0] ?? null;
}

/** The kinds of a queue this member may see (all of a one-kind queue's, when they may open it). */
export function queueKindsFor(workspace: Workspace, permissions: readonly Permission[]): CaseKind[] {
  return (workspace.caseKinds ?? []).filter((k) => permissions.includes(CASE_VIEW_PERMISSION[k]));
}

/**
 * The workspaces a member with these permissions may use (the navigation orders them by group). A queue
 * over several kinds is offered to those who may act on at least one of them.
 */
export function workspacesFor(permissions: readonly Permission[]): Workspace[] {
  return WORKSPACES.filter(
    (w) =>
      permissions.includes(w.permission) &&
      (!w.caseKinds ||
        w.caseKinds.length === 1 ||
        w.caseKinds.some((k) => permissions.includes(CASE_HANDLE_PERMISSION[k]))),
  );
}

/** The workspace a hash route belongs to (`/moderation/listings/42` → listings) and the case it opens. */
export function resolveRoute(
  route: string,
  permissions: readonly Permission[],
): { workspace: Workspace; caseId: number | null } | null {
  const clean = route.replace(/[?#].*$/, '').replace(/\/+$/, '');
  for (const workspace of workspacesFor(permissions)) {
    if (clean === workspace.path) return { workspace, caseId: null };
    if (workspace.caseKinds && clean.startsWith(`${workspace.path}/`)) {
      const rest = clean.slice(workspace.path.length + 1);
      if (/^[1-9]\d{0,15}$/.test(rest)) return { workspace, caseId: Number(rest) };
    }
  }
  return null;
}
