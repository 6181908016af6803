import type { z } from 'zod';
import { idParamSchema, okSchema } from '../api/common';
import type { Permission } from '../permissions';
import { auditPageSchema, auditQuerySchema, auditVerificationSchema } from './audit';
import {
  caseActionParamsSchema,
  caseAssignBodySchema,
  caseClaimBodySchema,
  caseDetailSchema,
  caseListQuerySchema,
  casePageSchema,
  casePerformBodySchema,
  casePerformResponseSchema,
  caseReleaseBodySchema,
  caseSummarySchema,
  opsSyncQuerySchema,
  opsSyncResponseSchema,
} from './cases';
import { customerPageSchema, orderPageSchema } from './drilldown';
import {
  ledgerAccountsResponseSchema,
  ledgerFilterSchema,
  ledgerTransactionPageSchema,
  ledgerTransactionsQuerySchema,
} from './ledger';
import {
  revokeSanctionBodySchema,
  sanctionInputSchema,
  sanctionListSchema,
  sanctionSchema,
} from './moderation';
import { batchApproveBodySchema, batchApproveResultSchema } from './payouts';
import {
  createTeamBodySchema,
  myPresenceSchema,
  presenceBodySchema,
  teamListSchema,
  teamSchema,
  updateTeamBodySchema,
} from './routing';
import { opsSettingsPatchSchema, opsSettingsSchema } from './settings';
import {
  createStaffBodySchema,
  setStaffRolesBodySchema,
  staffDirectoryQuerySchema,
  staffDirectorySchema,
  staffListSchema,
  staffMemberSchema,
  staffStateBodySchema,
} from './staff';
import { statsQuerySchema, statsResponseSchema } from './stats';
import {
  cannedReplyListQuerySchema,
  cannedReplyListSchema,
  cannedReplySchema,
  caseIdParamSchema,
  createCannedReplyBodySchema,
  customerContextSchema,
  revealBodySchema,
  revealResponseSchema,
  staffSupportMessagePageSchema,
  supportPageQuerySchema,
  supportPreviewsQuerySchema,
  supportPreviewsSchema,
  supportReadBodySchema,
  supportReadStateSchema,
  supportUnreadSchema,
  updateCannedReplyBodySchema,
} from './support';
import {
  shareTeamViewBodySchema,
  teamViewListQuerySchema,
  teamViewListSchema,
  teamViewSchema,
} from './team-views';

/**
 * The operations API, declared once. Each route's method, path, schemas and the permission it needs live
 * here; the core registers its handlers from these declarations (`opsRoute` in core/platform/http) and
 * its guard enforces `permission` before the body is even validated (a role that may not use a route gets
 * 403, never a 400 that hints at its shape); the console engine calls them by name with typed arguments
 * (`OpsClient.call('claimCase', …)`), and the OpenAPI document is built from the same schemas with the
 * name as its `operationId`. `staff` means any member of staff; finer rules (which kind of case, which
 * action) are checked by the handler.
 */
export interface OpsRouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Under `/api/v1`; `:name` segments are filled from `params`. */
  path: `/ops/${string}`;
  permission: Permission | 'staff';
  /** The API document's grouping. */
  tag: string;
  /** `中文 English` one-liner for the API document. */
  summary: string;
  description?: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** The success status (default 200). */
  status?: 200 | 201;
  /** Takes an `Idempotency-Key` header: a resend after a lost answer gets the first answer. */
  idempotent?: boolean;
  /**
   * Error answers the API document cannot derive from the route's shape (it derives 401/403 for every ops
   * route, 404 with an id, 409 on a write to an id or with a `version`, 429 on writes): say `[409]` for a
   * create that can collide with what exists (a taken name, a limit reached).
   */
  problems?: readonly (409 | 429)[];
}

const route = <const D extends OpsRouteDef>(d: D) => d;

