import { z } from 'zod';
import {
  cursorSchema,
  DECIMAL_ID_PATTERN,
  idQuery,
  idSchema,
  isoDateTime,
  isoInstantQuery,
  queryInt,
  text,
} from '../api/common';
import { orderStatusSchema } from '../orders';
import type { Permission } from '../permissions';

/**
 * Cases: every unit of staff work is one row of one table, whatever its kind. The kinds differ in who
 * may see them and which actions they offer; claiming, versions, history, SLA and the live stream are
 * the same for all (as Discourse does for its reviewables).
 */
export const CASE_KINDS = [
  'listing_review',
  'report',
  'dispute',
  'payout',
  'support_chat',
  'reconciliation_mismatch',
] as const;
export const caseKindSchema = z.enum(CASE_KINDS);
export type CaseKind = z.infer<typeof caseKindSchema>;

export const CASE_KIND_LABELS: Record<CaseKind, { zh: string; en: string }> = {
  listing_review: { zh: '服务审核', en: 'Listing review' },
  report: { zh: '举报', en: 'Report' },
  dispute: { zh: '纠纷', en: 'Dispute' },
  payout: { zh: '提现', en: 'Payout' },
  support_chat: { zh: '客服会话', en: 'Support chat' },
  reconciliation_mismatch: { zh: '对账差异', en: 'Reconciliation mismatch' },
};

/**
 * `open`: staff must act. `waiting`: parked on something outside staff hands (a payout executing at the
 * gateway, a user's reply); it comes back to `open` by itself. `resolved`: done (may be reopened where the
 * kind allows it).
 */
export const CASE_STATUSES = ['open', 'waiting', 'resolved'] as const;
export const caseStatusSchema = z.enum(CASE_STATUSES);
export type CaseStatus = z.infer<typeof caseStatusSchema>;
export const CASE_STATUS_LABELS: Record<CaseStatus, { zh: string; en: string }> = {
  open: { zh: '待处理', en: 'Open' },
  waiting: { zh: '等待中', en: 'Waiting' },
  resolved: { zh: '已解决', en: 'Resolved' },
};

/** 0 low … 3 urgent. Scanner hits, large amounts and SLA breaches raise it. */
export const CASE_PRIORITIES = [0, 1, 2, 3] as const;
export const casePrioritySchema = z.number().int().min(0).max(3);
export const CASE_PRIORITY_LABELS = [
  { zh: '低', en: 'Low' },
  { zh: '普通', en: 'Normal' },
  { zh: '高', en: 'High' },
  { zh: '紧急', en: 'Urgent' },
] as const;

/**
 * Case tags: short one-line labels (退款, 物流 …), trimmed, compared case-insensitively for duplicates
 * (the first spelling stays), at most `CASE_TAGS_MAX` on a case.
 */
export const CASE_TAG_MAX_CHARS = 20;
export const CASE_TAGS_MAX = 10;
export const caseTagSchema = text({ min: 1, max: CASE_TAG_MAX_CHARS }).refine((t) => !/[,，]/.test(t), {
  error: 'must not contain commas',
});
/** Merges tags, keeping the first spelling of each (case-insensitive). */
export function mergeTags(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of lists.flat()) {
    const key = t.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(t);
  }
  return out;
}
export const caseTagsSchema = z
  .array(caseTagSchema)
  .max(CASE_TAGS_MAX, { error: `must have at most ${CASE_TAGS_MAX} tags` })
  .transform((tags) => mergeTags(tags));

/** Who may see (list, open, sync, stream) a case of each kind. */
export const CASE_VIEW_PERMISSION: Record<CaseKind, Permission> = {
  listing_review: 'listings.review',
  report: 'reports.handle',
  dispute: 'disputes.view',
  payout: 'payouts.view',
  support_chat: 'support.chat',
  reconciliation_mismatch: 'reconciliation.view',
};

/** Who may claim, release, be assigned and act on a case of each kind. */
export const CASE_HANDLE_PERMISSION: Record<CaseKind, Permission> = {
  listing_review: 'listings.review',
  report: 'reports.handle',
  dispute: 'disputes.resolve',
  payout: 'payouts.approve',
  support_chat: 'support.chat',
  reconciliation_mismatch: 'reconciliation.view',
};

/** Flags a case can carry; the console shows them as tags and the scanner's hits set the first two. */
export const CASE_FLAGS = [
  'contact_leak',
  'prohibited_word',
  'maker_checker',
  'second_approval_pending',
  'sla_breached',
  'risk',
  'reopened',
] as const;
export const caseFlagSchema = z.enum(CASE_FLAGS);
export type CaseFlag = z.infer<typeof caseFlagSchema>;
export const CASE_FLAG_LABELS: Record<CaseFlag, { zh: string; en: string }> = {
  contact_leak: { zh: '联系方式外泄', en: 'Contact leak' },
  prohibited_word: { zh: '违禁词', en: 'Prohibited word' },
  maker_checker: { zh: '需双人审批', en: 'Two approvals' },
  second_approval_pending: { zh: '待第二人审批', en: 'Awaiting 2nd approval' },
  sla_breached: { zh: '已超时', en: 'SLA breached' },
  risk: { zh: '风险', en: 'Risk' },
  reopened: { zh: '重新打开', en: 'Reopened' },
};

