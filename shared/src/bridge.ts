import { z } from 'zod';
import { idSchema, isoDateTime, okSchema, text } from './api/common';
import { queueViewStateSchema, savedViewSchema } from './console/views';
import { caseActionCall } from './ops/actions';
import { auditPageSchema, auditQuerySchema, auditVerificationSchema } from './ops/audit';
import {
  CASE_SORTS,
  caseDetailSchema,
  caseKindSchema,
  caseStatusSchema,
  caseSummarySchema,
} from './ops/cases';
import { customerPageSchema, orderPageSchema } from './ops/drilldown';
import {
  ledgerAccountsResponseSchema,
  ledgerFilterSchema,
  ledgerTransactionPageSchema,
  ledgerTransactionsQuerySchema,
} from './ops/ledger';
import { batchApproveBodySchema, batchApproveResultSchema } from './ops/payouts';
import {
  createTeamBodySchema,
  myPresenceSchema,
  presenceBodySchema,
  ROUTING_EVENTS,
  teamListSchema,
  teamSchema,
  updateTeamBodySchema,
} from './ops/routing';
import { opsSettingsPatchSchema, opsSettingsSchema } from './ops/settings';
import {
  createStaffBodySchema,
  setStaffRolesBodySchema,
  staffDirectoryQuerySchema,
  staffDirectorySchema,
  staffListSchema,
  staffMemberSchema,
  staffStateBodySchema,
} from './ops/staff';
import { statsQuerySchema, statsResponseSchema } from './ops/stats';
import { presenceSchema } from './ops/stream';
import {
  cannedReplyListSchema,
  cannedReplySchema,
  createCannedReplyBodySchema,
  customerContextSchema,
  piiFieldSchema,
  revealResponseSchema,
  SUPPORT_PREVIEW_MAX_CASES,
  staffSupportMessagePageSchema,
  staffSupportMessageSchema,
  supportPreviewsSchema,
  supportUnreadSchema,
  updateCannedReplyBodySchema,
} from './ops/support';
import { shareTeamViewBodySchema, teamViewListSchema } from './ops/team-views';
import { permissionSchema, staffRoleSchema } from './permissions';

/**
 * The console bridge: the one contract between the renderer and the console engine. The renderer calls
 * `call(method, args)` and listens with `on(event, listener)`; in Electron the transport is IPC through
 * the preload script, in browser mode a WebSocket to the web host. Every call's arguments are validated
 * against `args` before the engine sees them, and every result has the `result` shape. Methods that
 * change something while offline are queued in the engine's durable outbox (`queued: true`) and replayed
 * in order on reconnect.
 */

/** Who is signed in to the console, with the permissions the screens are built from. */
export const consoleSessionSchema = z.object({
  userId: z.number().int(),
  username: z.string(),
  nickname: z.string(),
  roles: z.array(staffRoleSchema),
  permissions: z.array(permissionSchema),
  coreUrl: z.string(),
});
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;

/** Always available to the renderer (the top bar shows it). */
export const syncStatusSchema = z.object({
  /**
   * `unavailable`: the core answers but cannot work right now (its database is down): like `offline`,
   * reads come from the cache and actions wait in the outbox, and `problem` carries the core's words.
   */
  state: z.enum(['offline', 'unavailable', 'connecting', 'syncing', 'online']),
  /** The last event applied to the cache. */
  lastSeq: z.number().int(),
  /** The newest seq the core has reported. */
  headSeq: z.number().int(),
  behindBy: z.number().int().min(0),
  /** Progress of a snapshot (first start, or after a `resync`). */
  snapshot: z.object({ done: z.number().int(), total: z.number().int() }).nullable(),
  lastSyncedAt: isoDateTime.nullable(),
  /** Why the engine is offline or behind, in the staff member's words (zh/en). */
  problem: z.object({ zh: z.string(), en: z.string() }).nullable(),
});
export type SyncStatus = z.infer<typeof syncStatusSchema>;

/** A refusal from the core, kept on a failed outbox item until the person retries or dismisses it. */
export const bridgeProblemSchema = z.object({
  code: z.string(),
  status: z.number().int().nullable(),
  message: z.object({ zh: z.string(), en: z.string() }),
  /** The core's extra members (the current holder of a claim, the current version …). */
  extra: z.record(z.string(), z.unknown()),
});
export type BridgeProblem = z.infer<typeof bridgeProblemSchema>;

