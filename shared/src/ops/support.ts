import { z } from 'zod';
import { realNameStatusSchema } from '../api/accounts';
import { cursorSchema, idQuery, idSchema, isoDateTime, queryInt, text } from '../api/common';
import { fileSchema } from '../api/files';
import { caseKindSchema, casePrioritySchema, caseStatusSchema, caseTagsSchema } from './cases';

/**
 * Support: live chats between a marketplace user and staff (`support_chat` cases), canned replies with
 * variables, the customer sidebar, and masking of personal data (PIPL) with audited reveals.
 */

// ---------------------------------------------------------------------------------------------------
// Personal data masking

/** Chinese compound surnames kept whole when a real name is masked (欧阳娜娜 → 欧阳**). */
const COMPOUND_SURNAMES = [
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '司空',
  '夏侯',
  '轩辕',
  '令狐',
  '钟离',
  '端木',
  '南宫',
  '西门',
  '独孤',
  '澹台',
  '太史',
  '申屠',
  '呼延',
  '万俟',
  '闻人',
  '赫连',
  '濮阳',
  '百里',
  '东郭',
  '拓跋',
] as const;

/** `13800138000` → `138****8000`: the first 3 and last 4 digits stay, everything between is starred. */
export function maskPhone(phone: string): string {
  const s = phone.trim();
  if (s.length <= 7) return '*'.repeat(s.length);
  return `${s.slice(0, 3)}${'*'.repeat(s.length - 7)}${s.slice(-4)}`;
}

/** `张三` → `张*`, `张三丰` → `张**`, `欧阳娜娜` → `欧阳**`: only the surname stays. */
export function maskRealName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*'.repeat(chars.length);
  const surname = chars.length > 2 && COMPOUND_SURNAMES.some((c) => chars.slice(0, 2).join('') === c) ? 2 : 1;
  return chars.slice(0, surname).join('') + '*'.repeat(chars.length - surname);
}

/** `110101199003071234` → `1101**********1234`: region prefix and last 4 stay. */
export function maskIdNumber(id: string): string {
  const s = id.trim();
  if (s.length <= 8) return '*'.repeat(s.length);
  return `${s.slice(0, 4)}${'*'.repeat(s.length - 8)}${s.slice(-4)}`;
}

export const PII_FIELDS = ['phone', 'realName', 'idNumber'] as const;
export const piiFieldSchema = z.enum(PII_FIELDS);
export type PiiField = z.infer<typeof piiFieldSchema>;

export const PII_FIELD_LABELS: Record<PiiField, { zh: string; en: string }> = {
  phone: { zh: '手机号', en: 'Phone number' },
  realName: { zh: '真实姓名', en: 'Real name' },
  idNumber: { zh: '身份证号', en: 'ID number' },
};

export const revealBodySchema = z
  .object({
    field: piiFieldSchema,
    /** Why the staff member needs the clear value; stored in the audit row. */
    reason: text({ min: 2, max: 200 }),
  })
  .strict();
export const revealResponseSchema = z.object({
  userId: z.number().int(),
  field: piiFieldSchema,
  /** The clear value, or null when the user has none. */
  value: z.string().nullable(),
});

// ---------------------------------------------------------------------------------------------------
// Conversations and messages

export const SUPPORT_SENDER_KINDS = ['user', 'agent', 'system'] as const;
export const supportSenderKindSchema = z.enum(SUPPORT_SENDER_KINDS);
export type SupportSenderKind = z.infer<typeof supportSenderKindSchema>;

export const SUPPORT_CONVERSATION_STATUSES = ['open', 'resolved'] as const;
export const supportConversationStatusSchema = z.enum(SUPPORT_CONVERSATION_STATUSES);

/** Files attached to one message, at most. */
export const SUPPORT_MAX_FILES = 5;
const fileIdsSchema = z.array(idSchema).max(SUPPORT_MAX_FILES, { error: 'at most 5 files' });

/** A message as the customer sees it (private notes never reach them). */
export const supportMessageSchema = z.object({
  id: z.number().int(),
  conversationId: z.number().int(),
  senderKind: supportSenderKindSchema,
  /** null for system messages. */
  sender: z.object({ id: z.number().int(), nickname: z.string() }).nullable(),
  content: z.string(),
  files: z.array(fileSchema),
  createdAt: isoDateTime,
});
export type SupportMessage = z.infer<typeof supportMessageSchema>;

/** A message as staff see it: notes included and marked. */
export const staffSupportMessageSchema = supportMessageSchema.extend({
  isNote: z.boolean(),
  cannedReplyId: z.number().int().nullable(),
});
export type StaffSupportMessage = z.infer<typeof staffSupportMessageSchema>;