/** Everything a queue row shows, without a second request. Also the payload of `case.upserted`. */
export const caseSummarySchema = z.object({
  id: z.number().int(),
  kind: caseKindSchema,
  status: caseStatusSchema,
  /** Kind-specific step, e.g. a payout's `awaiting_second_approval`. */
  stage: z.string(),
  priority: casePrioritySchema,
  assigneeId: z.number().int().nullable(),
  assigneeName: z.string().nullable(),
  version: z.number().int(),
  slaDueAt: isoDateTime.nullable(),
  slaBreached: z.boolean(),
  subjectType: z.string(),
  subjectId: z.number().int(),
  /** The marketplace user the case is about (seller, withdrawer, chatting customer). */
  userId: z.number().int().nullable(),
  orderId: z.number().int().nullable(),
  amountFen: z.number().int().nullable(),
  title: z.string(),
  /** Kind-specific facts for the row (listing title, order number, reason …). */
  summary: z.record(z.string(), z.unknown()),
  flags: z.array(caseFlagSchema),
  outcome: z.string().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  resolvedAt: isoDateTime.nullable(),
});
export type CaseSummary = z.infer<typeof caseSummarySchema>;

export const caseHistoryEntrySchema = z.object({
  id: z.number().int(),
  at: isoDateTime,
  actorId: z.number().int().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  fromStatus: caseStatusSchema.nullable(),
  toStatus: caseStatusSchema.nullable(),
  note: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type CaseHistoryEntry = z.infer<typeof caseHistoryEntrySchema>;

/** An action this staff member could perform on the case now, or why not. */
export const caseActionOfferSchema = z.object({
  action: z.string(),
  available: z.boolean(),
  reason: z.object({ zh: z.string(), en: z.string() }).nullable(),
});
export type CaseActionOffer = z.infer<typeof caseActionOfferSchema>;

/** `GET /ops/cases/:id`: everything the case screen needs in one response. */
export const caseDetailSchema = z.object({
  case: caseSummarySchema,
  history: z.array(caseHistoryEntrySchema),
  /** Claim, release, assign and the kind's own actions, as this staff member sees them now. */
  actions: z.array(caseActionOfferSchema),
  /** The kind's own detail (the listing with scanner hits, the dispute's timeline, the payout's risk signals …). */
  detail: z.record(z.string(), z.unknown()),
});
export type CaseDetail = z.infer<typeof caseDetailSchema>;

export const CASE_SORTS = [
  'sla',
  '-sla',
  'priority',
  '-priority',
  'created',
  '-created',
  'amount',
  '-amount',
] as const;

/** `?kind=a,b` or `?kind=a&kind=b`. */
const csv = <T extends z.ZodEnum>(item: T) =>
  z.preprocess((v) => (typeof v === 'string' ? v.split(',').filter(Boolean) : v), z.array(item).min(1));

export const caseListQuerySchema = z.object({
  kind: csv(caseKindSchema).optional(),
  status: csv(caseStatusSchema).optional(),
  /** A staff id, `me`, or `none` (unclaimed). */
  assignee: z
    .preprocess(
      (v) => (typeof v === 'number' ? String(v) : v),
      z
        .string()
        .regex(new RegExp(`^(me|none|${DECIMAL_ID_PATTERN.source.slice(1, -1)})$`), {
          error: 'must be me, none or a staff id in decimal digits',
        })
        .transform((v) => (v === 'me' || v === 'none' ? v : Number(v)))
        .pipe(z.union([z.enum(['me', 'none']), idSchema])),
    )
    .optional(),
  priorityAtLeast: queryInt({ min: 0, max: 3 }).optional(),
  slaBreached: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  userId: idQuery.optional(),
  orderId: idQuery.optional(),
  minAmountFen: queryInt({ min: 0 }).optional(),
  maxAmountFen: queryInt({ min: 0 }).optional(),
  createdFrom: isoInstantQuery.optional(),
  createdTo: isoInstantQuery.optional(),
  q: text({ max: 100 }).optional(),
  sort: z.enum(CASE_SORTS).default('sla'),
  cursor: cursorSchema(300).optional(),
  limit: queryInt({ min: 1, max: 200 }).default(50),
});
export type CaseListQuery = z.infer<typeof caseListQuerySchema>;

export const casePageSchema = z.object({
  items: z.array(caseSummarySchema),
  nextCursor: z.string().nullable(),
});

/** Every mutating case request names the version it was decided on. */
export const caseVersionBodySchema = z.object({ version: z.number().int().min(1) });
/** `POST /ops/cases/:id/claim`: only the version the staff member saw when they decided to take it. */
export const caseClaimBodySchema = caseVersionBodySchema.meta({ examples: [{ version: 3 }] });
export const caseAssignBodySchema = caseVersionBodySchema
  .extend({
    assigneeId: z.number().int().positive(),
    note: text({ max: 500, multiline: true }).optional(),
  })
  .meta({ examples: [{ version: 3, assigneeId: 42, note: '涉及退款，请财务同事跟进' }] });
export const caseReleaseBodySchema = caseVersionBodySchema
  .extend({
    note: text({ max: 500, multiline: true }).optional(),
  })
  .meta({ examples: [{ version: 4, note: '今天下班前处理不完，放回队列' }] });

/** `POST /ops/cases/:id/perform/:action`: the case and the action's name (its kind decides which exist). */
export const caseActionParamsSchema = z.object({
  id: idQuery,
  action: z.string().regex(/^[a-z_]{1,40}$/),
});

/**
 * How deeply an action's fields may nest before the kind's own schema reads them (the deepest real one,
 * `uphold`'s `sanction`, is 2). The Idempotency-Key's request hash and the audit row walk the body
 * recursively, so 20,000 nested arrays overflowed the stack: a 500 instead of a 400.
 */
const ACTION_FIELD_MAX_DEPTH = 8;

/** Depth of a parsed JSON value (a scalar is 0), counted without recursion; stops past `limit`. */
function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > limit) return depth + 1;
    deepest = Math.max(deepest, depth + 1);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const actionFieldSchema = z
  .unknown()
  .refine((v) => jsonDepth(v, ACTION_FIELD_MAX_DEPTH) <= ACTION_FIELD_MAX_DEPTH, {
    error: `must not nest deeper than ${ACTION_FIELD_MAX_DEPTH} levels`,
  });
/** The version plus the action's own fields (checked by the action's schema in `ops/actions.ts`). */
export const casePerformBodySchema = caseVersionBodySchema.catchall(actionFieldSchema).meta({
  examples: [{ version: 3, note: '请补充三张以上的作品案例，并写明交付的文件格式。' }],
});
export const casePerformResponseSchema = z.object({
  case: caseSummarySchema,
  /** What the action produced beside the case (a created refund's id, a batch item's result …). */
  result: z.record(z.string(), z.unknown()),
});

/** `GET /ops/sync`: the case changes after `after`, oldest first; `after=0` pages through a snapshot. */
export const opsSyncQuerySchema = z.object({
  after: queryInt({ min: 0 }).default(0),
  limit: queryInt({ min: 1, max: 1000 }).default(500),
});
export const opsSyncChangeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('upsert'), seq: z.number().int(), case: caseSummarySchema }),
  z.object({ op: z.literal('remove'), seq: z.number().int(), caseId: z.number().int() }),
]);
export type OpsSyncChange = z.infer<typeof opsSyncChangeSchema>;
/**
 * The marketplace users and orders a page of cases names, as the console's offline cache may hold them
 * for search (Ctrl+K): the handle, the display name and the phone number masked as staff see it
 * (`138****8000`; the clear number only through the audited reveal), the order's number, status and amount.
 */
