import { z } from 'zod';
import { idSchema, isoDateTime, text } from '../api/common';

/**
 * Contracts of the ops moderation area: the scanner's hits, listing review decisions, user reports and
 * sanctions. Every code a user or member of staff picks from has a zh and an en text.
 */

type Labels<K extends string> = Record<K, { zh: string; en: string }>;

/** What the sensitive-content scanner finds. The first five are contact leaks (dealing off the platform). */
export const SCAN_HIT_KINDS = ['prohibited_word', 'phone', 'wechat', 'qq', 'email', 'url'] as const;
export const scanHitKindSchema = z.enum(SCAN_HIT_KINDS);
export type ScanHitKind = z.infer<typeof scanHitKindSchema>;
export const CONTACT_HIT_KINDS: readonly ScanHitKind[] = ['phone', 'wechat', 'qq', 'email', 'url'];

export const SCAN_HIT_KIND_LABELS: Labels<ScanHitKind> = {
  prohibited_word: { zh: '违禁词', en: 'Prohibited word' },
  phone: { zh: '手机号', en: 'Phone number' },
  wechat: { zh: '微信号', en: 'WeChat ID' },
  qq: { zh: 'QQ号', en: 'QQ number' },
  email: { zh: '邮箱', en: 'Email address' },
  url: { zh: '网址', en: 'Web address' },
};

/** One hit; `start`/`end` are UTF-16 offsets into the original text (`text.slice(start, end) === match`). */
export const scanHitSchema = z.object({
  kind: scanHitKindSchema,
  match: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  /** The dictionary category of a prohibited word (academic_fraud, gambling …). */
  category: z.string().optional(),
});
export type ScanHit = z.infer<typeof scanHitSchema>;

/** Why a listing is rejected; the freelancer sees the text in zh and en. */
export const REJECT_REASONS = [
  'contact_info',
  'prohibited_content',
  'misleading',
  'low_quality',
  'wrong_category',
  'ip_infringement',
] as const;
export const rejectReasonSchema = z.enum(REJECT_REASONS);
export type RejectReason = z.infer<typeof rejectReasonSchema>;
export const REJECT_REASON_LABELS: Labels<RejectReason> = {
  contact_info: {
    zh: '包含联系方式（手机号、微信、QQ、邮箱或网址），平台禁止引导站外交易',
    en: 'Contains contact details (phone, WeChat, QQ, email or web address); dealing off the platform is not allowed',
  },
  prohibited_content: {
    zh: '包含违禁内容（如代写论文、代考、刷单、办证、赌博等）',
    en: 'Contains prohibited content (ghost-writing theses, exam proxies, fake orders, forged documents, gambling …)',
  },
  misleading: { zh: '描述夸大或具有误导性', en: 'The description is exaggerated or misleading' },
  low_quality: {
    zh: '内容过于简单，无法让买家了解服务',
    en: 'Too little detail for a buyer to understand the service',
  },
  wrong_category: { zh: '所选分类与服务内容不符', en: 'The category does not match the service' },
  ip_infringement: {
    zh: '涉嫌侵犯他人知识产权（商标、版权）',
    en: 'Suspected infringement of intellectual property (trademark, copyright)',
  },
};

/** What a user may report. */
export const REPORT_TARGET_TYPES = ['listing', 'review', 'message', 'user'] as const;
export const reportTargetTypeSchema = z.enum(REPORT_TARGET_TYPES);
export type ReportTargetType = z.infer<typeof reportTargetTypeSchema>;

