import type { CaseFlag } from '@jiangxin/shared/ops/cases';
import type {
  CreateSupportConversationBody,
  PiiField,
  SendSupportMessageBody,
  SupportConversation,
  SupportMessage,
  SupportSenderKind,
} from '@jiangxin/shared/ops/support';
import { sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import type { Staff } from '../../platform/http/auth';
import { AppError, notFound } from '../../platform/http/problem';
import { appendAudit } from '../audit/chain';
import { changeCase, openCase } from '../cases/commands';
import { lockCase } from '../cases/queries';
import { assertFilesUsable } from '../files/queries';
import {
  agentUnread,
  type ConversationRow,
  chatOfCase,
  conversationOfUser,
  presentConversations,
  presentUserMessages,
  type SupportMessageRow,
  userUnread,
} from './queries';

const PREVIEW_CHARS = 50;
/** Arbitrary constant naming the advisory lock that keeps one open support conversation per user. */
const SUPPORT_USER_LOCK = 0x4a58_0005;

export function invalid(field: string, message: string, detail: { zh: string; en: string }): AppError {
  return new AppError('validation_failed', detail, undefined, [{ field, message }]);
}

/** A banned user whose access token has not expired yet is refused. */
async function assertUserActive(tx: Tx, userId: number): Promise<{ nickname: string }> {
  const user = await tx
    .selectFrom('users')
    .select(['status', 'nickname'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user || user.status === 'banned') throw new AppError('account_suspended');
  return user;
}

/** Locks the conversation row (always after its case, the order every writer uses). */
export async function lockConversation(tx: Tx, id: number): Promise<ConversationRow> {
  return tx
    .selectFrom('support_conversations')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
}

export interface NewSupportMessage {
  senderKind: SupportSenderKind;
  senderId: number | null;
  content: string;
  isNote?: boolean;
  fileIds?: readonly number[];
  cannedReplyId?: number | null;
}

function previewOf(content: string, files: number): string {
  if (!content && files > 0) return '[文件]';
  return [...content].slice(0, PREVIEW_CHARS).join('');
}

/**
 * Appends a support message in the caller's transaction: the conversation's last visible message and
 * activity time, the sender side's own read marker, and `support.message_created` (to the customer
 * unless it is a private note; staff consumers read every event).
 */
export async function appendSupportMessage(
  ctx: AppContext,
  tx: Tx,
  conversation: ConversationRow,
  message: NewSupportMessage,
): Promise<SupportMessageRow> {
  const now = ctx.now();
  const isNote = message.isNote ?? false;
  const row = await tx
    .insertInto('support_messages')
    .values({
      conversation_id: conversation.id,
      sender_kind: message.senderKind,
      sender_id: message.senderId,
      is_note: isNote,
      content: message.content,
      file_ids: [...(message.fileIds ?? [])],
      canned_reply_id: message.cannedReplyId ?? null,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // The agent side's marker is shown to the customer, so a private note moves it only up to the last
  // message the customer can see (a note's id there would reveal the note; see lastVisibleAtOrBefore).
  const marker =
    message.senderKind === 'user'
      ? { user_last_read_message_id: sql<number>`greatest(user_last_read_message_id, ${row.id}::bigint)` }
      : message.senderKind !== 'agent'
        ? {}
        : isNote
          ? {
              agent_last_read_message_id: sql<number>`greatest(agent_last_read_message_id, coalesce(last_message_id, 0))`,
            }
          : {
              agent_last_read_message_id: sql<number>`greatest(agent_last_read_message_id, ${row.id}::bigint)`,
            };
  await tx
    .updateTable('support_conversations')
    .set({
      ...(isNote ? {} : { last_message_id: row.id }),
      ...marker,
      updated_at: now,
    })
    .where('id', '=', conversation.id)
    .execute();
  await appendEvent(
    tx,
    'support.message_created',
    {
      aggregateType: 'support_conversation',
      aggregateId: conversation.id,
      audience: isNote ? [] : [conversation.user_id],
    },
    {
      caseId: conversation.case_id,
      conversationId: conversation.id,
      messageId: row.id,
      userId: conversation.user_id,
      senderKind: message.senderKind,
      senderId: message.senderId,
      isNote,
      preview: previewOf(message.content, row.file_ids.length),
    },
  );
  return row;
}

/**
 * A customer message moves the case back into the agents' hands: a resolved case is reopened (flag
 * `reopened`, back in the queue), a case waiting for the customer's answer becomes open again. A case
 * already open is left alone, so a chatty customer does not bump its version with every line.
 */
async function caseFollowsCustomer(ctx: AppContext, tx: Tx, conversation: ConversationRow): Promise<void> {
  const c = conversation.case_id === null ? undefined : await lockCase(tx, conversation.case_id);
  if (!c) return;
  if (c.status === 'resolved') {
    await changeCase(ctx, tx, c, null, 'reopened', {
      status: 'open',
      stage: 'awaiting_agent',
      flags: [...new Set([...(c.flags as CaseFlag[]), 'reopened' as const])],
      note: '用户在会话结束后再次留言',
    });
    await tx
      .updateTable('support_conversations')
      .set({ status: 'open' })
      .where('id', '=', conversation.id)
      .execute();
  } else if (c.status === 'waiting') {
    await changeCase(ctx, tx, c, null, 'customer_replied', { status: 'open', stage: 'awaiting_agent' });
  }
}

/**
 * `POST /support/conversations`: the customer asks for help. While they have an open conversation the
 * message joins it (created false); otherwise a new conversation opens with its `support_chat` case.
 */
export async function startConversation(
  ctx: AppContext,
  userId: number,
  body: CreateSupportConversationBody,
): Promise<{ conversation: SupportConversation; created: boolean }> {
  return ctx.db.transact(async (tx) => {
    const user = await assertUserActive(tx, userId);
    let orderNumber: string | null = null;
    if (body.orderId !== undefined) {
      const order = await tx
        .selectFrom('orders')
        .select(['order_number', 'client_id', 'freelancer_id'])
        .where('id', '=', body.orderId)
        .executeTakeFirst();
      if (!order || (order.client_id !== userId && order.freelancer_id !== userId))
        throw invalid('body.orderId', 'is not an order of yours', {
          zh: '订单不存在或不属于您',
          en: 'No such order of yours',
        });
      orderNumber = order.order_number;
    }
    const fileIds = body.fileIds ?? [];
    await assertFilesUsable(tx, userId, fileIds, { field: 'body.fileIds' });
    // Serializes this user's starts, so two taps never open two conversations.
    await sql`SELECT pg_advisory_xact_lock(${SUPPORT_USER_LOCK}, ${userId}::int)`.execute(tx);
    const open = await tx
      .selectFrom('support_conversations')
      .select(['id', 'case_id'])
      .where('user_id', '=', userId)
      .where('status', '=', 'open')
      .orderBy('id', 'desc')
      .executeTakeFirst();
    let created = false;
    let conversation: ConversationRow;
    if (open) {
      if (open.case_id !== null) await lockCase(tx, open.case_id);
      conversation = await lockConversation(tx, open.id);
      await caseFollowsCustomer(ctx, tx, conversation);
    } else {
      created = true;
      const now = ctx.now();
      const inserted = await tx
        .insertInto('support_conversations')
        .values({
          user_id: userId,
          subject: body.subject,
          order_id: body.orderId ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const username = await tx
        .selectFrom('users')
        .select('username')
        .where('id', '=', userId)
        .executeTakeFirstOrThrow();
      const summary = await openCase(ctx, tx, {
        kind: 'support_chat',
        subjectType: 'support_conversation',
        subjectId: inserted.id,
        userId,
        orderId: body.orderId ?? null,
        stage: 'awaiting_agent',
        title: body.subject,
        summary: {
          conversationId: inserted.id,
          subject: body.subject,
          customerNickname: user.nickname,
          orderNumber,
        },
        searchText: [user.nickname, username.username, orderNumber ?? ''].join(' '),
      });
      conversation = await tx
        .updateTable('support_conversations')
        .set({ case_id: summary.id })
        .where('id', '=', inserted.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    await appendSupportMessage(ctx, tx, conversation, {
      senderKind: 'user',
      senderId: userId,
      content: body.message,
      fileIds,
    });
    const fresh = await conversationOfUser(tx, userId, conversation.id);
    const [presented] = await presentConversations(tx, [fresh]);
    return { conversation: presented!, created };
  });
}

/** `POST /support/conversations/:id/messages`: the customer writes; a resolved chat reopens. */
export async function sendUserMessage(
  ctx: AppContext,
  userId: number,
  conversationId: number,
  body: SendSupportMessageBody,
): Promise<SupportMessage> {
  return ctx.db.transact(async (tx) => {
    const own = await conversationOfUser(tx, userId, conversationId);
    await assertUserActive(tx, userId);
    await assertFilesUsable(tx, userId, body.fileIds, { field: 'body.fileIds' });
    if (own.case_id !== null) await lockCase(tx, own.case_id);
    const conversation = await lockConversation(tx, own.id);
    await caseFollowsCustomer(ctx, tx, conversation);
    const row = await appendSupportMessage(ctx, tx, conversation, {
      senderKind: 'user',
      senderId: userId,
      content: body.content,
      fileIds: body.fileIds,
    });
    const [message] = await presentUserMessages(tx, [row]);
    return message!;
  });
}

async function assertMessageOf(
  tx: Tx,
  conversationId: number,
  messageId: number,
  visibleToUser: boolean,
): Promise<void> {
  let q = tx
    .selectFrom('support_messages')
    .select('id')
    .where('id', '=', messageId)
    .where('conversation_id', '=', conversationId);
  if (visibleToUser) q = q.where('is_note', '=', false);
  if (!(await q.executeTakeFirst()))
    throw invalid('body.upToMessageId', 'not a message of this conversation', {
      zh: '该消息不属于此会话',
      en: 'That message is not in this conversation',
    });
}

/** Moves one side's read marker forward (never back); a move emits `support.read` to the customer. */
async function moveMarker(
  tx: Tx,
  conversation: ConversationRow,
  side: 'user' | 'agent',
  readerId: number,
  upTo: number,
): Promise<{ moved: boolean; row: ConversationRow }> {
  const column = side === 'user' ? 'user_last_read_message_id' : 'agent_last_read_message_id';
  const moved = await tx
    .updateTable('support_conversations')
    .set({ [column]: upTo })
    .where('id', '=', conversation.id)
    .where(column, '<', upTo)
    .returningAll()
    .executeTakeFirst();
  if (moved)
    await appendEvent(
      tx,
      'support.read',
      {
        aggregateType: 'support_conversation',
        aggregateId: conversation.id,
        audience: [conversation.user_id],
      },
      {
        caseId: conversation.case_id,
        conversationId: conversation.id,
        userId: conversation.user_id,
        side,
        readerId,
        upToMessageId: upTo,
      },
    );
  return { moved: !!moved, row: moved ?? conversation };
}

/** `POST /support/conversations/:id/read`: the customer has read up to a message. */
export async function markUserRead(ctx: AppContext, userId: number, conversationId: number, upTo: number) {
  return ctx.db.transact(async (tx) => {
    const conversation = await conversationOfUser(tx, userId, conversationId);
    await assertMessageOf(tx, conversationId, upTo, true);
    const { row } = await moveMarker(tx, conversation, 'user', userId, upTo);
    return {
      conversationId,
      caseId: row.case_id,
      lastReadMessageId: row.user_last_read_message_id,
      unreadCount: await userUnread(tx, row),
    };
  });
}

/**
 * The agent side's marker as the customer may know it: the newest message the customer can see at or
 * before `upTo`. The marker is public (the customer's chat list shows it, `support.read` carries it), so it
 * must never rest on a private note: a note's id there would tell the customer a note exists, and when.
 * Customer messages are never notes, so the agent side's unread count is the same either way.
 */
async function lastVisibleAtOrBefore(tx: Tx, conversationId: number, upTo: number): Promise<number> {
  const row = await tx
    .selectFrom('support_messages')
    .select((eb) => eb.fn.max<number | null>('id').as('id'))
    .where('conversation_id', '=', conversationId)
    .where('is_note', '=', false)
    .where('id', '<=', upTo)
    .executeTakeFirst();
  return Number(row?.id ?? 0);
}

/** `POST /ops/support/conversations/:caseId/read`: the agent side has read up to a message (audited). */
export async function markAgentRead(ctx: AppContext, staff: Staff, caseId: number, upTo: number) {
  return ctx.db.transact(async (tx) => {
    const { conversation } = await chatOfCase(tx, caseId);
    await assertMessageOf(tx, conversation.id, upTo, false);
    const visible = await lastVisibleAtOrBefore(tx, conversation.id, upTo);
    // Reading is not a decision: the read receipt is an event, not an audit row (it would drown the log).
    const { row } = await moveMarker(tx, conversation, 'agent', staff.userId, visible);
    return {
      conversationId: conversation.id,
      caseId,
      lastReadMessageId: row.agent_last_read_message_id,
      unreadCount: await agentUnread(tx, row),
    };
  });
}

// ---------------------------------------------------------------------------------------------------
// Personal data

/** `POST /ops/users/:id/reveal` (pii.reveal): the clear value, with an audit row naming field and reason. */
export async function revealPersonalData(
  ctx: AppContext,
  staff: Staff,
  userId: number,
  field: PiiField,
  reason: string,
): Promise<{ userId: number; field: PiiField; value: string | null }> {
  return ctx.db.transact(async (tx) => {
    const user = await tx
      .selectFrom('users')
      .select(['phone', 'real_name', 'id_number'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user) throw notFound({ zh: '用户不存在', en: 'No such user' });
    // Opened before the audit row: a value that fails its integrity check is refused (and nothing is
    // recorded as revealed, since nothing was).
    const value =
      field === 'phone'
        ? ctx.pii.openOrNull('users.phone', user.phone)
        : field === 'realName'
          ? ctx.pii.openOrNull('users.real_name', user.real_name)
          : ctx.pii.openOrNull('users.id_number', user.id_number);
    await appendAudit(tx, ctx.now(), {
      actorId: staff.userId,
      action: 'pii.reveal',
      subjectType: 'user',
      subjectId: userId,
      data: { field, reason },
    });
    return { userId, field, value };
  });
}
