import { z } from 'zod';
import type { Permission } from '../permissions';
import { CASE_KINDS, type CaseKind } from './cases';
import { disputeApproveBodySchema, disputeRejectBodySchema, disputeResolveBodySchema } from './disputes';
import {
  approveListingBodySchema,
  dismissReportBodySchema,
  rejectListingBodySchema,
  requestChangesBodySchema,
  upholdReportBodySchema,
} from './moderation';
import {
  approvePayoutBodySchema,
  closeFailedPayoutBodySchema,
  rejectPayoutBodySchema,
  resolveMismatchBodySchema,
} from './payouts';
import {
  supportNoteBodySchema,
  supportReopenBodySchema,
  supportReplyBodySchema,
  supportResolveBodySchema,
} from './support';

/**
 * Every case action of every kind, declared once: who may take it, what it is called, and the fields it
 * takes (`POST /ops/cases/:id/perform/:action` adds `version`). The core's kind handlers must implement
 * exactly these (a missing or extra action is a type error in the core's `defineCaseKind`); the
 * console's `cases.perform` is typed per kind and action from them, so a pane cannot send a field the
 * core would refuse, and its forms take their limits from the same schemas.
 */
export interface CaseActionSpec<B extends z.ZodType = z.ZodType> {
  permission: Permission;
  label: { zh: string; en: string };
  body: B;
}

const spec = <B extends z.ZodType>(s: CaseActionSpec<B>) => s;

export const CASE_ACTIONS = {
  listing_review: {
    approve: spec({
      permission: 'listings.review',
      label: { zh: '通过', en: 'Approve' },
      body: approveListingBodySchema,
    }),
    reject: spec({
      permission: 'listings.review',
      label: { zh: '驳回', en: 'Reject' },
      body: rejectListingBodySchema,
    }),
    request_changes: spec({
      permission: 'listings.review',
      label: { zh: '要求修改', en: 'Request changes' },
      body: requestChangesBodySchema,
    }),
  },
  report: {
    dismiss: spec({
      permission: 'reports.handle',
      label: { zh: '驳回举报', en: 'Dismiss' },
      body: dismissReportBodySchema,
    }),
    uphold: spec({
      permission: 'reports.handle',
      label: { zh: '举报成立', en: 'Uphold' },
      body: upholdReportBodySchema,
    }),
  },
  dispute: {
    resolve: spec({
      permission: 'disputes.resolve',
      label: { zh: '裁决', en: 'Resolve' },
      body: disputeResolveBodySchema,
    }),
    approve_resolution: spec({
      permission: 'disputes.second_approval',
      label: { zh: '复核通过并执行', en: 'Approve and execute' },
      body: disputeApproveBodySchema,
    }),
    reject_resolution: spec({
      permission: 'disputes.second_approval',
      label: { zh: '驳回裁决方案', en: 'Reject the proposed resolution' },
      body: disputeRejectBodySchema,
    }),
  },
  payout: {
    approve_payout: spec({
      permission: 'payouts.approve',
      label: { zh: '批准提现', en: 'Approve payout' },
      body: approvePayoutBodySchema,
    }),
    reject_payout: spec({
      permission: 'payouts.approve',
      label: { zh: '驳回提现', en: 'Reject payout' },
      body: rejectPayoutBodySchema,
    }),
    close_failed: spec({
      permission: 'payouts.approve',
      label: { zh: '确认打款失败并关闭', en: 'Acknowledge failed transfer' },
      body: closeFailedPayoutBodySchema,
    }),
  },
  support_chat: {
    reply: spec({
      permission: 'support.chat',
      label: { zh: '回复', en: 'Reply' },
      body: supportReplyBodySchema,
    }),
    note: spec({
      permission: 'support.chat',
      label: { zh: '内部备注', en: 'Private note' },
      body: supportNoteBodySchema,
    }),
    resolve: spec({
      permission: 'support.chat',
      label: { zh: '结束会话', en: 'Resolve' },
      body: supportResolveBodySchema,
    }),
    reopen: spec({
      permission: 'support.chat',
      label: { zh: '重新打开', en: 'Reopen' },
      body: supportReopenBodySchema,
    }),
  },
  reconciliation_mismatch: {
    resolve: spec({
      permission: 'reconciliation.view',
      label: { zh: '处理完毕', en: 'Resolve' },
      body: resolveMismatchBodySchema,
    }),
  },
} as const satisfies { [K in CaseKind]: Record<string, CaseActionSpec> };