export const REPORT_REASONS = [
  'contact_info',
  'prohibited_content',
  'fraud',
  'harassment',
  'spam',
  'ip_infringement',
  'fake_review',
  'other',
] as const;
export const reportReasonSchema = z.enum(REPORT_REASONS);
export type ReportReason = z.infer<typeof reportReasonSchema>;
export const REPORT_REASON_LABELS: Labels<ReportReason> = {
  contact_info: { zh: '留联系方式 / 引导站外交易', en: 'Contact details / dealing off the platform' },
  prohibited_content: { zh: '违禁内容', en: 'Prohibited content' },
  fraud: { zh: '欺诈', en: 'Fraud' },
  harassment: { zh: '骚扰、辱骂', en: 'Harassment or abuse' },
  spam: { zh: '垃圾广告', en: 'Spam' },
  ip_infringement: { zh: '侵犯知识产权', en: 'Intellectual property infringement' },
  fake_review: { zh: '虚假评价', en: 'Fake review' },
  other: { zh: '其他', en: 'Other' },
};

/** `POST /reports`. */
export const createReportBodySchema = z
  .object({
    targetType: reportTargetTypeSchema,
    targetId: idSchema,
    reason: reportReasonSchema,
    detail: text({ max: 1000, multiline: true }).default(''),
  })
  .strict();
export type CreateReportBody = z.infer<typeof createReportBodySchema>;
export const createReportResponseSchema = z.object({
  reportId: z.number().int(),
  /** True when the target already had an open report and this one joined it. */
  joined: z.boolean(),
});

export const SANCTION_KINDS = ['warn', 'suspend', 'ban', 'takedown'] as const;
export const sanctionKindSchema = z.enum(SANCTION_KINDS);
export type SanctionKind = z.infer<typeof sanctionKindSchema>;
export const SANCTION_KIND_LABELS: Labels<SanctionKind> = {
  warn: { zh: '警告', en: 'Warning' },
  suspend: { zh: '限期封禁', en: 'Suspension' },
  ban: { zh: '永久封禁', en: 'Ban' },
  takedown: { zh: '内容下架', en: 'Content taken down' },
};
export const SANCTION_STATUSES = ['active', 'expired', 'revoked'] as const;
export type SanctionStatus = (typeof SANCTION_STATUSES)[number];

/**
 * A sanction on a user: `suspend` needs `days` (1–365); warn and ban must not carry days. Takedowns are
 * recorded when an upheld report removes content, not applied by hand.
 */
export const sanctionInputSchema = z
  .object({
    kind: z.enum(['warn', 'suspend', 'ban']),
    days: z.number().int().min(1, { error: 'must be at least 1 day' }).max(365).optional(),
    reason: reportReasonSchema,
    note: text({ max: 500, multiline: true }).default(''),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.kind === 'suspend' && s.days === undefined)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'is required for a suspension' });
    if (s.kind !== 'suspend' && s.days !== undefined)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'only a suspension has days' });
  });
export type SanctionInput = z.infer<typeof sanctionInputSchema>;

export const sanctionSchema = z.object({
  id: z.number().int(),
  userId: z.number().int(),
  kind: sanctionKindSchema,
  status: z.enum(SANCTION_STATUSES),
  reason: z.string(),
  reasonText: z.object({ zh: z.string(), en: z.string() }),
  note: z.string(),
  days: z.number().int().nullable(),
  startsAt: isoDateTime,
  endsAt: isoDateTime.nullable(),
  caseId: z.number().int().nullable(),
  subjectType: z.string().nullable(),
  subjectId: z.number().int().nullable(),
  createdBy: z.number().int().nullable(),
  createdAt: isoDateTime,
  revokedAt: isoDateTime.nullable(),
  revokedBy: z.number().int().nullable(),
  revokeNote: z.string().nullable(),
});
export type Sanction = z.infer<typeof sanctionSchema>;
export const sanctionListSchema = z.object({ items: z.array(sanctionSchema) });
export const revokeSanctionBodySchema = z
  .object({ note: text({ min: 1, max: 500, multiline: true }) })
  .strict();

/** Case action bodies (the cases route adds `version`). */
export const approveListingBodySchema = z
  .object({ note: text({ max: 500, multiline: true }).optional() })
  .strict();
