import { z } from 'zod';
import { idSchema, isoDateTime, text } from '../api/common';
import { fileSchema } from '../api/files';
import { messageSchema } from '../api/messaging';
import { orderDetailSchema } from '../api/orders';
import { fenSchema } from '../money';

/**
 * Disputes (DESIGN.md "Operations"): a party disputes an order, both sides add evidence until the
 * evidence deadline, and staff resolve it by a full refund, a full release or a split that sums exactly
 * to the escrow. Above `disputeSecondApprovalFen` a second member of staff must approve the resolution.
 */
export const DISPUTE_OUTCOMES = ['refund', 'release', 'split'] as const;
export const disputeOutcomeSchema = z.enum(DISPUTE_OUTCOMES);
export type DisputeOutcome = z.infer<typeof disputeOutcomeSchema>;

export const DISPUTE_OUTCOME_LABELS: Record<DisputeOutcome, { zh: string; en: string }> = {
  refund: { zh: '全额退款给雇主', en: 'Full refund to the client' },
  release: { zh: '全额放款给服务商', en: 'Full release to the freelancer' },
  split: { zh: '按比例分配', en: 'Split between both parties' },
};

/** Case stages of a dispute case. */
export const DISPUTE_STAGES = ['open', 'awaiting_second_approval', ...DISPUTE_OUTCOMES] as const;
export type DisputeStage = (typeof DISPUTE_STAGES)[number];

export const DISPUTE_STAGE_LABELS: Record<DisputeStage, { zh: string; en: string }> = {
  open: { zh: '待裁决', en: 'Awaiting a decision' },
  awaiting_second_approval: { zh: '待复核', en: 'Awaiting second approval' },
  refund: { zh: '已退款', en: 'Refunded' },
  release: { zh: '已放款', en: 'Released' },
  split: { zh: '已分配', en: 'Split' },
};

/** `POST /api/v1/disputes/:id/evidence` (either party, until the evidence deadline). */
export const disputeEvidenceBodySchema = z
  .object({
    note: text({ min: 1, max: 2000, multiline: true }),
    fileIds: z.array(idSchema).max(20).default([]),
  })
  .strict();
export type DisputeEvidenceBody = z.infer<typeof disputeEvidenceBodySchema>;

/**
 * The `resolve` case action. `refundFen + releaseFen` must equal the escrow exactly; for `refund` and
 * `release` the amounts may be left out (they default to all / nothing).
 */
export const disputeResolveBodySchema = z
  .object({
    outcome: disputeOutcomeSchema,
    refundFen: fenSchema.optional(),
    releaseFen: fenSchema.optional(),
    note: text({ min: 1, max: 1000, multiline: true }),
  })
  .strict();
export type DisputeResolveBody = z.infer<typeof disputeResolveBodySchema>;

export const disputeApproveBodySchema = z
  .object({ note: text({ max: 1000, multiline: true }).optional() })
  .strict();
export const disputeRejectBodySchema = z
  .object({ note: text({ min: 1, max: 1000, multiline: true }) })
  .strict();

export const disputeEvidenceSchema = z.object({
  id: z.number().int(),
  authorId: z.number().int(),
  authorName: z.string(),
  side: z.enum(['client', 'freelancer']),
  note: z.string(),
  files: z.array(fileSchema),
  createdAt: isoDateTime,
});
export type DisputeEvidence = z.infer<typeof disputeEvidenceSchema>;

/** The executed resolution, as the parties see it. */
export const disputeResolutionSchema = z.object({
  outcome: disputeOutcomeSchema,
  refundFen: fenSchema,
  releaseFen: fenSchema,
  /** Platform fee taken from the released part. */
  feeFen: fenSchema,
  note: z.string(),
  resolvedAt: isoDateTime,
});

/** `GET /api/v1/orders/:id/dispute`: the dispute as its parties see it. */
export const disputeViewSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  orderNumber: z.string(),
  status: z.enum(['open', 'resolved']),
  reason: z.string(),
  openedBy: z.number().int(),
  openedBySide: z.enum(['client', 'freelancer']),
  /** Files attached when the dispute was opened. */
  files: z.array(fileSchema),
  escrowFen: fenSchema,
  evidenceUntil: isoDateTime.nullable(),
  /** Whether evidence may still be added now. */
  evidenceOpen: z.boolean(),
  evidence: z.array(disputeEvidenceSchema),
  resolution: disputeResolutionSchema.nullable(),
  createdAt: isoDateTime,
});
export type DisputeView = z.infer<typeof disputeViewSchema>;

/** A party of the disputed order as staff see them. */
export const disputePartySchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  status: z.enum(['active', 'suspended', 'banned']),
  joinedAt: isoDateTime.nullable(),
});
export type DisputeParty = z.infer<typeof disputePartySchema>;

