import { CASE_PRIORITY_LABELS, CASE_TAGS_MAX, type CaseFlag, mergeTags } from '@jiangxin/shared/ops/cases';
import {
  type CannedReplyEffects,
  type CannedReplyVariable,
  renderTemplate,
  type SupportChatDetail,
  templateVariables,
} from '@jiangxin/shared/ops/support';
import type { Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { AppError } from '../../platform/http/problem';
import type { CaseRow } from '../cases/queries';
import type { CaseChange } from '../cases/registry';
import { defineCaseKind } from '../cases/registry';
import { assertFilesUsable } from '../files/queries';
import { assertKnownVariables } from './canned-replies';
import { appendSupportMessage, invalid, lockConversation } from './commands';
import { agentUnread, type ConversationRow, pageMessages, presentStaffMessages } from './queries';

/** The system line the customer sees when a chat is resolved. */
const RESOLVED_LINE = '本次咨询已结束。如仍有问题，直接回复即可再次联系客服。';

async function conversationOfCase(tx: Tx, c: CaseRow): Promise<ConversationRow> {
  return lockConversation(tx, c.subject_id);
}

/**
 * The text of a reply: the agent's own, or a canned reply's body (zh, or en when asked and present)
 * with `{{user.nickname}}`, `{{order.number}}` and `{{agent.nickname}}` filled in. Unknown variables
 * and variables this chat cannot fill (no order) are refused rather than shown to the customer.
 */
async function replyText(
  tx: Tx,
  conversation: ConversationRow,
  staff: Staff,
  body: { content?: string | undefined; cannedReplyId?: number | undefined; lang: 'zh' | 'en' },
): Promise<{ content: string; effects: CannedReplyEffects | null }> {
  if (body.cannedReplyId === undefined) return { content: body.content ?? '', effects: null };
  const canned = await tx
    .selectFrom('canned_replies')
    .selectAll()
    .where('id', '=', body.cannedReplyId)
    .executeTakeFirst();
  if (!canned)
    throw invalid('body.cannedReplyId', 'no such canned reply', {
      zh: '快捷回复不存在',
      en: 'No such canned reply',
    });
  const template = body.content || (body.lang === 'en' && canned.body_en ? canned.body_en : canned.body_zh);
  assertKnownVariables({ [body.content ? 'body.content' : 'body.cannedReplyId']: template });
  const used = templateVariables(template) as CannedReplyVariable[];
  const [customer, agent, order] = await Promise.all([
    tx
      .selectFrom('users')
      .select('nickname')
      .where('id', '=', conversation.user_id)
      .executeTakeFirstOrThrow(),
    tx.selectFrom('users').select('nickname').where('id', '=', staff.userId).executeTakeFirstOrThrow(),
    conversation.order_id === null
      ? undefined
      : tx
          .selectFrom('orders')
          .select('order_number')
          .where('id', '=', conversation.order_id)
          .executeTakeFirst(),
  ]);
  if (used.includes('order.number') && !order)
    throw new AppError(
      'canned_reply_variable_unavailable',
      {
        zh: '该会话没有关联订单，无法填入 {{order.number}}',
        en: 'This chat is not about an order, so {{order.number}} cannot be filled',
      },
      { variables: ['order.number'] },
      [{ field: 'body.cannedReplyId', message: 'uses {{order.number}} but the chat has no order' }],
    );
  const content = renderTemplate(template, {
    'user.nickname': customer.nickname,
    'agent.nickname': agent.nickname,
    ...(order ? { 'order.number': order.order_number } : {}),
  });
  const effects = { status: canned.set_status, priority: canned.set_priority, addTags: canned.add_tags };
  return { content, effects };
}

/**
 * Checks a macro's effects against the case now and returns the case change they make (merged into the
 * reply's own change), or throws with the reason; the caller has written nothing yet. Ending the chat is
 * refused while the customer has messages no agent has read: a macro must not close a question unseen.
 */
async function macroChange(
  tx: Tx,
  c: CaseRow,
  conversation: ConversationRow,
  effects: CannedReplyEffects,
): Promise<CaseChange> {
  const change: CaseChange = {};
  if (effects.status === 'resolved') {
    const unread = await agentUnread(tx, conversation);
    if (unread > 0)
      throw new AppError(
        'case_action_unavailable',
        {
          zh: `客户有 ${unread} 条未读消息，不能用此快捷回复直接结束会话；请先阅读`,
          en: `The customer has ${unread} unread message(s); read them before ending the chat with this macro`,
        },
        { caseId: c.id, action: 'reply' },
        [{ field: 'body.cannedReplyId', message: 'ends the chat while customer messages are unread' }],
      );
  }
  if (effects.priority !== null && effects.priority !== c.priority) change.priority = effects.priority;
  if (effects.addTags.length) {
    const tags = mergeTags(c.tags, effects.addTags);
    if (tags.length > CASE_TAGS_MAX)
      throw new AppError(
        'case_tags_too_many',
        {
          zh: `工单最多 ${CASE_TAGS_MAX} 个标签，此快捷回复会超出`,
          en: `A case has at most ${CASE_TAGS_MAX} tags; this macro would add too many`,
        },
        { caseId: c.id },
        [{ field: 'body.cannedReplyId', message: `would give the case more than ${CASE_TAGS_MAX} tags` }],
      );
    if (tags.length !== c.tags.length) change.tags = tags;
  }
  return change;
}

/** What a macro did, for the history line, the audit entry and the reply's result. */
function macroSummary(before: CaseRow, change: CaseChange, status: 'waiting' | 'resolved') {
  return {
    status,
    ...(change.priority !== undefined
      ? {
          priority: { from: before.priority, to: change.priority },
          priorityLabel: CASE_PRIORITY_LABELS[change.priority],
        }
      : {}),
    ...(change.tags ? { addedTags: change.tags.filter((t) => !before.tags.includes(t)) } : {}),
  };
}

async function endChat(
  ctx: Parameters<typeof appendSupportMessage>[0],
  tx: Tx,
  conversation: ConversationRow,
) {
  await tx
    .updateTable('support_conversations')
    .set({ status: 'resolved' })
    .where('id', '=', conversation.id)
    .execute();
  await appendSupportMessage(ctx, tx, conversation, {
    senderKind: 'system',
    senderId: null,
    content: RESOLVED_LINE,
  });
}

/** `support_chat`: reply (the customer sees it live), private note, resolve, reopen. */
export const supportChatCases = defineCaseKind('support_chat', {
  actions: {
    reply: {
      run: async (ctx, tx, c, staff, body) => {
        const conversation = await conversationOfCase(tx, c);
        const fileIds = body.fileIds ?? [];
        await assertFilesUsable(tx, staff.userId, fileIds, { field: 'body.fileIds' });
        const { content, effects } = await replyText(tx, conversation, staff, body);
        // A macro's effects are checked before anything is written, so a refused one sends nothing.
        const extra = effects ? await macroChange(tx, c, conversation, effects) : {};
        const row = await appendSupportMessage(ctx, tx, conversation, {
          senderKind: 'agent',
          senderId: staff.userId,
          content,
          fileIds,
          cannedReplyId: body.cannedReplyId ?? null,
        });
        if (effects?.status === 'resolved') {
          await endChat(ctx, tx, await lockConversation(tx, conversation.id));
          const macro = macroSummary(c, extra, 'resolved');
          return {
            ...extra,
            status: 'resolved',
            stage: 'resolved',
            outcome: 'resolved',
            data: { messageId: row.id, macro },
            result: { messageId: row.id, content, macro },
          };
        }
        const macro = effects ? macroSummary(c, extra, 'waiting') : undefined;
        return {
          ...extra,
          status: 'waiting',
          stage: 'awaiting_user',
          data: { messageId: row.id, ...(macro ? { macro } : {}) },
          result: { messageId: row.id, content, ...(macro ? { macro } : {}) },
        };
      },
    },
    note: {
      run: async (ctx, tx, c, staff, body) => {
        const conversation = await conversationOfCase(tx, c);
        const row = await appendSupportMessage(ctx, tx, conversation, {
          senderKind: 'agent',
          senderId: staff.userId,
          content: body.content,
          isNote: true,
        });
        return { data: { messageId: row.id }, result: { messageId: row.id } };
      },
    },
    resolve: {
      run: async (ctx, tx, c, _staff, body) => {
        const conversation = await conversationOfCase(tx, c);
        await endChat(ctx, tx, conversation);
        return { status: 'resolved', stage: 'resolved', outcome: 'resolved', note: body.note ?? '' };
      },
    },
    reopen: {
      onResolved: true,
      run: async (_ctx, tx, c, _staff, body) => {
        const conversation = await conversationOfCase(tx, c);
        await tx
          .updateTable('support_conversations')
          .set({ status: 'open' })
          .where('id', '=', conversation.id)
          .execute();
        return {
          status: 'open',
          stage: 'awaiting_agent',
          flags: [...new Set([...(c.flags as CaseFlag[]), 'reopened' as const])],
          note: body.note ?? '',
        };
      },
    },
  },
  detail: async (_ctx, db, c) => {
    const conversation = await db
      .selectFrom('support_conversations as sc')
      .innerJoin('users as u', 'u.id', 'sc.user_id')
      .leftJoin('orders as o', 'o.id', 'sc.order_id')
      .selectAll('sc')
      .select(['u.nickname as customer_nickname', 'o.order_number'])
      .where('sc.id', '=', c.subject_id)
      .executeTakeFirst();
    if (!conversation)
      return { tags: c.tags, conversation: null, messages: [], nextCursor: null } satisfies SupportChatDetail;
    const page = await pageMessages(db, conversation.id, { limit: 30 }, true);
    return {
      tags: c.tags,
      conversation: {
        id: conversation.id,
        subject: conversation.subject,
        status: conversation.status,
        customer: { id: conversation.user_id, nickname: conversation.customer_nickname },
        orderId: conversation.order_id,
        orderNumber: conversation.order_number,
        userLastReadMessageId: conversation.user_last_read_message_id,
        agentLastReadMessageId: conversation.agent_last_read_message_id,
        unread: await agentUnread(db, conversation),
      },
      messages: await presentStaffMessages(db, page.rows),
      nextCursor: page.nextCursor,
    } satisfies SupportChatDetail;
  },
});