export const opsDirectoryUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  phoneMasked: z.string().nullable(),
});
export type OpsDirectoryUser = z.infer<typeof opsDirectoryUserSchema>;
export const opsDirectoryOrderSchema = z.object({
  id: z.number().int(),
  orderNumber: z.string(),
  status: orderStatusSchema,
  amountFen: z.number().int(),
});
export type OpsDirectoryOrder = z.infer<typeof opsDirectoryOrderSchema>;
export const opsDirectorySchema = z.object({
  users: z.array(opsDirectoryUserSchema),
  orders: z.array(opsDirectoryOrderSchema),
});
export type OpsDirectory = z.infer<typeof opsDirectorySchema>;
export const opsSyncResponseSchema = z.object({
  changes: z.array(opsSyncChangeSchema),
  /** The users and orders this page's cases name (absent from a core that predates it). */
  directory: opsDirectorySchema.optional(),
  /** Pass as `after` next time (and as the socket's `lastSeq`). */
  nextSeq: z.number().int(),
  hasMore: z.boolean(),
  /** The newest `seq` of the whole stream when this page was read (progress = nextSeq / headSeq). */
  headSeq: z.number().int(),
});
export type OpsSyncResponse = z.infer<typeof opsSyncResponseSchema>;

export const CASE_EVENTS = {
  'case.upserted': caseSummarySchema,
  /** A case left the stream (its subject was deleted); consoles drop it from their cache. */
  'case.removed': z.object({ caseId: z.number().int(), kind: caseKindSchema }),
} as const;

export const CASE_ERRORS = {
  case_claimed_by_other: {
    status: 409,
    zh: '该工单已被其他同事认领',
    en: 'Someone else holds this case',
  },
  case_version_conflict: {
    status: 409,
    zh: '工单已被更新，请刷新后再操作',
    en: 'The case changed since you loaded it; reload and try again',
  },
  case_action_unavailable: {
    status: 409,
    zh: '该工单当前不能执行此操作',
    en: 'This action is not available on the case now',
  },
  case_resolved: { status: 409, zh: '工单已处理完毕', en: 'The case is already resolved' },
  assignee_not_eligible: {
    status: 400,
    zh: '被指派人没有处理此类工单的权限',
    en: 'The assignee may not handle cases of this kind',
  },
} as const;
