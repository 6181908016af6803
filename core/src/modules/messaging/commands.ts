import type {
  Conversation,
  CreateConversationBody,
  Message,
  MessageType,
  ReadState,
  SendMessageBody,
} from '@jiangxin/shared/api/messaging';
import { type Selectable, sql } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import type { ConversationsTable, MessagesTable } from '../../platform/db/schema';
import { appendEvent } from '../../platform/events/outbox';
import { AppError, notFound } from '../../platform/http/problem';
import { assertFilesUsable } from '../files/queries';
import { conversationOf, getConversation, presentMessages, unreadCount } from './queries';

type ConversationRow = Selectable<ConversationsTable>;
type MessageRow = Selectable<MessagesTable>;

const PREVIEW_CHARS = 50;

function invalid(field: string, message: string, detail: { zh: string; en: string }): AppError {
  return new AppError('validation_failed', detail, undefined, [{ field, message }]);
}

/** Refuses when `userId` is banned: nobody may start or continue a conversation with them. */
async function assertContactable(tx: Tx, userId: number): Promise<void> {
  const user = await tx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  if (!user) throw notFound({ zh: '用户不存在', en: 'No such user' });
  if (user.status === 'banned') {
    throw new AppError('recipient_unavailable', {
      zh: '该用户已被封禁，无法联系',
      en: 'This user is banned and cannot be contacted',
    });
  }
}

/** A banned sender whose access token has not expired yet is refused too. */
async function assertSenderActive(tx: Tx, userId: number): Promise<void> {
  const user = await tx.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  if (!user || user.status === 'banned') throw new AppError('account_suspended');
}

/**
 * The pair's conversation (per order when `orderId` is set), created with both participants when it
 * does not exist yet. Safe under concurrency: the unique (pair, order) index decides, and a loser of the
 * race reads the winner's row. Mentioning a service moves a direct conversation's context to it.
 * Runs in the caller's transaction so orders can open their conversation with the order itself.
 */