export const outboxItemSchema = z.object({
  id: z.number().int(),
  method: z.string(),
  caseId: z.number().int().nullable(),
  /** What the person did, as the pending list shows it. */
  label: z.object({ zh: z.string(), en: z.string() }),
  state: z.enum(['pending', 'sending', 'failed']),
  attempts: z.number().int(),
  createdAt: isoDateTime,
  problem: bridgeProblemSchema.nullable(),
});
export type OutboxItem = z.infer<typeof outboxItemSchema>;

/** The answer to an action: applied by the core now, or stored durably to be sent on reconnect. */
export const actionReceiptSchema = z.object({
  queued: z.boolean(),
  outboxId: z.number().int().nullable(),
  case: caseSummarySchema.nullable(),
  result: z.record(z.string(), z.unknown()),
});
export type ActionReceipt = z.infer<typeof actionReceiptSchema>;

/** Queue queries run against the offline cache, so they work through an outage. */
export const localCaseQuerySchema = z.object({
  kinds: z.array(caseKindSchema).optional(),
  statuses: z.array(caseStatusSchema).optional(),
  assignee: z.union([z.enum(['me', 'none']), idSchema]).optional(),
  priorityAtLeast: z.number().int().min(0).max(3).optional(),
  slaBreached: z.boolean().optional(),
  minAmountFen: z.number().int().min(0).optional(),
  maxAmountFen: z.number().int().min(0).optional(),
  createdFrom: isoDateTime.optional(),
  createdTo: isoDateTime.optional(),
  /** Chinese substring search (FTS5 trigram; LIKE for one or two characters). */
  q: text({ max: 100 }).optional(),
  sort: z.enum(CASE_SORTS).default('sla'),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(100_000).default(200),
});

/** Light, dark, or whatever the system is set to. */
export const CONSOLE_THEMES = ['light', 'dark', 'system'] as const;
export type ConsoleTheme = (typeof CONSOLE_THEMES)[number];

export const consoleConfigSchema = z.object({
  coreUrl: z.string(),
  locale: z.enum(['zh-CN', 'en']),
  theme: z.enum(CONSOLE_THEMES),
});
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;

const workspaceIdSchema = z.string().regex(/^[a-zA-Z]{1,40}$/);

/** What the team view methods answer: the list for the queue, and whether it is the offline copy. */
export const teamViewsResultSchema = teamViewListSchema.extend({
  offline: z.boolean(),
  cachedAt: isoDateTime.nullable(),
});
export type TeamViewsResult = z.infer<typeof teamViewsResultSchema>;

const caseRef = z.object({ caseId: idSchema });
const versioned = caseRef.extend({ version: z.number().int().min(1) });
const empty = z.object({}).strict();

const method = <A extends z.ZodType, R extends z.ZodType, O extends boolean = false>(
  args: A,
  result: R,
  opts?: { outbox: O },
) => ({
  args,
  result,
  /**
   * The call changes a case and is stored in the engine's durable outbox when the core cannot be reached
   * (or while earlier actions wait there), then replayed in order. The engine's action table is typed
   * from this flag, so a method marked here without a translation to a core route does not compile.
   */
  outbox: (opts?.outbox ?? false) as O,
});