export const OPS_ROUTES = {
  // ── cases ──────────────────────────────────────────────────────────────────────────────────────
  listCases: route({
    method: 'GET',
    path: '/ops/cases',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '工单列表 Cases of the kinds you may see; filters, sort, cursor pages',
    query: caseListQuerySchema,
    response: casePageSchema,
  }),
  getCase: route({
    method: 'GET',
    path: '/ops/cases/:id',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '工单详情 One case with its history, the actions you may take now and its kind’s detail',
    params: idParamSchema,
    response: caseDetailSchema,
  }),
  claimCase: route({
    method: 'POST',
    path: '/ops/cases/:id/claim',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '认领工单 Claim a case (409 with the holder if someone else has it, or on a stale version)',
    params: idParamSchema,
    body: caseClaimBodySchema,
    response: caseSummarySchema,
    idempotent: true,
  }),
  releaseCase: route({
    method: 'POST',
    path: '/ops/cases/:id/release',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '释放工单 Give a case you hold back to the queue',
    params: idParamSchema,
    body: caseReleaseBodySchema,
    response: caseSummarySchema,
    idempotent: true,
  }),
  assignCase: route({
    method: 'POST',
    path: '/ops/cases/:id/assign',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '指派/转交工单 Assign an unclaimed case, or transfer one you hold, to a colleague',
    params: idParamSchema,
    body: caseAssignBodySchema,
    response: caseSummarySchema,
    idempotent: true,
  }),
  performCaseAction: route({
    method: 'POST',
    path: '/ops/cases/:id/perform/:action',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary:
      '执行工单操作 Perform an action of the case’s kind (approve, reject, request_changes, resolve, approve_payout …) with its version and fields',
    description:
      'The actions of each kind, their permissions and fields are declared in `shared/src/ops/actions.ts`; an action the kind lacks is 404, fields it refuses are 400 naming them.',
    params: caseActionParamsSchema,
    body: casePerformBodySchema,
    response: casePerformResponseSchema,
    idempotent: true,
  }),
  syncCases: route({
    method: 'GET',
    path: '/ops/sync',
    permission: 'cases.view',
    tag: 'ops: cases',
    summary: '同步工单 Case changes after a seq (after=0: a full snapshot), for the console’s offline cache',
    query: opsSyncQuerySchema,
    response: opsSyncResponseSchema,
  }),

  // ── audit, settings, stats ─────────────────────────────────────────────────────────────────────
  listAudit: route({
    method: 'GET',
    path: '/ops/audit',
    permission: 'audit.view',
    tag: 'ops: audit',
    summary: '审计日志 Staff actions, newest first, filtered',
    query: auditQuerySchema,
    response: auditPageSchema,
  }),
  verifyAudit: route({
    method: 'GET',
    path: '/ops/audit/verify',
    permission: 'audit.view',
    tag: 'ops: audit',
    summary: '校验审计链 Walk the hash chain and report the first broken link',
    response: auditVerificationSchema,
  }),
  getSettings: route({
    method: 'GET',
    path: '/ops/settings',
    permission: 'staff',
    tag: 'ops: settings',
    summary: '运营配置 Ops thresholds in force',
    response: opsSettingsSchema,
  }),
  updateSettings: route({
    method: 'PUT',
    path: '/ops/settings',
    permission: 'config.manage',
    tag: 'ops: settings',
    summary: '修改运营配置 Change thresholds (SLA, maker-checker amounts, withdrawal limits); audited',
    body: opsSettingsPatchSchema,
    response: opsSettingsSchema,
  }),
  getStats: route({
    method: 'GET',
    path: '/ops/stats',
    permission: 'stats.view',
    tag: 'ops: stats',
    summary:
      '运营数据 Money per China-time hour/day (GMV, fees, refunds, payouts), orders, escrow and case queues now',
    query: statsQuerySchema,
    response: statsResponseSchema,
  }),

  // ── moderation ─────────────────────────────────────────────────────────────────────────────────
  applySanction: route({
    method: 'POST',
    path: '/ops/users/:id/sanctions',
    permission: 'sanctions.apply',
    tag: 'ops: moderation',
    summary: '处罚用户 Warn, suspend (days) or ban a user',
    params: idParamSchema,
    body: sanctionInputSchema,
    response: sanctionSchema,
    status: 201,
  }),
  revokeSanction: route({
    method: 'POST',
    path: '/ops/sanctions/:id/revoke',
    permission: 'sanctions.apply',
    tag: 'ops: moderation',
    summary: '撤销处罚 Lift a sanction early (a takedown puts the content back)',
    params: idParamSchema,
    body: revokeSanctionBodySchema,
    response: sanctionSchema,
  }),
  listSanctions: route({
    method: 'GET',
    path: '/ops/users/:id/sanctions',
    permission: 'cases.view',
    tag: 'ops: moderation',
    summary: '处罚记录 A user’s sanctions, newest first',
    params: idParamSchema,
    response: sanctionListSchema,
  }),

  // ── payouts and the ledger ─────────────────────────────────────────────────────────────────────
  batchApprovePayouts: route({
    method: 'POST',
    path: '/ops/payouts/batch-approve',
    permission: 'payouts.approve',
    tag: 'ops: payouts',
    summary:
      '批量批准提现 Approve up to 100 payout cases, each in its own transaction, with a result per item',
    body: batchApproveBodySchema,
    response: batchApproveResultSchema,
  }),
  listLedgerTransactions: route({
    method: 'GET',
    path: '/ops/ledger/transactions',
    permission: 'ledger.view',
    tag: 'ops: ledger',
    summary: '账务流水 Journal transactions with all postings, newest first, for one user, order or account',
    query: ledgerTransactionsQuerySchema,
    response: ledgerTransactionPageSchema,
  }),
  listLedgerAccounts: route({
    method: 'GET',
    path: '/ops/ledger/accounts',
    permission: 'ledger.view',
    tag: 'ops: ledger',
    summary: '账户余额 Ledger accounts with current balances, for one user, order or account',
    query: ledgerFilterSchema,
    response: ledgerAccountsResponseSchema,
  }),

  // ── support ────────────────────────────────────────────────────────────────────────────────────
  listSupportMessages: route({
    method: 'GET',
    path: '/ops/support/conversations/:caseId/messages',
    permission: 'support.chat',
    tag: 'ops: support',
    summary: '客服会话消息（含内部备注） Messages of a support chat, private notes included',
    params: caseIdParamSchema,
    query: supportPageQuerySchema,
    response: staffSupportMessagePageSchema,
  }),
  markSupportRead: route({
    method: 'POST',
    path: '/ops/support/conversations/:caseId/read',
    permission: 'support.chat',
    tag: 'ops: support',
    summary: '客服已读 Move the agent side’s read marker (the customer sees the receipt)',
    params: caseIdParamSchema,
    body: supportReadBodySchema,
    response: supportReadStateSchema,
  }),
  getSupportUnread: route({
    method: 'GET',
    path: '/ops/support/unread',
    permission: 'support.chat',
    tag: 'ops: support',
    summary: '未读消息数 Unread customer messages per support chat I hold',
    response: supportUnreadSchema,
  }),
  listSupportPreviews: route({
    method: 'GET',
    path: '/ops/support/previews',
    permission: 'support.chat',
    tag: 'ops: support',
    summary: '会话列表预览 The last customer-visible message of each listed support chat',
    query: supportPreviewsQuerySchema,
    response: supportPreviewsSchema,
  }),
  listCannedReplies: route({
    method: 'GET',
    path: '/ops/canned-replies',
    permission: 'support.chat',
    tag: 'ops: support',
    summary: '快捷回复 Canned replies',
    query: cannedReplyListQuerySchema,
    response: cannedReplyListSchema,
  }),
  createCannedReply: route({
    method: 'POST',
    path: '/ops/canned-replies',
    permission: 'canned_replies.manage',
    tag: 'ops: support',
    summary: '新建快捷回复 Create a canned reply',
    description:
      'Variables: {{user.nickname}}, {{order.number}}, {{agent.nickname}}; any other is refused (400 naming it).',
    body: createCannedReplyBodySchema,
    response: cannedReplySchema,
    status: 201,
    problems: [409],
  }),
  updateCannedReply: route({
    method: 'PATCH',
    path: '/ops/canned-replies/:id',
    permission: 'canned_replies.manage',
    tag: 'ops: support',
    summary: '修改快捷回复 Update a canned reply',
    params: idParamSchema,
    body: updateCannedReplyBodySchema,
    response: cannedReplySchema,
  }),
  deleteCannedReply: route({
    method: 'DELETE',
    path: '/ops/canned-replies/:id',
    permission: 'canned_replies.manage',
    tag: 'ops: support',
    summary: '删除快捷回复 Delete a canned reply',
    params: idParamSchema,
    response: okSchema,
  }),
  getCustomerContext: route({
    method: 'GET',
    path: '/ops/users/:id/context',
    permission: 'cases.view',
    tag: 'ops: support',
    summary: '客户信息 Customer context: profile (personal data masked), orders, wallet, past cases',
    params: idParamSchema,
    response: customerContextSchema,
  }),
  revealPersonalData: route({
    method: 'POST',
    path: '/ops/users/:id/reveal',
    permission: 'pii.reveal',
    tag: 'ops: support',
    summary: '查看完整个人信息 Reveal a phone number, real name or ID number (audited)',
    params: idParamSchema,
    body: revealBodySchema,
    response: revealResponseSchema,
  }),

  // ── drill-down pages ───────────────────────────────────────────────────────────────────────────
  getCustomerPage: route({
    method: 'GET',
    path: '/ops/customers/:id',
    permission: 'cases.view',
    tag: 'ops: drill-down',
    summary:
      '客户页 One customer: profile (personal data masked), orders, payments, payouts, disputes, reports, support chats, sanctions',
    description:
      'Each list is the newest 50 with its total. A case of a kind the caller may not open shows without its title.',
    params: idParamSchema,
    response: customerPageSchema,
  }),
  getOrderPage: route({
    method: 'GET',
    path: '/ops/orders/:id',
    permission: 'cases.view',
    tag: 'ops: drill-down',
    summary: '订单页 One order: header, state timeline, money movements from the ledger, payments, cases',
    params: idParamSchema,
    response: orderPageSchema,
  }),

  // ── staff ──────────────────────────────────────────────────────────────────────────────────────
  staffDirectory: route({
    method: 'GET',
    path: '/ops/staff/directory',
    permission: 'cases.view',
    tag: 'ops: staff',
    summary: '员工名录 Active colleagues to hand a case to (names, roles, online now)',
    description:
      'Enabled staff with an active account, by nickname; with `kind`, only those who may handle cases of that kind (the ones `POST /ops/cases/:id/assign` accepts). No sign-in names or account dates.',
    query: staffDirectoryQuerySchema,
    response: staffDirectorySchema,
  }),
  listStaff: route({
    method: 'GET',
    path: '/ops/staff',
    permission: 'staff.manage',
    tag: 'ops: staff',
    summary: '员工账号 Staff accounts with roles and state',
    response: staffListSchema,
  }),
  createStaff: route({
    method: 'POST',
    path: '/ops/staff',
    permission: 'staff.manage',
    tag: 'ops: staff',
    summary: '新建员工账号 Create a staff account (audited)',
    body: createStaffBodySchema,
    response: staffMemberSchema,
    status: 201,
    problems: [409],
  }),
  setStaffRoles: route({
    method: 'PUT',
    path: '/ops/staff/:id/roles',
    permission: 'staff.manage',
    tag: 'ops: staff',
    summary: '设置员工角色 Set a member’s roles (version-checked, audited)',
    description:
      'Refused: your own administrator role (422), the last active administrator’s (409), a stale `version` (409).',
    params: idParamSchema,
    body: setStaffRolesBodySchema,
    response: staffMemberSchema,
  }),
  disableStaff: route({
    method: 'POST',
    path: '/ops/staff/:id/disable',
    permission: 'staff.manage',
    tag: 'ops: staff',
    summary: '停用员工账号 Disable: no sign-in, sessions revoked (audited)',
    description: 'Refused: yourself (422), the last active administrator (409), a stale `version` (409).',
    params: idParamSchema,
    body: staffStateBodySchema,
    response: staffMemberSchema,
  }),
  enableStaff: route({
    method: 'POST',
    path: '/ops/staff/:id/enable',
    permission: 'staff.manage',
    tag: 'ops: staff',
    summary: '启用员工账号 Enable a disabled staff account (audited)',
    params: idParamSchema,
    body: staffStateBodySchema,
    response: staffMemberSchema,
  }),

  // ── team routing ───────────────────────────────────────────────────────────────────────────────
  listTeams: route({
    method: 'GET',
    path: '/ops/teams',
    permission: 'teams.manage',
    tag: 'ops: routing',
    summary: '团队 Teams with their kinds, mode, cap and members (status, open cases)',
    response: teamListSchema,
  }),
  createTeam: route({
    method: 'POST',
    path: '/ops/teams',
    permission: 'teams.manage',
    tag: 'ops: routing',
    summary: '新建团队 Create a team (audited)',
    description:
      'Members must be active staff who may handle every kind of the team (400 naming the member); a kind already handled by another team is 409.',
    body: createTeamBodySchema,
    response: teamSchema,
    status: 201,
    problems: [409],
  }),
  updateTeam: route({
    method: 'PUT',
    path: '/ops/teams/:id',
    permission: 'teams.manage',
    tag: 'ops: routing',
    summary: '修改团队 Replace a team’s name, kinds, mode, cap and members (version-checked, audited)',
    params: idParamSchema,
    body: updateTeamBodySchema,
    response: teamSchema,
  }),
  getMyPresence: route({
    method: 'GET',
    path: '/ops/me/presence',
    permission: 'cases.view',
    tag: 'ops: routing',
    summary: '我的状态 My online/away status and my teams',
    response: myPresenceSchema,
  }),
  setMyPresence: route({
    method: 'PUT',
    path: '/ops/me/presence',
    permission: 'cases.view',
    tag: 'ops: routing',
    summary: '设置在线/离开 Go online (receive new cases) or away (untouched open cases go back to the team)',
    body: presenceBodySchema,
    response: myPresenceSchema,
  }),

  // ── team-shared saved views ─────────────────────────────────────────────────────────────────────
  listTeamViews: route({
    method: 'GET',
    path: '/ops/team-views',
    permission: 'cases.view',
    tag: 'ops: routing',
    summary: '团队视图 The saved views my teams share for a queue, with my teams',
    query: teamViewListQuerySchema,
    response: teamViewListSchema,
  }),
  shareTeamView: route({
    method: 'PUT',
    path: '/ops/team-views',
    permission: 'cases.view',
    tag: 'ops: routing',
    summary: '共享视图 Share a saved view with a team (replaces one of the same name; audited)',
    description:
      'A member of the team (or a teams.manage holder) may share; replacing needs its creator or teams.manage (403). At most 30 per team and queue (409).',
    body: shareTeamViewBodySchema,
    response: teamViewSchema,
    problems: [409],
  }),
  deleteTeamView: route({
    method: 'DELETE',
    path: '/ops/team-views/:id',
    permission: 'cases.view',
    tag: 'ops: routing',
    summary: '删除团队视图 Delete a team view (its creator or teams.manage; audited)',
    params: idParamSchema,
    response: okSchema,
  }),
} as const satisfies Record<string, OpsRouteDef>;