export async function getOrCreateConversation(
  tx: Tx,
  now: Date,
  input: { userA: number; userB: number; orderId?: number | null; serviceId?: number | null },
): Promise<{ row: ConversationRow; created: boolean }> {
  const [user1, user2] = input.userA < input.userB ? [input.userA, input.userB] : [input.userB, input.userA];
  const orderId = input.orderId ?? null;
  const serviceId = input.serviceId ?? null;
  const inserted = await tx
    .insertInto('conversations')
    .values({
      user1_id: user1,
      user2_id: user2,
      order_id: orderId,
      service_id: serviceId,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.expression(sql`user1_id, user2_id, coalesce(order_id, 0)`).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) {
    await tx
      .insertInto('conversation_participants')
      .values([
        { conversation_id: inserted.id, user_id: user1 },
        { conversation_id: inserted.id, user_id: user2 },
      ])
      .onConflict((oc) => oc.columns(['conversation_id', 'user_id']).doNothing())
      .execute();
    return { row: inserted, created: true };
  }
  let existing = await tx
    .selectFrom('conversations')
    .selectAll()
    .where('user1_id', '=', user1)
    .where('user2_id', '=', user2)
    .where(sql<boolean>`coalesce(order_id, 0) = ${orderId ?? 0}`)
    .executeTakeFirstOrThrow();
  if (serviceId !== null && orderId === null && existing.service_id !== serviceId) {
    existing = await tx
      .updateTable('conversations')
      .set({ service_id: serviceId })
      .where('id', '=', existing.id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  return { row: existing, created: false };
}

/** What `appendMessage` stores: text, or an image/file already checked to be usable by the sender. */
export interface NewMessage {
  senderId: number;
  type: MessageType;
  content: string;
  fileId?: number | null;
}

function previewOf(type: MessageType, content: string): string {
  if (type === 'image') return '[图片]';
  if (type === 'file') return '[文件]';
  return [...content].slice(0, PREVIEW_CHARS).join('');
}

/**
 * Appends a message in the caller's transaction and keeps everything that depends on it consistent in
 * that same transaction: the conversation's last message and activity time, the sender's own read
 * pointer (you have read what you wrote) and the `message.created` event for both participants. The
 * pointers only move forward, so concurrent senders cannot move them back.
 */
export async function appendMessage(
  tx: Tx,
  now: Date,
  conversation: Pick<ConversationRow, 'id' | 'user1_id' | 'user2_id'>,
  message: NewMessage,
): Promise<MessageRow> {
  const row = await tx
    .insertInto('messages')
    .values({
      conversation_id: conversation.id,
      sender_id: message.senderId,
      type: message.type,
      content: message.content,
      file_id: message.fileId ?? null,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await tx
    .updateTable('conversations')
    .set({
      last_message_id: sql<number>`greatest(coalesce(last_message_id, 0), ${row.id}::bigint)`,
      updated_at: sql<Date>`greatest(updated_at, ${now}::timestamptz)`,
    })
    .where('id', '=', conversation.id)
    .execute();
  await tx
    .updateTable('conversation_participants')
    .set({ last_read_message_id: sql<number>`greatest(last_read_message_id, ${row.id}::bigint)` })
    .where('conversation_id', '=', conversation.id)
    .where('user_id', '=', message.senderId)
    .execute();
  await appendEvent(
    tx,
    'message.created',
    {
      aggregateType: 'conversation',
      aggregateId: conversation.id,
      audience: [conversation.user1_id, conversation.user2_id],
    },
    {
      conversationId: conversation.id,
      messageId: row.id,
      senderId: message.senderId,
      type: message.type,
      preview: previewOf(message.type, message.content),
    },
  );
  return row;
}

/**
 * `POST /conversations`: the caller's conversation with `participantId` (per order when `orderId` is
 * given, and then only between the order's client and freelancer), created if needed, optionally with
 * a first text message. Nobody talks to themselves or to a banned user.
 */
export async function openConversation(
  ctx: AppContext,
  userId: number,
  body: CreateConversationBody,
): Promise<{ conversation: Conversation; created: boolean }> {
  if (body.participantId === userId) {
    throw invalid('body.participantId', 'must be someone else', {
      zh: '不能和自己发起会话',
      en: 'You cannot start a conversation with yourself',
    });
  }
  const now = ctx.now();
  return ctx.db.transact(async (tx) => {
    await assertSenderActive(tx, userId);
    await assertContactable(tx, body.participantId);
    let serviceId = body.serviceId ?? null;
    if (body.orderId !== undefined) {
      const order = await tx
        .selectFrom('orders')
        .select(['client_id', 'freelancer_id', 'service_id'])
        .where('id', '=', body.orderId)
        .executeTakeFirst();
      if (!order || (order.client_id !== userId && order.freelancer_id !== userId)) {
        throw notFound({ zh: '订单不存在', en: 'No such order' });
      }
      const other = order.client_id === userId ? order.freelancer_id : order.client_id;
      if (body.participantId !== other) {
        throw invalid('body.participantId', 'must be the other party of the order', {
          zh: '订单会话只能在订单双方之间进行',
          en: "An order's conversation is between its client and freelancer only",
        });
      }
      if (serviceId !== null && serviceId !== order.service_id) {
        throw invalid('body.serviceId', "must be the order's service", {
          zh: '服务与订单不符',
          en: "The service is not the order's service",
        });
      }
      serviceId = order.service_id;
    } else if (serviceId !== null) {
      const service = await tx
        .selectFrom('services')
        .select('freelancer_id')
        .where('id', '=', serviceId)
        .executeTakeFirst();
      if (!service || (service.freelancer_id !== userId && service.freelancer_id !== body.participantId)) {
        throw invalid('body.serviceId', 'must be a service of one of the participants', {
          zh: '服务不存在或不属于会话双方',
          en: 'No such service between these two users',
        });
      }
    }
    const { row, created } = await getOrCreateConversation(tx, now, {
      userA: userId,
      userB: body.participantId,
      orderId: body.orderId ?? null,
      serviceId,
    });
    if (body.message !== undefined) {
      await appendMessage(tx, now, row, { senderId: userId, type: 'text', content: body.message });
    }
    return { conversation: await getConversation(tx, userId, row.id), created };
  });
}

/**
 * `POST /conversations/:id/messages`: a text, image or file message from a participant. Attached files
 * must be the sender's own uploads, and an image message needs an image. All checks run before anything
 * is written; the write is `appendMessage`, one transaction.
 */
export async function sendMessage(
  ctx: AppContext,
  userId: number,
  conversationId: number,
  body: SendMessageBody,
): Promise<Message> {
  const now = ctx.now();
  return ctx.db.transact(async (tx) => {
    const conversation = await conversationOf(tx, userId, conversationId);
    await assertSenderActive(tx, userId);
    await assertContactable(
      tx,
      conversation.user1_id === userId ? conversation.user2_id : conversation.user1_id,
    );
    let fileId: number | null = null;
    if (body.type !== 'text') {
      const [file] = await assertFilesUsable(tx, userId, [body.fileId], { field: 'body.fileId' });
      if (body.type === 'image' && !file!.contentType.startsWith('image/')) {
        throw new AppError(
          'file_type_not_allowed',
          {
            zh: `图片消息需要图片文件，而该文件是 ${file!.contentType}`,
            en: `An image message needs an image file; this one is ${file!.contentType}`,
          },
          undefined,
          [{ field: 'body.fileId', message: 'must be an image (image/*)' }],
        );
      }
      fileId = body.fileId;
    }
    const row = await appendMessage(tx, now, conversation, {
      senderId: userId,
      type: body.type,
      content: body.content,
      fileId,
    });
    const [message] = await presentMessages(tx, [row]);
    return message!;
  });
}

/**
 * `POST /conversations/:id/read`: moves the caller's read pointer up to a message of this conversation,
 * never backwards. A move appends `conversation.read` for both participants (the other side shows
 * "read"); repeating or going back changes nothing and emits nothing.
 */
export async function markRead(
  ctx: AppContext,
  userId: number,
  conversationId: number,
  upToMessageId: number,
): Promise<ReadState> {
  return ctx.db.transact((tx) => markReadInTx(tx, userId, conversationId, upToMessageId));
}

/** `markRead` in the caller's transaction: the demo seed marks a batch of chats read per transaction. */
export async function markReadInTx(
  tx: Tx,
  userId: number,
  conversationId: number,
  upToMessageId: number,
): Promise<ReadState> {
  const conversation = await conversationOf(tx, userId, conversationId);
  const message = await tx
    .selectFrom('messages')
    .select('id')
    .where('id', '=', upToMessageId)
    .where('conversation_id', '=', conversationId)
    .executeTakeFirst();
  if (!message) {
    throw invalid('body.upToMessageId', 'not a message of this conversation', {
      zh: '该消息不属于此会话',
      en: 'That message is not in this conversation',
    });
  }
  const moved = await tx
    .updateTable('conversation_participants')
    .set({ last_read_message_id: upToMessageId })
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .where('last_read_message_id', '<', upToMessageId)
    .returning('last_read_message_id')
    .executeTakeFirst();
  if (moved) {
    await appendEvent(
      tx,
      'conversation.read',
      {
        aggregateType: 'conversation',
        aggregateId: conversationId,
        audience: [conversation.user1_id, conversation.user2_id],
      },
      { conversationId, userId, upToMessageId },
    );
  }
  const pointer = await tx
    .selectFrom('conversation_participants')
    .select('last_read_message_id')
    .where('conversation_id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return {
    conversationId,
    lastReadMessageId: pointer.last_read_message_id,
    unreadCount: await unreadCount(tx, userId, conversationId),
  };
}