export const BRIDGE_METHODS = {
  'auth.login': method(
    z.object({
      login: text({ min: 1, max: 100 }),
      password: z.string().min(1).max(200),
      coreUrl: z.url().optional(),
    }),
    consoleSessionSchema,
  ),
  'auth.logout': method(empty, okSchema),
  'auth.session': method(empty, consoleSessionSchema.nullable()),
  'config.get': method(empty, consoleConfigSchema),
  'config.set': method(
    z
      .object({
        coreUrl: z.url().optional(),
        locale: z.enum(['zh-CN', 'en']).optional(),
        theme: z.enum(CONSOLE_THEMES).optional(),
      })
      .strict(),
    consoleConfigSchema,
  ),
  /** The signed-in person's saved views of one queue (kept in the console's settings, per account). */
  'views.list': method(
    z.object({ workspace: workspaceIdSchema }),
    z.object({ items: z.array(savedViewSchema) }),
  ),
  /** Saves (or replaces, by name) a view. */
  'views.save': method(
    z.object({ workspace: workspaceIdSchema, name: text({ min: 1, max: 40 }), state: queueViewStateSchema }),
    z.object({ items: z.array(savedViewSchema) }),
  ),
  'views.delete': method(
    z.object({ workspace: workspaceIdSchema, name: text({ min: 1, max: 40 }) }),
    z.object({ items: z.array(savedViewSchema) }),
  ),
  /**
   * The views my teams share for a queue, with my teams (whom I may share with). Online from the core and
   * kept in the console's settings file per account and queue; offline that last copy (`offline: true`,
   * `cachedAt` when it was fetched; nothing ever fetched: empty).
   */
  'teamViews.list': method(z.object({ workspace: workspaceIdSchema }), teamViewsResultSchema),
  /** Shares a view with one of my teams (replacing its view of that name); needs the core, never queued. */
  'teamViews.share': method(shareTeamViewBodySchema, teamViewsResultSchema),
  /** Deletes a team view (its creator or teams.manage); needs the core, never queued. */
  'teamViews.delete': method(z.object({ workspace: workspaceIdSchema, id: idSchema }), teamViewsResultSchema),
  'sync.status': method(empty, syncStatusSchema),
  'sync.resync': method(empty, syncStatusSchema),
  'cases.list': method(
    localCaseQuerySchema,
    z.object({ items: z.array(caseSummarySchema), total: z.number().int() }),
  ),
  'cases.get': method(
    caseRef,
    z.object({ detail: caseDetailSchema.nullable(), cachedAt: isoDateTime.nullable(), stale: z.boolean() }),
  ),
  'cases.claim': method(versioned, actionReceiptSchema, { outbox: true }),
  'cases.release': method(
    versioned.extend({ note: text({ max: 500, multiline: true }).optional() }),
    actionReceiptSchema,
    { outbox: true },
  ),
  'cases.assign': method(
    versioned.extend({ assigneeId: idSchema, note: text({ max: 500, multiline: true }).optional() }),
    actionReceiptSchema,
    { outbox: true },
  ),
  /**
   * One of the case kind's actions (declared in shared/ops/actions.ts): `kind` and `action` pick the
   * fields' schema, so a wrong field is refused here, naming it, before anything is queued.
   */
  'cases.perform': method(caseActionCall(versioned), actionReceiptSchema, { outbox: true }),
  'search.query': method(
    z.object({ q: text({ min: 1, max: 100 }), limit: z.number().int().min(1).max(50).default(20) }),
    z.object({
      cases: z.array(caseSummarySchema),
      users: z.array(
        z.object({
          id: z.number().int(),
          username: z.string(),
          nickname: z.string(),
          /** As staff see it (`138****5678`), or null when the cache knows none. */
          phone: z.string().nullable(),
        }),
      ),
      orders: z.array(
        z.object({
          id: z.number().int(),
          orderNumber: z.string(),
          /** An order status code (`in_progress`), or '' when only a case has named the order so far. */
          status: z.string(),
          amountFen: z.number().int(),
        }),
      ),
    }),
  ),
  'payouts.batchApprove': method(batchApproveBodySchema, batchApproveResultSchema),
  /** Newest first page, then older pages with the returned cursor; offline: the cached messages, one page. */
  'chat.messages': method(
    caseRef.extend({ cursor: z.string().max(200).optional() }),
    staffSupportMessagePageSchema.extend({ offline: z.boolean() }),
  ),
  'chat.send': method(
    versioned.extend({
      content: text({ max: 5000, multiline: true }).default(''),
      fileIds: z.array(idSchema).max(10).default([]),
      cannedReplyId: idSchema.optional(),
    }),
    actionReceiptSchema,
    { outbox: true },
  ),
  'chat.note': method(
    versioned.extend({ content: text({ min: 1, max: 5000, multiline: true }) }),
    actionReceiptSchema,
    { outbox: true },
  ),
  'chat.markRead': method(caseRef.extend({ upToMessageId: idSchema }), okSchema),
  'chat.typing': method(caseRef, okSchema),
  'chat.unread': method(empty, supportUnreadSchema),
  /** The last message the customer can see of each of these support chats (the conversation list's preview). */
  'chat.previews': method(
    z.object({ caseIds: z.array(idSchema).max(SUPPORT_PREVIEW_MAX_CASES) }),
    supportPreviewsSchema,
  ),
  'cannedReplies.list': method(z.object({ q: text({ max: 50 }).optional() }), cannedReplyListSchema),
  'presence.view': method(caseRef, okSchema),
  'presence.leave': method(caseRef, okSchema),
  'outbox.list': method(empty, z.object({ items: z.array(outboxItemSchema) })),
  'outbox.retry': method(z.object({ id: idSchema }), outboxItemSchema),
  'outbox.dismiss': method(z.object({ id: idSchema }), okSchema),
  'users.context': method(z.object({ userId: idSchema }), customerContextSchema),
  /**
   * A stored file's bytes as a `data:` URL (chat images as thumbnails, attachments to save), from the core
   * with the staff member's sign-in; at most `FILE_CONTENT_MAX_BYTES`.
   */
  'files.content': method(
    z.object({ fileId: idSchema }),
    z.object({ contentType: z.string(), sizeBytes: z.number().int(), dataUrl: z.string() }),
  ),
  'users.reveal': method(
    z.object({ userId: idSchema, field: piiFieldSchema, reason: text({ min: 2, max: 200 }) }),
    revealResponseSchema,
  ),
  /** The drill-down pages (any member of staff; needs the core, no offline copy): one customer, one order. */
  'customers.get': method(z.object({ userId: idSchema }), customerPageSchema),
  'orders.get': method(z.object({ orderId: idSchema }), orderPageSchema),
  'stats.get': method(statsQuerySchema, statsResponseSchema),
  /** The ledger explorer (needs the core): one user's, order's or account's journals, newest first. */
  'ledger.transactions': method(ledgerTransactionsQuerySchema, ledgerTransactionPageSchema),
  'ledger.accounts': method(ledgerFilterSchema, ledgerAccountsResponseSchema),
  'audit.list': method(auditQuerySchema, auditPageSchema),
  'audit.verify': method(empty, auditVerificationSchema),
  'settings.get': method(empty, opsSettingsSchema),
  'settings.update': method(opsSettingsPatchSchema, opsSettingsSchema),
  /** Canned-reply management (`canned_replies.manage`; needs the core, never queued). */
  'cannedReplies.create': method(createCannedReplyBodySchema, cannedReplySchema),
  'cannedReplies.update': method(updateCannedReplyBodySchema.extend({ id: idSchema }), cannedReplySchema),
  'cannedReplies.delete': method(z.object({ id: idSchema }), okSchema),
  /**
   * Active colleagues to hand a case to (`cases.view`; needs the core): names, roles, online now; with
   * `kind`, only those who may handle that kind of case.
   */
  'staff.directory': method(staffDirectoryQuerySchema, staffDirectorySchema),
  /** Staff accounts and roles (`staff.manage`; needs the core, never queued). */
  'staff.list': method(empty, staffListSchema),
  'staff.create': method(createStaffBodySchema, staffMemberSchema),
  'staff.setRoles': method(setStaffRolesBodySchema.extend({ id: idSchema }), staffMemberSchema),
  'staff.disable': method(staffStateBodySchema.extend({ id: idSchema }), staffMemberSchema),
  'staff.enable': method(staffStateBodySchema.extend({ id: idSchema }), staffMemberSchema),
  /** Teams and their routing (`teams.manage`; needs the core, never queued). */
  'teams.list': method(empty, teamListSchema),
  'teams.create': method(createTeamBodySchema, teamSchema),
  'teams.update': method(z.object({ id: idSchema, team: updateTeamBodySchema }), teamSchema),
  /** My own online/away status (`cases.view`; needs the core: going away hands cases on). */
  'presence.get': method(empty, myPresenceSchema),
  'presence.set': method(presenceBodySchema, myPresenceSchema),
  /** Opens an allow-listed link (the API docs, the sandbox) in the system browser. */
  'app.openExternal': method(z.object({ url: z.url() }), okSchema),
} as const;