export const rejectListingBodySchema = z
  .object({ reason: rejectReasonSchema, note: text({ max: 500, multiline: true }).default('') })
  .strict();
export const requestChangesBodySchema = z
  .object({ note: text({ min: 1, max: 500, multiline: true }) })
  .strict();
export const dismissReportBodySchema = z
  .object({ note: text({ min: 1, max: 500, multiline: true }) })
  .strict();
export const upholdReportBodySchema = z
  .object({
    note: text({ min: 1, max: 500, multiline: true }),
    /** Remove the reported content: listing → suspended, review or message → hidden. */
    takedown: z.boolean().default(false),
    /** Also sanction the content's author. */
    sanction: sanctionInputSchema.optional(),
  })
  .strict();

export const MODERATION_EVENTS = {
  /** To the sanctioned user (and the ops stream). */
  'sanction.applied': z.object({
    sanctionId: z.number().int(),
    userId: z.number().int(),
    kind: sanctionKindSchema,
    reason: z.string(),
    endsAt: isoDateTime.nullable(),
  }),
  'sanction.lifted': z.object({
    sanctionId: z.number().int(),
    userId: z.number().int(),
    kind: sanctionKindSchema,
    /** `expired` (its time ran out) or `revoked` (by staff). */
    how: z.enum(['expired', 'revoked']),
  }),
} as const;

export const MODERATION_ERRORS = {
  cannot_report_own: {
    status: 400,
    zh: '不能举报自己的内容',
    en: 'You cannot report your own content',
  },
  already_reported: {
    status: 409,
    zh: '您已举报过该内容，平台正在处理',
    en: 'You have already reported this; it is being handled',
  },
  sanction_not_applicable: {
    status: 409,
    zh: '该处罚不适用于此用户',
    en: 'This sanction cannot be applied to this user',
  },
  sanction_not_active: {
    status: 409,
    zh: '该处罚已失效，无需撤销',
    en: 'This sanction is no longer in force',
  },
} as const;

/* ------------------------------------------------------------------------------------------------ */
/* Case details (`GET /ops/cases/:id` → `detail`) of the moderation kinds, typed end to end.         */
/* ------------------------------------------------------------------------------------------------ */

/**
 * The person behind content, as a moderator weighs them: age of the account, how their listings fared,
 * completed orders and every sanction so far.
 */
export const userHistorySchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  status: z.enum(['active', 'suspended', 'banned']),
  suspendedUntil: isoDateTime.nullable(),
  createdAt: isoDateTime,
  accountAgeDays: z.number().int(),
  listings: z.object({
    total: z.number().int(),
    published: z.number().int(),
    rejected: z.number().int(),
    suspended: z.number().int(),
  }),
  completedOrders: z.number().int(),
  sanctions: z.array(sanctionSchema),
});
export type UserHistory = z.infer<typeof userHistorySchema>;

/** Scanner hits of one piece of content by field (`title`, `description`, `packages.basic.title` …). */
export const fieldHitsSchema = z.record(z.string(), z.array(scanHitSchema));
export type FieldHits = z.infer<typeof fieldHitsSchema>;

/** An earlier listing review of the same seller (newest first), so repeat offenders stand out. */
export const pastListingReviewSchema = z.object({
  caseId: z.number().int(),
  serviceId: z.number().int(),
  title: z.string(),
  /** `approved`, `rejected`, `changes_requested`, `withdrawn` … */
  outcome: z.string().nullable(),
  rejectReason: rejectReasonSchema.nullable(),
  resolvedAt: isoDateTime.nullable(),
});
export type PastListingReview = z.infer<typeof pastListingReviewSchema>;