type Actions = typeof CASE_ACTIONS;
/** The actions of one kind: `CaseActionName<'payout'>` is `'approve_payout' | 'reject_payout' | 'close_failed'`. */
export type CaseActionName<K extends CaseKind> = keyof Actions[K] & string;
/** Any kind's action name (the claim/release/assign operations are not actions). */
export type AnyCaseActionName = { [K in CaseKind]: CaseActionName<K> }[CaseKind];
type SpecOf<K extends CaseKind, A extends CaseActionName<K>> = Actions[K][A] extends CaseActionSpec<infer B>
  ? B
  : never;
/** The fields a caller sends for an action (defaults may be left out). */
export type CaseActionFields<K extends CaseKind, A extends CaseActionName<K>> = z.input<SpecOf<K, A>>;
/** The fields as the core's handler receives them (validated, defaults filled). */
export type CaseActionBody<K extends CaseKind, A extends CaseActionName<K>> = z.output<SpecOf<K, A>>;

/** One action of one kind with its fields: the union the console's `cases.perform` takes. */
export type CaseActionCall = {
  [K in CaseKind]: {
    [A in CaseActionName<K>]: { kind: K; action: A; fields: CaseActionFields<K, A> };
  }[CaseActionName<K>];
}[CaseKind];

/** The declaration of `kind`'s `action`, or undefined when the kind has no such action. */
export function caseActionSpec(kind: CaseKind, action: string): CaseActionSpec | undefined {
  const actions: Record<string, CaseActionSpec> = CASE_ACTIONS[kind];
  return Object.hasOwn(actions, action) ? actions[action] : undefined;
}

/** The name of an action as a person reads it (falls back to the code for an action this build lacks). */
export function caseActionLabel(kind: CaseKind, action: string): { zh: string; en: string } {
  return caseActionSpec(kind, action)?.label ?? { zh: action, en: action };
}

/**
 * `cases.perform`'s arguments: `base` (the case and its version) plus the kind, the action and its fields.
 * The kind and action pick the fields' schema, so a wrong field is refused at the bridge with its path
 * (`fields.note`), before anything is queued or sent; the fields come out validated, defaults filled.
 */
export function caseActionCall<S extends z.ZodRawShape>(base: z.ZodObject<S>) {
  return base
    .extend({
      kind: z.enum(CASE_KINDS),
      action: z.string().regex(/^[a-z_]{1,40}$/),
      fields: z.record(z.string(), z.unknown()).default({}),
    })
    .transform((raw, ctx) => {
      const call = raw as { kind: CaseKind; action: string; fields: Record<string, unknown> };
      const found = caseActionSpec(call.kind, call.action);
      if (!found) {
        ctx.addIssue({
          code: 'custom',
          path: ['action'],
          message: `${call.kind} has no action ${call.action}`,
        });
        return z.NEVER;
      }
      const fields = found.body.safeParse(call.fields);
      if (!fields.success) {
        for (const issue of fields.error.issues)
          ctx.addIssue({ code: 'custom', path: ['fields', ...issue.path], message: issue.message });
        return z.NEVER;
      }
      return { ...(raw as object), fields: fields.data as Record<string, unknown> };
    }) as unknown as z.ZodType<
    z.output<z.ZodObject<S>> & CaseActionCall,
    z.input<z.ZodObject<S>> & CaseActionCall
  >;
}