/** The largest file `files.content` passes to the page (a data: URL is a third larger again). */
export const FILE_CONTENT_MAX_BYTES = 8 * 1024 * 1024;

export type BridgeMethod = keyof typeof BRIDGE_METHODS;
/** What the renderer passes (defaults may be left out). */
export type BridgeArgs<M extends BridgeMethod> = z.input<(typeof BRIDGE_METHODS)[M]['args']>;
/** What the engine receives: the arguments after validation, defaults filled. */
export type BridgeCallArgs<M extends BridgeMethod> = z.output<(typeof BRIDGE_METHODS)[M]['args']>;
/** The methods stored in the outbox while the core cannot be reached (`outbox: true` above). */
export type OutboxMethod = {
  [M in BridgeMethod]: (typeof BRIDGE_METHODS)[M]['outbox'] extends true ? M : never;
}[BridgeMethod];
export const OUTBOX_METHODS = (Object.keys(BRIDGE_METHODS) as BridgeMethod[]).filter(
  (m): m is OutboxMethod => BRIDGE_METHODS[m].outbox,
);
export function isOutboxMethod(name: unknown): name is OutboxMethod {
  return typeof name === 'string' && (OUTBOX_METHODS as readonly string[]).includes(name);
}
export type BridgeResult<M extends BridgeMethod> = z.infer<(typeof BRIDGE_METHODS)[M]['result']>;