type Routes = typeof OPS_ROUTES;
export type OpsRouteName = keyof Routes;

type Part<D, K extends 'params' | 'query' | 'body', T extends 'in' | 'out'> = D extends {
  [P in K]: infer S extends z.ZodType;
}
  ? { [P in K]: T extends 'in' ? z.input<S> : z.output<S> }
  : { [P in K]?: never };

/**
 * What a caller passes to a route: its path parameters, query and body as the route's schemas take them
 * (after validation: ids are numbers, defaults may be left out of the body).
 */
export type OpsCallInput<N extends OpsRouteName> = Part<Routes[N], 'params', 'out'> &
  (Routes[N] extends { query: infer Q extends z.ZodType }
    ? { query?: Partial<z.output<Q>> }
    : { query?: never }) &
  Part<Routes[N], 'body', 'in'>;
/** A route's answer as the caller reads it (validated against the route's response schema). */
export type OpsAnswer<N extends OpsRouteName> = z.output<Routes[N]['response']>;

/** Fills a route's `:name` segments (each encoded). */
export function opsPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '')
      throw new TypeError(`${path} needs the path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}

/** `METHOD /path` → permission, for the authorization tests and the console's feature gates. */
export const OPS_ROUTE_PERMISSIONS: Readonly<Record<string, Permission | 'staff'>> = Object.fromEntries(
  Object.values(OPS_ROUTES as Record<string, OpsRouteDef>).map((d) => [
    `${d.method} ${d.path}`,
    d.permission,
  ]),
);
