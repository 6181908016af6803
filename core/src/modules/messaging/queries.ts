import type { Conversation, Message } from '@jiangxin/shared/api/messaging';
import { type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { ConversationsTable, MessagesTable } from '../../platform/db/schema';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { notFound } from '../../platform/http/problem';
import { filesByIds } from '../files/queries';
import { bothLanguages } from '../human-text';

type ConversationRow = Selectable<ConversationsTable>;
type MessageRow = Selectable<MessagesTable>;

const noSuchConversation = () => notFound({ zh: '会话不存在', en: 'No such conversation' });

/**
 * The conversation if `userId` takes part in it; otherwise 404, the same as a missing one, so ids
 * cannot be probed.
 */
export async function conversationOf(
  db: ReadDb | Tx,
  userId: number,
  conversationId: number,
): Promise<ConversationRow> {
  const row = await db
    .selectFrom('conversations')
    .selectAll()
    .where('id', '=', conversationId)
    .where((eb) => eb.or([eb('user1_id', '=', userId), eb('user2_id', '=', userId)]))
    .executeTakeFirst();
  if (!row) throw noSuchConversation();
  return row;
}

const HIDDEN_MESSAGE = bothLanguages(
  { zh: '该消息因违反平台规则已被隐藏', en: 'This message was hidden for breaking the platform rules' },
  ' / ',
);

/** Messages as the API shows them, with their attached file, in the order given. */
export async function presentMessages(db: ReadDb | Tx, rows: readonly MessageRow[]): Promise<Message[]> {
  const files = await filesByIds(
    db,
    rows.flatMap((r) => (r.file_id === null ? [] : [r.file_id])),
  );
  // Messages staff took down (moderation `hidden_content`) keep their place but not their content.
  const hidden = rows.length
    ? new Set(
        (
          await db
            .selectFrom('hidden_content')
            .select('subject_id')
            .where('subject_type', '=', 'message')
            .where(
              'subject_id',
              'in',
              rows.map((r) => r.id),
            )
            .execute()
        ).map((h) => h.subject_id),
      )
    : new Set<number>();
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    senderId: r.sender_id,
    type: r.type,
    content: hidden.has(r.id) ? HIDDEN_MESSAGE : r.content,
    file: r.file_id === null ? null : (files.get(r.file_id) ?? null),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/**
 * A page of a conversation's messages, newest first, strictly older than `before` when given. Only
 * participants may read; others get 404.
 */
export async function listMessages(
  db: ReadDb,
  userId: number,
  conversationId: number,
  page: { before?: number | undefined; limit: number },
): Promise<{ items: Message[]; hasMore: boolean }> {
  await conversationOf(db, userId, conversationId);
  let q = db
    .selectFrom('messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.before !== undefined) q = q.where('id', '<', page.before);
  const rows = await q.execute();
  const hasMore = rows.length > page.limit;
  return { items: await presentMessages(db, rows.slice(0, page.limit)), hasMore };
}

/** Messages from the other side that `userId` has not read yet (newer than their read pointer). */
export async function unreadCount(db: ReadDb | Tx, userId: number, conversationId: number): Promise<number> {
  const row = await db
    .selectFrom('conversation_participants as p')
    .where('p.conversation_id', '=', conversationId)
    .where('p.user_id', '=', userId)
    .select((eb) =>
      eb
        .selectFrom('messages as m')
        .whereRef('m.conversation_id', '=', 'p.conversation_id')
        .whereRef('m.id', '>', 'p.last_read_message_id')
        .where('m.sender_id', '<>', userId)
        .select((e) => e.fn.countAll<number>().as('n'))
        .as('unread'),
    )
    .executeTakeFirst();
  return Number(row?.unread ?? 0);
}

/** Cursor of the conversation list: activity time in microseconds (exact in Postgres) and id. */
const activityCursor = z.tuple([z.number().int().nonnegative(), cursorId]);

const activityUs = sql<number>`floor(extract(epoch from c.updated_at) * 1000000)::bigint`;

/**
 * The user's conversations, newest activity first (a new message moves one to the top), each with its
 * participants, last message and the user's unread count. Keyset-paginated, so a page never repeats or
 * skips a conversation that did not move in between.
 */
export async function listConversations(
  db: ReadDb,
  userId: number,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: Conversation[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('conversation_participants as p')
    .innerJoin('conversations as c', 'c.id', 'p.conversation_id')
    .where('p.user_id', '=', userId)
    .selectAll('c')
    .select(activityUs.as('activity_us'))
    .orderBy('c.updated_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor) {
    const [us, id] = decodeCursor(page.cursor, 'conversations', activityCursor);
    q = q.where(sql<boolean>`(${activityUs}, c.id) < (${us}::bigint, ${id}::bigint)`);
  }
  const rows = await q.execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  const items = await presentConversations(db, userId, pageRows);
  return {
    items,
    nextCursor:
      rows.length > page.limit && last
        ? encodeCursor('conversations', [Number(last.activity_us), last.id])
        : null,
  };
}

/** One conversation as `userId` sees it (404 unless they take part). */
export async function getConversation(
  db: ReadDb | Tx,
  userId: number,
  conversationId: number,
): Promise<Conversation> {
  const row = await conversationOf(db, userId, conversationId);
  const [item] = await presentConversations(db, userId, [row]);
  return item!;
}

/** Conversations with nicknames, last messages and unread counts, each fetched once for the whole page. */
async function presentConversations(
  db: ReadDb | Tx,
  userId: number,
  rows: readonly ConversationRow[],
): Promise<Conversation[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const userIds = [...new Set(rows.flatMap((r) => [r.user1_id, r.user2_id]))];
  const lastIds = rows.flatMap((r) => (r.last_message_id === null ? [] : [r.last_message_id]));
  const [users, lastRows, unread] = await Promise.all([
    db.selectFrom('users').select(['id', 'nickname']).where('id', 'in', userIds).execute(),
    lastIds.length ? db.selectFrom('messages').selectAll().where('id', 'in', lastIds).execute() : [],
    db
      .selectFrom('conversation_participants as p')
      .where('p.user_id', '=', userId)
      .where('p.conversation_id', 'in', ids)
      .select((eb) => [
        'p.conversation_id',
        eb
          .selectFrom('messages as m')
          .whereRef('m.conversation_id', '=', 'p.conversation_id')
          .whereRef('m.id', '>', 'p.last_read_message_id')
          .where('m.sender_id', '<>', userId)
          .select((e) => e.fn.countAll<number>().as('n'))
          .as('unread'),
      ])
      .execute(),
  ]);
  const nick = new Map(users.map((u) => [u.id, u.nickname]));
  const lastMessages = new Map((await presentMessages(db, lastRows)).map((m) => [m.id, m]));
  const unreadBy = new Map(unread.map((u) => [u.conversation_id, Number(u.unread ?? 0)]));
  return rows.map((r) => ({
    id: r.id,
    participants: [r.user1_id, r.user2_id].map((id) => ({ id, nickname: nick.get(id) ?? '' })),
    orderId: r.order_id,
    serviceId: r.service_id,
    lastMessage: r.last_message_id === null ? null : (lastMessages.get(r.last_message_id) ?? null),
    unreadCount: unreadBy.get(r.id) ?? 0,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}
