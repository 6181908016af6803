import {
  type CannedReply,
  type CustomerContext,
  maskIdNumber,
  maskPhone,
  maskRealName,
  type StaffSupportMessage,
  type SupportConversation,
  type SupportMessage,
} from '@jiangxin/shared/ops/support';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Database } from '../../platform/db/schema';
import type { Staff } from '../../platform/http/auth';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { notFound } from '../../platform/http/problem';
import type { CaseRow } from '../cases/queries';
import { getCaseRow, visibleKinds } from '../cases/queries';
import { filesByIds } from '../files/queries';
import { getWallet } from '../ledger/queries';

export type ConversationRow = Selectable<Database['support_conversations']>;
export type SupportMessageRow = Selectable<Database['support_messages']>;
export type CannedReplyRow = Selectable<Database['canned_replies']>;

const iso = (d: Date | string) => new Date(d).toISOString();
const noSuchConversation = () => notFound({ zh: '会话不存在', en: 'No such conversation' });

/** The customer's own conversation, or 404 (the same as a missing one, so ids cannot be probed). */
export async function conversationOfUser(
  db: ReadDb | Tx,
  userId: number,
  conversationId: number,
): Promise<ConversationRow> {
  const row = await db
    .selectFrom('support_conversations')
    .selectAll()
    .where('id', '=', conversationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw noSuchConversation();
  return row;
}

/** The support case by id with its conversation, or 404 (other kinds of case are not chats). */
export async function chatOfCase(
  db: ReadDb | Tx,
  caseId: number,
): Promise<{ caseRow: CaseRow; conversation: ConversationRow }> {
  const caseRow = await getCaseRow(db, caseId);
  const conversation =
    caseRow?.kind === 'support_chat'
      ? await db
          .selectFrom('support_conversations')
          .selectAll()
          .where('id', '=', caseRow.subject_id)
          .executeTakeFirst()
      : undefined;
  if (!caseRow || !conversation) throw notFound({ zh: '客服会话不存在', en: 'No such support chat' });
  return { caseRow, conversation };
}

/** Messages as staff see them (notes included), in the order given. */
export async function presentStaffMessages(
  db: ReadDb | Tx,
  rows: readonly SupportMessageRow[],
): Promise<StaffSupportMessage[]> {
  if (rows.length === 0) return [];
  const senderIds = [...new Set(rows.flatMap((r) => (r.sender_id === null ? [] : [r.sender_id])))];
  const [users, files] = await Promise.all([
    senderIds.length
      ? db.selectFrom('users').select(['id', 'nickname']).where('id', 'in', senderIds).execute()
      : [],
    filesByIds(
      db,
      rows.flatMap((r) => r.file_ids),
    ),
  ]);
  const nick = new Map(users.map((u) => [u.id, u.nickname]));
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversation_id,
    senderKind: r.sender_kind,
    sender: r.sender_id === null ? null : { id: r.sender_id, nickname: nick.get(r.sender_id) ?? '' },
    content: r.content,
    files: r.file_ids.flatMap((id) => {
      const f = files.get(id);
      return f ? [f] : [];
    }),
    createdAt: iso(r.created_at),
    isNote: r.is_note,
    cannedReplyId: r.canned_reply_id,
  }));
}

/** Messages as the customer sees them: never a note, and nothing staff-internal. */
export async function presentUserMessages(
  db: ReadDb | Tx,
  rows: readonly SupportMessageRow[],
): Promise<SupportMessage[]> {
  const visible = rows.filter((r) => !r.is_note);
  return (await presentStaffMessages(db, visible)).map(
    ({ isNote: _n, cannedReplyId: _c, ...message }) => message,
  );
}

const messageCursor = z.tuple([cursorId]);