/** Engine → renderer. */
export const BRIDGE_EVENTS = {
  /** Cases the cache changed (upserted or removed); the renderer re-reads what it shows. */
  'cases.changed': z.object({ upserted: z.array(z.number().int()), removed: z.array(z.number().int()) }),
  'sync.status': syncStatusSchema,
  'outbox.changed': z.object({ items: z.array(outboxItemSchema) }),
  'chat.message': z.object({ caseId: z.number().int(), message: staffSupportMessageSchema }),
  'chat.typing': z.object({ caseId: z.number().int(), side: z.enum(['customer', 'agent']) }),
  /** A read marker of a support chat moved: `customer` read the agents' messages up to `upToMessageId` (or the agents did). */
  'chat.read': z.object({
    caseId: z.number().int(),
    side: z.enum(['customer', 'agent']),
    upToMessageId: z.number().int(),
  }),
  presence: presenceSchema,
  /** A member of staff set themselves online or away (the Teams screen and routing views re-read). */
  'team.presence': ROUTING_EVENTS['team.presence_changed'],
  'session.changed': consoleSessionSchema.nullable(),
  /** Badge figures (tray, window title, navigation): open cases assigned to me, unread support messages. */
  'counts.changed': z.object({ assignedOpen: z.number().int(), unreadChats: z.number().int() }),
  /** Something the person should notice now (an OS notification on desktop, a page notification in a browser). */
  notify: z.object({
    kind: z.enum(['case_assigned', 'chat_message', 'action_failed']),
    title: z.string(),
    body: z.string(),
    caseId: z.number().int().nullable(),
  }),
} as const;

export type BridgeEvent = keyof typeof BRIDGE_EVENTS;
export type BridgeEventPayload<E extends BridgeEvent> = z.infer<(typeof BRIDGE_EVENTS)[E]>;

/** What the preload script exposes (checked with `satisfies ConsoleBridge`) and the web host's client implements. */
export interface ConsoleBridge {
  call<M extends BridgeMethod>(method: M, args: BridgeArgs<M>): Promise<BridgeResult<M>>;
  on<E extends BridgeEvent>(event: E, listener: (payload: BridgeEventPayload<E>) => void): () => void;
}

/**
 * Browser mode: the web host's bridge WebSocket. The page offers `protocol` and `keyPrefix + <key>` as
 * subprotocols (the key comes from the address's fragment); a wrong key is closed with `closeBadKey`.
 * Frames: page → host `{t:'call', id, method, args}`; host → page `{t:'ready'}`, `{t:'reply', id, reply}`
 * and `{t:'event', event, payload}`.
 */
export const WEB_BRIDGE = {
  path: '/bridge',
  protocol: 'jiangxin.bridge.v1',
  keyPrefix: 'jiangxin.key.',
  closeBadKey: 4401,
} as const;

/**
 * How a call's outcome travels back over either transport (IPC or WebSocket): errors become a
 * `BridgeProblem` on the wire, because Electron's IPC keeps only the message of a thrown Error.
 */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; problem: BridgeProblem };

/** What `ConsoleBridge.call` rejects with: the engine's or the core's refusal, in both languages. */
export class BridgeCallError extends Error {
  constructor(readonly problem: BridgeProblem) {
    super(problem.message.en);
    this.name = 'BridgeCallError';
  }
  get code(): string {
    return this.problem.code;
  }
}

/** A problem the engine raises itself (no HTTP status). */
export function bridgeProblem(
  code: string,
  message: { zh: string; en: string },
  extra: Record<string, unknown> = {},
): BridgeProblem {
  return { code, status: null, message, extra };
}

export class BridgeContractError extends Error {
  constructor(
    message: string,
    readonly issues: { field: string; message: string }[],
  ) {
    super(message);
    this.name = 'BridgeContractError';
  }
}

export function isBridgeMethod(name: unknown): name is BridgeMethod {
  return typeof name === 'string' && Object.hasOwn(BRIDGE_METHODS, name);
}

/**
 * Validates a call arriving from the renderer (IPC or WebSocket): the method must exist and its
 * arguments must match, or a BridgeContractError names the problem. Returns the parsed arguments.
 */
export function parseBridgeCall(name: unknown, args: unknown): { method: BridgeMethod; args: unknown } {
  if (!isBridgeMethod(name)) throw new BridgeContractError(`unknown bridge method ${String(name)}`, []);
  const parsed = BRIDGE_METHODS[name].args.safeParse(args ?? {});
  if (!parsed.success)
    throw new BridgeContractError(
      `invalid arguments for ${name}`,
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(args)', message: i.message })),
    );
  return { method: name, args: parsed.data };
}
