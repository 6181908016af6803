import { z } from 'zod';
import { AUDIT_ERRORS } from './ops/audit';
import { CASE_ERRORS } from './ops/cases';
import { DISPUTES_ERRORS } from './ops/disputes';
import { MODERATION_ERRORS } from './ops/moderation';
import { PAYOUTS_ERRORS } from './ops/payouts';
import { ROUTING_ERRORS } from './ops/routing';
import { SETTINGS_ERRORS } from './ops/settings';
import { STAFF_ERRORS } from './ops/staff';
import { STATS_ERRORS } from './ops/stats';
import { SUPPORT_ERRORS } from './ops/support';
import { TEAM_VIEW_ERRORS } from './ops/team-views';

/**
 * Stable error codes of the API. Every error response is `application/problem+json` with one of these
 * codes; clients branch on the code and show the message in the user's language (zh first).
 */
export const ERROR_MESSAGES = {
  validation_failed: { status: 400, zh: '请求参数不合法', en: 'The request is invalid' },
  unsupported_media_type: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  payload_too_large: { status: 413, zh: '请求内容过大', en: 'The request is too large' },
  unauthenticated: { status: 401, zh: '请先登录', en: 'Sign in first' },
  invalid_credentials: { status: 401, zh: '账号或密码错误', en: 'Wrong account or password' },
  token_expired: { status: 401, zh: '登录已过期，请重新登录', en: 'Your session has expired; sign in again' },
  token_invalid: { status: 401, zh: '登录凭证无效', en: 'The token is invalid' },
  refresh_token_reused: {
    status: 401,
    zh: '检测到登录凭证被重复使用，已注销该会话的所有登录',
    en: 'A refresh token was reused; every session of this login was revoked',
  },
  forbidden: { status: 403, zh: '没有权限执行此操作', en: 'You are not allowed to do this' },
  account_suspended: { status: 403, zh: '账号已被限制使用', en: 'This account is suspended' },
  not_found: { status: 404, zh: '找不到该资源', en: 'Not found' },
  username_taken: { status: 409, zh: '用户名已被使用', en: 'This username is taken' },
  email_taken: { status: 409, zh: '邮箱已被注册', en: 'This email is already registered' },
  phone_taken: { status: 409, zh: '手机号已被注册', en: 'This phone number is already registered' },
  verification_code_invalid: {
    status: 400,
    zh: '验证码错误或已过期',
    en: 'The code is wrong or has expired',
  },
  rate_limited: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  idempotency_key_required: {
    status: 400,
    zh: '缺少 Idempotency-Key 请求头',
    en: 'Idempotency-Key header is required',
  },
  idempotency_key_reused: {
    status: 422,
    zh: '该 Idempotency-Key 已用于另一个不同的请求',
    en: 'This Idempotency-Key was already used for a different request',
  },
  idempotency_in_progress: {
    status: 409,
    zh: '相同的请求正在处理中',
    en: 'The same request is still being processed',
  },
  invalid_transition: {
    status: 409,
    zh: '订单当前状态不允许此操作',
    en: 'The order cannot do this in its current state',
  },
  revision_limit_reached: { status: 409, zh: '修改次数已用完', en: 'No revisions left in this package' },
  service_not_orderable: { status: 409, zh: '该服务当前不可下单', en: 'This service cannot be ordered now' },
  cannot_order_own_service: {
    status: 409,
    zh: '不能购买自己的服务',
    en: 'You cannot order your own service',
  },
  already_reviewed: { status: 409, zh: '已评价过该订单', en: 'You have already reviewed this order' },
  order_not_reviewable: {
    status: 409,
    zh: '订单完成后才能评价',
    en: 'Only completed orders can be reviewed',
  },
  payment_already_settled: { status: 409, zh: '订单已支付', en: 'This order is already paid' },
  insufficient_funds: { status: 409, zh: '余额不足', en: 'Insufficient balance' },
  file_too_large: { status: 413, zh: '文件过大', en: 'The file is too large' },
  file_type_not_allowed: { status: 415, zh: '不支持的文件类型', en: 'This file type is not allowed' },
  not_a_participant: { status: 403, zh: '您不是该会话的参与者', en: 'You are not part of this conversation' },
  conflict: { status: 409, zh: '数据已被修改，请刷新后重试', en: 'The data changed; reload and try again' },
  internal: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
  // A dependency the request needs (the database, Redis) cannot be reached right now. Send the same
  // request again after Retry-After (a write with the same Idempotency-Key: if its commit got through
  // before the connection broke, the stored answer comes back instead of a second write).
  service_unavailable: {
    status: 503,
    zh: '服务暂不可用，请稍后再试',
    en: 'The service is temporarily unavailable; try again shortly',
  },
  file_not_usable: {
    status: 400,
    zh: '文件不存在或不属于您',
    en: 'The file does not exist or is not yours',
  },
  recipient_unavailable: { status: 403, zh: '对方账号不可用，无法联系', en: 'This user cannot be contacted' },
  service_not_editable: {
    status: 409,
    zh: '该服务当前状态不可编辑',
    en: 'This listing cannot be edited in its current state',
  },
  service_transition_not_allowed: {
    status: 409,
    zh: '该服务当前状态不允许此操作',
    en: 'The listing cannot move to that status from its current one',
  },
  already_verified: { status: 409, zh: '已完成实名认证', en: 'Real-name verification is already done' },
  id_number_taken: {
    status: 409,
    zh: '该身份证号已用于另一个账号的实名认证',
    en: 'This ID number is already used by the real-name verification of another account',
  },
  // A stored personal-data value failed its integrity check (altered in the database): it is not shown.
  personal_data_unreadable: {
    status: 500,
    zh: '个人信息未通过完整性校验，无法显示，已记录并通知技术人员',
    en: 'Stored personal data failed its integrity check and cannot be shown; the fault is logged',
  },
  // The operations API: each area keeps its codes beside its contract in shared/src/ops/.
  ...CASE_ERRORS,
  ...SETTINGS_ERRORS,
  ...AUDIT_ERRORS,
  ...MODERATION_ERRORS,
  ...DISPUTES_ERRORS,
  ...PAYOUTS_ERRORS,
  ...SUPPORT_ERRORS,
  ...STATS_ERRORS,
  ...STAFF_ERRORS,
  ...ROUTING_ERRORS,
  ...TEAM_VIEW_ERRORS,
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

/** One field-level problem, named by its path (`packages.0.priceFen`). */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The body of every error response (RFC 9457 problem details plus our stable `code`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  /** `detail` in both languages, for clients that switch language without asking again (the console). */
  details: { zh: string; en: string };
  errors?: FieldProblem[];
  [extra: string]: unknown;
}

/**
 * `Problem` as a schema: the `Problem` component of the API document, which every declared error answer
 * (`application/problem+json`) refers to. Extra members (a conflicting claim's holder, `retryAfterSeconds`
 * …) are allowed beside the listed ones.
 */
export const problemSchema = z
  .object({
    type: z.string().describe('URI naming the problem type: https://jiangxin.example/problems/<code>'),
    title: z
      .string()
      .describe('The code’s message in the caller’s language (Accept-Language; zh by default)'),
    status: z.number().int().min(400).max(599),
    code: z
      .enum(Object.keys(ERROR_MESSAGES) as [ErrorCode, ...ErrorCode[]])
      .describe('Stable; branch on this'),
    detail: z.string(),
    details: z.object({ zh: z.string(), en: z.string() }).describe('`detail` in both languages'),
    instance: z.string().optional().describe('The path that was called'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('The fields refused, by path (`body.packages.0.priceFen`)'),
  })
  .catchall(z.unknown());