export const DISPUTE_DECISION_STEPS = ['proposed', 'approved', 'rejected', 'executed'] as const;
export const DISPUTE_DECISION_STEP_LABELS: Record<
  (typeof DISPUTE_DECISION_STEPS)[number],
  { zh: string; en: string }
> = {
  proposed: { zh: '提出裁决方案', en: 'Proposed' },
  approved: { zh: '复核通过', en: 'Approved' },
  rejected: { zh: '驳回方案', en: 'Rejected' },
  executed: { zh: '已执行', en: 'Executed' },
};

/** A resolution proposed above the second-approval threshold, waiting for another member of staff. */
export const disputeProposalSchema = z.object({
  outcome: disputeOutcomeSchema,
  label: z.object({ zh: z.string(), en: z.string() }),
  refundFen: fenSchema.nullable(),
  releaseFen: fenSchema.nullable(),
  note: z.string().nullable(),
  proposedBy: z.number().int().nullable(),
  proposedByName: z.string().nullable(),
  proposedAt: isoDateTime.nullable(),
});
export type DisputeProposal = z.infer<typeof disputeProposalSchema>;

/**
 * The dispute case screen (`detail` of a `dispute` case): the dispute with its evidence, the order with
 * its timeline, deliveries (with files) and revisions, the parties and their chat about the order, the
 * escrow, the deadlines, and the resolution state with the proposal awaiting approval.
 */
export const disputeCaseDetailSchema = z.object({
  dispute: disputeViewSchema,
  order: orderDetailSchema,
  parties: z.object({ client: disputePartySchema.nullable(), freelancer: disputePartySchema.nullable() }),
  /** The parties' chat about the order, oldest first (the latest 500). */
  messages: z.array(messageSchema.extend({ senderName: z.string().nullable() })),
  evidence: z.array(disputeEvidenceSchema),
  escrow: z.object({
    /** What the split must add up to. */
    orderAmountFen: fenSchema,
    /** What the ledger's escrow account holds now. */
    heldFen: z.number().int(),
    platformFeeBps: z.number().int(),
  }),
  deadlines: z.object({
    evidenceUntil: isoDateTime.nullable(),
    evidenceOpen: z.boolean(),
    slaDueAt: isoDateTime.nullable(),
    deliveryDeadline: isoDateTime.nullable(),
  }),
  resolution: z.object({
    state: z.enum(['open', 'awaiting_second_approval', 'resolved']),
    needsSecondApproval: z.boolean(),
    secondApprovalThresholdFen: fenSchema,
    proposal: disputeProposalSchema.nullable(),
    final: disputeResolutionSchema.nullable(),
    resolvedBy: z.number().int().nullable(),
    approvedBy: z.number().int().nullable(),
    approvals: z.array(
      z.object({
        id: z.number().int(),
        step: z.enum(DISPUTE_DECISION_STEPS),
        actorId: z.number().int(),
        actorName: z.string(),
        outcome: disputeOutcomeSchema,
        refundFen: fenSchema,
        releaseFen: fenSchema,
        note: z.string(),
        at: isoDateTime,
      }),
    ),
  }),
});
export type DisputeCaseDetail = z.infer<typeof disputeCaseDetailSchema>;

export const DISPUTES_ERRORS = {
  dispute_evidence_closed: {
    status: 409,
    zh: '举证期已结束，不能再提交证据',
    en: 'The evidence period has ended; no more evidence can be added',
  },
  dispute_closed: { status: 409, zh: '该纠纷已处理完毕', en: 'This dispute is already resolved' },
  dispute_amounts_mismatch: {
    status: 400,
    zh: '退款金额与放款金额之和必须正好等于托管金额',
    en: 'The refund and release amounts must add up exactly to the escrow',
  },
  dispute_self_approval: {
    status: 409,
    zh: '不能复核自己提出的裁决方案，须由另一位同事复核',
    en: 'You proposed this resolution; another member of staff must approve it',
  },
  dispute_not_eligible: {
    status: 409,
    zh: '订单已不在纠纷中或托管金额已变化，裁决方案无法执行',
    en: 'The order is no longer disputed or its escrow changed; the resolution cannot be executed',
  },
} as const;

export const DISPUTES_EVENTS = {
  /** Evidence added by a party; both parties receive it. */
  'dispute.evidence_added': z.object({
    disputeId: z.number().int(),
    orderId: z.number().int(),
    orderNumber: z.string(),
    evidenceId: z.number().int(),
    authorId: z.number().int(),
    side: z.enum(['client', 'freelancer']),
  }),
  /** Staff resolved the dispute and the money moved; both parties receive it. */
  'dispute.resolved': z.object({
    disputeId: z.number().int(),
    orderId: z.number().int(),
    orderNumber: z.string(),
    outcome: disputeOutcomeSchema,
    refundFen: fenSchema,
    releaseFen: fenSchema,
    feeFen: fenSchema,
    note: z.string(),
  }),
} as const;