export const listingReviewDetailSchema = z.object({
  listing: z
    .object({
      id: z.number().int(),
      title: z.string(),
      titleZh: z.string(),
      description: z.string(),
      status: z.enum(['draft', 'pending_review', 'published', 'rejected', 'suspended']),
      reviewNote: z.string().nullable(),
      category: z.object({ id: z.number().int(), name: z.string(), nameZh: z.string() }),
      submittedAt: isoDateTime.nullable(),
      packages: z.array(
        z.object({
          tier: z.enum(['basic', 'standard', 'premium']),
          title: z.string(),
          description: z.string(),
          priceFen: z.number().int(),
          deliveryDays: z.number().int(),
          revisions: z.number().int(),
        }),
      ),
    })
    .nullable(),
  /** Keys are the scanned field names: `title`, `titleZh`, `description`, `packages.<tier>.title|description`. */
  hits: fieldHitsSchema,
  seller: userHistorySchema.nullable(),
  pastReviews: z.array(pastListingReviewSchema),
});
export type ListingReviewDetail = z.infer<typeof listingReviewDetailSchema>;

/** A reported listing. */
export const reportedListingSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  titleZh: z.string(),
  description: z.string(),
  excerpt: z.string(),
  status: z.enum(['draft', 'pending_review', 'published', 'rejected', 'suspended']),
  freelancerId: z.number().int(),
});
/** A reported review with its rating. */
export const reportedReviewSchema = z.object({
  id: z.number().int(),
  rating: z.number().int(),
  comment: z.string(),
  authorId: z.number().int(),
  authorName: z.string(),
  serviceId: z.number().int(),
  /** The listing the review is about (its Chinese title when it has one). */
  serviceTitle: z.string(),
  orderId: z.number().int(),
  targetUserId: z.number().int(),
  createdAt: isoDateTime,
  hidden: z.boolean(),
});
/** A reported message with up to three neighbours on each side (oldest first). */
export const reportedMessageSchema = z.object({
  id: z.number().int(),
  conversationId: z.number().int(),
  senderId: z.number().int(),
  content: z.string(),
  hidden: z.boolean(),
  thread: z.array(
    z.object({
      id: z.number().int(),
      senderId: z.number().int(),
      senderName: z.string().nullable(),
      type: z.enum(['text', 'image', 'file']),
      content: z.string(),
      createdAt: isoDateTime,
      reported: z.boolean(),
      hidden: z.boolean(),
    }),
  ),
});
/** A reported user. */
export const reportedUserSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  status: z.enum(['active', 'suspended', 'banned']),
  bio: z.string(),
  createdAt: isoDateTime,
});

/** The reported content by type; `target` is null when it no longer exists. */
export const reportTargetSchema = z.discriminatedUnion('targetType', [
  z.object({ targetType: z.literal('listing'), target: reportedListingSchema.nullable() }),
  z.object({ targetType: z.literal('review'), target: reportedReviewSchema.nullable() }),
  z.object({ targetType: z.literal('message'), target: reportedMessageSchema.nullable() }),
  z.object({ targetType: z.literal('user'), target: reportedUserSchema.nullable() }),
]);
export type ReportTarget = z.infer<typeof reportTargetSchema>;

export const reportEntrySchema = z.object({
  id: z.number().int(),
  reporterId: z.number().int().nullable(),
  reporterName: z.string().nullable(),
  /** Raised by the scanner, not a person. */
  bySystem: z.boolean(),
  reason: z.string(),
  reasonText: z.object({ zh: z.string(), en: z.string() }),
  detail: z.string(),
  createdAt: isoDateTime,
});
export type ReportEntry = z.infer<typeof reportEntrySchema>;

export const reportDetailSchema = z.intersection(
  reportTargetSchema,
  z.object({
    /** Every report about the target in this case, oldest first. */
    reports: z.array(reportEntrySchema),
    /** The scanner's hits in the target's texts (`title`, `description`, `comment`, `content`, `bio` …). */
    hits: fieldHitsSchema,
    /** The content's author (whom a sanction would hit). */
    author: userHistorySchema.nullable(),
  }),
);
export type ReportDetail = z.infer<typeof reportDetailSchema>;