/** A page of a conversation's messages, newest first; `withNotes` only for staff. */
export async function pageMessages(
  db: ReadDb,
  conversationId: number,
  page: { cursor?: string | undefined; limit: number },
  withNotes: boolean,
): Promise<{ rows: SupportMessageRow[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('support_messages')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (!withNotes) q = q.where('is_note', '=', false);
  if (page.cursor) {
    const [before] = decodeCursor(page.cursor, `support_messages:${conversationId}`, messageCursor);
    q = q.where('id', '<', before);
  }
  const rows = await q.execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  return {
    rows: pageRows,
    nextCursor:
      rows.length > page.limit && last ? encodeCursor(`support_messages:${conversationId}`, [last.id]) : null,
  };
}

/** Agent and system messages (never notes) after the customer's read marker. */
export async function userUnread(db: ReadDb | Tx, c: ConversationRow): Promise<number> {
  const row = await db
    .selectFrom('support_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('conversation_id', '=', c.id)
    .where('sender_kind', '<>', 'user')
    .where('is_note', '=', false)
    .where('id', '>', c.user_last_read_message_id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Customer messages after the agent side's read marker. */
export async function agentUnread(db: ReadDb | Tx, c: ConversationRow): Promise<number> {
  const row = await db
    .selectFrom('support_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('conversation_id', '=', c.id)
    .where('sender_kind', '=', 'user')
    .where('id', '>', c.agent_last_read_message_id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Conversations as their customer sees them. */
export async function presentConversations(
  db: ReadDb | Tx,
  rows: readonly ConversationRow[],
): Promise<SupportConversation[]> {
  const lastIds = rows.flatMap((r) => (r.last_message_id === null ? [] : [r.last_message_id]));
  const lastRows = lastIds.length
    ? await db.selectFrom('support_messages').selectAll().where('id', 'in', lastIds).execute()
    : [];
  const last = new Map((await presentUserMessages(db, lastRows)).map((m) => [m.id, m]));
  return Promise.all(
    rows.map(async (r) => ({
      id: r.id,
      subject: r.subject,
      orderId: r.order_id,
      status: r.status,
      lastMessage: r.last_message_id === null ? null : (last.get(r.last_message_id) ?? null),
      unreadCount: await userUnread(db, r),
      agentLastReadMessageId: r.agent_last_read_message_id,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
    })),
  );
}

const conversationCursor = z.tuple([cursorId]);

/** The customer's support conversations, newest first. */
export async function listUserConversations(
  db: ReadDb,
  userId: number,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: SupportConversation[]; nextCursor: string | null }> {
  let q = db
    .selectFrom('support_conversations')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.cursor) {
    const [before] = decodeCursor(page.cursor, 'support_conversations', conversationCursor);
    q = q.where('id', '<', before);
  }
  const rows = await q.execute();
  const pageRows = rows.slice(0, page.limit);
  const last = pageRows.at(-1);
  return {
    items: await presentConversations(db, pageRows),
    nextCursor: rows.length > page.limit && last ? encodeCursor('support_conversations', [last.id]) : null,
  };
}

/** Per live support case the staff member holds: customer messages they have not read yet. */
export async function unreadForAgent(
  db: ReadDb,
  staffId: number,
): Promise<{ total: number; items: { caseId: number; conversationId: number; unread: number }[] }> {
  const rows = await db
    .selectFrom('cases as c')
    .innerJoin('support_conversations as sc', 'sc.id', 'c.subject_id')
    .leftJoin('support_messages as m', (join) =>
      join
        .onRef('m.conversation_id', '=', 'sc.id')
        .on('m.sender_kind', '=', 'user')
        .onRef('m.id', '>', 'sc.agent_last_read_message_id'),
    )
    .select((eb) => ['c.id as case_id', 'sc.id as conversation_id', eb.fn.count<number>('m.id').as('unread')])
    .where('c.kind', '=', 'support_chat')
    .where('c.subject_type', '=', 'support_conversation')
    .where('c.assignee_id', '=', staffId)
    .where('c.status', '<>', 'resolved')
    .groupBy(['c.id', 'sc.id'])
    .orderBy('c.id')
    .execute();
  const items = rows.map((r) => ({
    caseId: r.case_id,
    conversationId: r.conversation_id,
    unread: Number(r.unread),
  }));
  return { total: items.reduce((s, i) => s + i.unread, 0), items };
}

/** The last message the customer can see of each support chat among `caseIds` (notes never count). */
export async function lastMessagesOfCases(
  db: ReadDb,
  caseIds: readonly number[],
): Promise<{ caseId: number; lastMessage: SupportMessage }[]> {
  if (caseIds.length === 0) return [];
  const rows = await db
    .selectFrom('cases as c')
    .innerJoin('support_conversations as sc', 'sc.id', 'c.subject_id')
    .innerJoin('support_messages as m', 'm.id', 'sc.last_message_id')
    .selectAll('m')
    .select('c.id as case_id')
    .where('c.id', 'in', [...caseIds])
    .where('c.kind', '=', 'support_chat')
    .where('c.subject_type', '=', 'support_conversation')
    .orderBy('c.id')
    .execute();
  const messages = new Map((await presentUserMessages(db, rows)).map((m) => [m.id, m]));
  return rows.flatMap((r) => {
    const lastMessage = messages.get(r.id);
    return lastMessage ? [{ caseId: r.case_id, lastMessage }] : [];
  });
}

export function toCannedReply(r: CannedReplyRow): CannedReply {
  return {
    id: r.id,
    title: r.title,
    bodyZh: r.body_zh,
    bodyEn: r.body_en,
    shortcut: r.shortcut,
    effects: { status: r.set_status, priority: r.set_priority, addTags: r.add_tags },
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export async function listCannedReplies(db: ReadDb, q?: string): Promise<CannedReply[]> {
  let query = db.selectFrom('canned_replies').selectAll().orderBy('id').limit(500);
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, '\\$&')}%`;
    query = query.where((eb) =>
      eb.or([eb('title', 'ilike', like), eb('shortcut', 'ilike', like), eb('body_zh', 'ilike', like)]),
    );
  }
  return (await query.execute()).map(toCannedReply);
}

const noSuchUser = () => notFound({ zh: '用户不存在', en: 'No such user' });

/**
 * The chat screen's sidebar: profile (personal data always masked), recent orders, wallet and past
 * cases. Cases of kinds the caller may not open show without their title.
 */
export async function customerContext(
  db: ReadDb,
  pii: PiiKeyring,
  staff: Staff,
  userId: number,
): Promise<CustomerContext> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw noSuchUser();
  const [orders, wallet, cases] = await Promise.all([
    db
      .selectFrom('orders as o')
      .innerJoin('users as cu', 'cu.id', 'o.client_id')
      .innerJoin('users as fu', 'fu.id', 'o.freelancer_id')
      .select([
        'o.id',
        'o.order_number',
        'o.status',
        'o.amount_fen',
        'o.service_title',
        'o.client_id',
        'o.freelancer_id',
        'o.created_at',
        'cu.nickname as client_nickname',
        'fu.nickname as freelancer_nickname',
      ])
      .where((eb) => eb.or([eb('o.client_id', '=', userId), eb('o.freelancer_id', '=', userId)]))
      .orderBy('o.id', 'desc')
      .limit(10)
      .execute(),
    getWallet(db, userId),
    db
      .selectFrom('cases')
      .select(['id', 'kind', 'status', 'outcome', 'title', 'created_at', 'resolved_at'])
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .limit(20)
      .execute(),
  ]);
  const visible = visibleKinds(staff) as string[];
  return {
    profile: {
      id: user.id,
      username: user.username,
      nickname: user.nickname,
      status: user.status,
      isClient: user.is_client,
      isFreelancer: user.is_freelancer,
      createdAt: iso(user.created_at),
      realNameStatus: user.real_name_status,
      // Opened only to be masked here; the clear value is for the audited reveal.
      phone: user.phone === null ? null : maskPhone(pii.open('users.phone', user.phone)),
      phoneVerified: user.phone_verified,
      realName: user.real_name === null ? null : maskRealName(pii.open('users.real_name', user.real_name)),
      idNumber: user.id_number === null ? null : maskIdNumber(pii.open('users.id_number', user.id_number)),
    },
    orders: orders.map((o) => {
      const asClient = o.client_id === userId;
      return {
        id: o.id,
        orderNumber: o.order_number,
        status: o.status,
        amountFen: o.amount_fen,
        serviceTitle: o.service_title,
        role: asClient ? ('client' as const) : ('freelancer' as const),
        counterpart: asClient
          ? { id: o.freelancer_id, nickname: o.freelancer_nickname }
          : { id: o.client_id, nickname: o.client_nickname },
        createdAt: iso(o.created_at),
      };
    }),
    wallet: {
      availableFen: wallet.availableFen,
      payoutPendingFen: wallet.payoutPendingFen,
      escrowAsClientFen: wallet.frozenFen,
    },
    cases: cases.map((c) => ({
      id: c.id,
      kind: c.kind as CaseRow['kind'],
      status: c.status,
      outcome: c.outcome,
      title: visible.includes(c.kind) ? c.title : null,
      createdAt: iso(c.created_at),
      resolvedAt: c.resolved_at === null ? null : iso(c.resolved_at),
    })),
  };
}