export const supportConversationSchema = z.object({
  id: z.number().int(),
  subject: z.string(),
  orderId: z.number().int().nullable(),
  status: supportConversationStatusSchema,
  lastMessage: supportMessageSchema.nullable(),
  /** Agent and system messages after my read marker. */
  unreadCount: z.number().int(),
  /** How far the agents have read (for "已读" on my messages). */
  agentLastReadMessageId: z.number().int(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type SupportConversation = z.infer<typeof supportConversationSchema>;

/**
 * `POST /support/conversations`. A user has one open support conversation at a time: while one is open,
 * this appends the message to it (200) instead of opening another (201).
 */
export const createSupportConversationBodySchema = z
  .object({
    subject: text({ min: 1, max: 100 }),
    message: text({ min: 1, max: 5000, multiline: true }),
    orderId: idSchema.optional(),
    fileIds: fileIdsSchema.optional(),
  })
  .strict();
export type CreateSupportConversationBody = z.infer<typeof createSupportConversationBodySchema>;

export const sendSupportMessageBodySchema = z
  .object({
    content: text({ max: 5000, multiline: true }).default(''),
    fileIds: fileIdsSchema.default([]),
  })
  .strict()
  .refine((b) => b.content.length > 0 || b.fileIds.length > 0, {
    path: ['content'],
    error: 'must not be empty unless files are attached',
  });
export type SendSupportMessageBody = z.infer<typeof sendSupportMessageBodySchema>;

export const supportReadBodySchema = z.object({ upToMessageId: idSchema }).strict();
export const supportReadStateSchema = z.object({
  conversationId: z.number().int(),
  caseId: z.number().int().nullable(),
  lastReadMessageId: z.number().int(),
  unreadCount: z.number().int(),
});

export const supportPageQuerySchema = z
  .object({
    cursor: cursorSchema().optional(),
    limit: queryInt({ min: 1, max: 100 }).default(30),
  })
  .strict();
export const supportConversationPageSchema = z.object({
  items: z.array(supportConversationSchema),
  nextCursor: z.string().nullable(),
});
/** Newest first; `nextCursor` pages to older messages. */
export const supportMessagePageSchema = z.object({
  items: z.array(supportMessageSchema),
  nextCursor: z.string().nullable(),
});
export const staffSupportMessagePageSchema = z.object({
  items: z.array(staffSupportMessageSchema),
  nextCursor: z.string().nullable(),
});
export const caseIdParamSchema = z.object({ caseId: idQuery });

/** `GET /ops/support/unread`: user messages after the agent side's read marker, per case I hold. */
export const supportUnreadSchema = z.object({
  total: z.number().int(),
  items: z.array(
    z.object({ caseId: z.number().int(), conversationId: z.number().int(), unread: z.number().int() }),
  ),
});

/**
 * `GET /ops/support/previews?caseIds=1,2,3`: the last message the customer can see (never a private
 * note) of each of these support chats, for the conversation list. Unknown ids and other kinds of case
 * are left out.
 */
export const SUPPORT_PREVIEW_MAX_CASES = 200;
export const supportPreviewsQuerySchema = z
  .object({
    caseIds: z
      .string()
      .max(SUPPORT_PREVIEW_MAX_CASES * 17)
      .regex(/^[1-9]\d{0,15}(,[1-9]\d{0,15})*$/, { error: 'must be case ids separated by commas' })
      .transform((s) => [...new Set(s.split(',').map(Number))])
      .refine((ids) => ids.length <= SUPPORT_PREVIEW_MAX_CASES, {
        error: `at most ${SUPPORT_PREVIEW_MAX_CASES} case ids`,
      }),
  })
  .strict();
export const supportPreviewsSchema = z.object({
  items: z.array(z.object({ caseId: z.number().int(), lastMessage: supportMessageSchema })),
});
export type SupportPreviews = z.infer<typeof supportPreviewsSchema>;

/** The `support_chat` case's own detail in `GET /ops/cases/:id` (`detail.detail`). */
export const supportChatDetailSchema = z.object({
  /** null only when the conversation behind the case is missing. */
  conversation: z
    .object({
      id: z.number().int(),
      subject: z.string(),
      status: supportConversationStatusSchema,
      customer: z.object({ id: z.number().int(), nickname: z.string() }),
      orderId: z.number().int().nullable(),
      orderNumber: z.string().nullable(),
      /** How far the customer has read (the agents' "已读" receipts). */
      userLastReadMessageId: z.number().int(),
      agentLastReadMessageId: z.number().int(),
      /** Customer messages after the agents' read marker. */
      unread: z.number().int(),
    })
    .nullable(),
  /** The case's tags (macros add them); not in the case summary, so the console's cache stays as it is. */
  tags: z.array(z.string()).default([]),
  /** The newest page of messages (newest first), notes included. */
  messages: z.array(staffSupportMessageSchema),
  nextCursor: z.string().nullable(),
});
export type SupportChatDetail = z.infer<typeof supportChatDetailSchema>;

// ---------------------------------------------------------------------------------------------------
// Case actions of `support_chat`

export const supportReplyBodySchema = z
  .object({
    content: text({ max: 5000, multiline: true }).optional(),
    fileIds: fileIdsSchema.optional(),
    /** Use a canned reply: its body (in `lang`) is the text when `content` is absent; variables are filled. */
    cannedReplyId: idSchema.optional(),
    lang: z.enum(['zh', 'en']).default('zh'),
  })
  .strict()
  .refine((b) => !!b.content || b.cannedReplyId !== undefined || (b.fileIds?.length ?? 0) > 0, {
    path: ['content'],
    error: 'must not be empty (or give cannedReplyId or files)',
  });
export const supportNoteBodySchema = z
  .object({ content: text({ min: 1, max: 5000, multiline: true }) })
  .strict();
export const supportResolveBodySchema = z
  .object({ note: text({ max: 500, multiline: true }).optional() })
  .strict();
export const supportReopenBodySchema = z
  .object({ note: text({ max: 500, multiline: true }).optional() })
  .strict();

// ---------------------------------------------------------------------------------------------------
// Canned replies

/** The variables a canned reply may use; the core fills them when an agent replies with it. */
export const CANNED_REPLY_VARIABLES = ['user.nickname', 'order.number', 'agent.nickname'] as const;
export type CannedReplyVariable = (typeof CANNED_REPLY_VARIABLES)[number];
/** `{{ name }}` with optional spaces. */
export const CANNED_VARIABLE_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The distinct variable names used in a text, in order of first use. */
export function templateVariables(body: string): string[] {
  return [...new Set([...body.matchAll(CANNED_VARIABLE_PATTERN)].map((m) => m[1] ?? ''))];
}

/** Variables of `body` that are not among `CANNED_REPLY_VARIABLES`. */
export function unknownTemplateVariables(body: string): string[] {
  return templateVariables(body).filter((v) => !(CANNED_REPLY_VARIABLES as readonly string[]).includes(v));
}

/** Fills `{{variable}}`s from `values`; a variable without a value stays as written. */
export function renderTemplate(body: string, values: Partial<Record<string, string>>): string {
  return body.replace(CANNED_VARIABLE_PATTERN, (whole, name: string) => values[name] ?? whole);
}

/**
 * A macro: what replying with a canned reply also does to the case, in the same step. `status` is where
 * the reply leaves the chat (a plain reply leaves it `waiting` for the customer; `resolved` ends it as
 * 结束会话 does); `priority` sets the case's priority; `addTags` are added to the case's tags.
 */
export const MACRO_STATUSES = ['waiting', 'resolved'] as const;
export const MACRO_STATUS_LABELS: Record<(typeof MACRO_STATUSES)[number], { zh: string; en: string }> = {
  waiting: { zh: '等待客户回复', en: 'waiting for the customer' },
  resolved: { zh: '已解决（结束会话）', en: 'resolved (chat ended)' },
};
export const cannedReplyEffectsSchema = z
  .object({
    status: z.enum(MACRO_STATUSES).nullable().default(null),
    priority: casePrioritySchema.nullable().default(null),
    addTags: caseTagsSchema.default([]),
  })
  .strict();
export type CannedReplyEffects = z.infer<typeof cannedReplyEffectsSchema>;
export const NO_EFFECTS: CannedReplyEffects = { status: null, priority: null, addTags: [] };
export function hasEffects(e: CannedReplyEffects | undefined): boolean {
  return !!e && (e.status !== null || e.priority !== null || e.addTags.length > 0);
}

export const cannedReplySchema = z.object({
  id: z.number().int(),
  title: z.string(),
  bodyZh: z.string(),
  bodyEn: z.string(),
  shortcut: z.string().nullable(),
  /** The macro's effects (absent from consoles' older caches: no effects). */
  effects: z
    .object({
      status: z.enum(MACRO_STATUSES).nullable(),
      priority: casePrioritySchema.nullable(),
      addTags: z.array(z.string()),
    })
    .optional(),
  createdBy: z.number().int().nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type CannedReply = z.infer<typeof cannedReplySchema>;

const shortcutSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,32}$/, { error: 'must be 1–32 lowercase letters, digits, _ or -' });

export const createCannedReplyBodySchema = z
  .object({
    title: text({ min: 1, max: 60 }),
    bodyZh: text({ min: 1, max: 2000, multiline: true }),
    bodyEn: text({ max: 2000, multiline: true }).default(''),
    shortcut: shortcutSchema.nullable().optional(),
    effects: cannedReplyEffectsSchema.optional(),
  })
  .strict();
export const updateCannedReplyBodySchema = z
  .object({
    title: text({ min: 1, max: 60 }).optional(),
    bodyZh: text({ min: 1, max: 2000, multiline: true }).optional(),
    bodyEn: text({ max: 2000, multiline: true }).optional(),
    shortcut: shortcutSchema.nullable().optional(),
    effects: cannedReplyEffectsSchema.optional(),
  })
  .strict();
export const cannedReplyListQuerySchema = z.object({ q: text({ max: 50 }).optional() }).strict();
export const cannedReplyListSchema = z.object({ items: z.array(cannedReplySchema) });

// ---------------------------------------------------------------------------------------------------
// Customer context (the chat screen's sidebar)

export const customerContextSchema = z.object({
  profile: z.object({
    id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    status: z.enum(['active', 'suspended', 'banned']),
    isClient: z.boolean(),
    isFreelancer: z.boolean(),
    createdAt: isoDateTime,
    realNameStatus: realNameStatusSchema,
    /** Always masked here; `POST /ops/users/:id/reveal` (pii.reveal, audited) gives the clear value. */
    phone: z.string().nullable(),
    phoneVerified: z.boolean(),
    realName: z.string().nullable(),
    idNumber: z.string().nullable(),
  }),
  orders: z.array(
    z.object({
      id: z.number().int(),
      orderNumber: z.string(),
      status: z.string(),
      amountFen: z.number().int(),
      serviceTitle: z.string(),
      role: z.enum(['client', 'freelancer']),
      counterpart: z.object({ id: z.number().int(), nickname: z.string() }),
      createdAt: isoDateTime,
    }),
  ),
  wallet: z.object({
    availableFen: z.number().int(),
    payoutPendingFen: z.number().int(),
    /** Held in escrow for their open orders as a client. */
    escrowAsClientFen: z.number().int(),
  }),
  cases: z.array(
    z.object({
      id: z.number().int(),
      kind: caseKindSchema,
      status: caseStatusSchema,
      outcome: z.string().nullable(),
      /** null for kinds the caller may not open. */
      title: z.string().nullable(),
      createdAt: isoDateTime,
      resolvedAt: isoDateTime.nullable(),
    }),
  ),
});
export type CustomerContext = z.infer<typeof customerContextSchema>;

// ---------------------------------------------------------------------------------------------------
// Events and errors

export const SUPPORT_EVENTS = {
  /**
   * A support message. Audience: the customer, except for private notes (staff consumers read every
   * event). `userId` is the customer.
   */
  'support.message_created': z.object({
    caseId: z.number().int().nullable(),
    conversationId: z.number().int(),
    messageId: z.number().int(),
    userId: z.number().int(),
    senderKind: supportSenderKindSchema,
    senderId: z.number().int().nullable(),
    isNote: z.boolean(),
    preview: z.string(),
  }),
  /** A read marker moved: `side` user (the customer read agent messages) or agent. */
  'support.read': z.object({
    caseId: z.number().int().nullable(),
    conversationId: z.number().int(),
    userId: z.number().int(),
    side: z.enum(['user', 'agent']),
    readerId: z.number().int(),
    upToMessageId: z.number().int(),
  }),
} as const;

export const SUPPORT_ERRORS = {
  canned_reply_unknown_variable: {
    status: 400,
    zh: '快捷回复中含有不支持的变量',
    en: 'The canned reply uses a variable that does not exist',
  },
  canned_reply_variable_unavailable: {
    status: 409,
    zh: '该会话缺少填充快捷回复变量所需的信息',
    en: 'This conversation lacks what a variable of the canned reply needs',
  },
  case_tags_too_many: {
    status: 409,
    zh: '工单标签已达上限',
    en: 'The case has as many tags as it may',
  },
  canned_reply_shortcut_taken: {
    status: 409,
    zh: '快捷指令已被其他快捷回复使用',
    en: 'Another canned reply already uses this shortcut',
  },
} as const;
