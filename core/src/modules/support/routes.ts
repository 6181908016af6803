import { idParamSchema, okSchema } from '@jiangxin/shared/api/common';
import {
  cannedReplyListQuerySchema,
  cannedReplyListSchema,
  cannedReplySchema,
  caseIdParamSchema,
  createCannedReplyBodySchema,
  createSupportConversationBodySchema,
  customerContextSchema,
  revealBodySchema,
  revealResponseSchema,
  sendSupportMessageBodySchema,
  staffSupportMessagePageSchema,
  supportConversationPageSchema,
  supportConversationSchema,
  supportMessagePageSchema,
  supportMessageSchema,
  supportPageQuerySchema,
  supportPreviewsQuerySchema,
  supportPreviewsSchema,
  supportReadBodySchema,
  supportReadStateSchema,
  supportUnreadSchema,
  updateCannedReplyBodySchema,
} from '@jiangxin/shared/ops/support';
import type { AppContext } from '../../platform/context';
import { requireStaff, requireUser } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { createCannedReply, deleteCannedReply, updateCannedReply } from './canned-replies';
import {
  markAgentRead,
  markUserRead,
  revealPersonalData,
  sendUserMessage,
  startConversation,
} from './commands';
import {
  chatOfCase,
  conversationOfUser,
  customerContext,
  lastMessagesOfCases,
  listCannedReplies,
  listUserConversations,
  pageMessages,
  presentStaffMessages,
  presentUserMessages,
  unreadForAgent,
} from './queries';

const userTags = ['support'];
const opsTags = ['ops: support'];
const security = [{ bearer: [] }];

/**
 * Support chats for marketplace users (`/support/…`) and the staff side (`/ops/support/…`, canned
 * replies, customer context, personal-data reveal). Replying, notes, resolving and reopening are the
 * `support_chat` case's actions (`POST /ops/cases/:id/perform/:action`); transfer is the cases module's
 * assign.
 */
export async function registerSupportRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  // ---- The customer's side --------------------------------------------------------------------
  app.post(
    '/support/conversations',
    {
      schema: {
        tags: userTags,
        security,
        summary: '联系客服 Ask support',
        description:
          'Opens a support conversation (201) with its first message and a `support_chat` case. While the caller already has an open one, the message is added to it instead (200). `orderId` must be an order of the caller.',
        body: createSupportConversationBodySchema,
        response: { 200: supportConversationSchema, 201: supportConversationSchema },
      },
    },
    async (req, reply) => {
      const { conversation, created } = await startConversation(ctx, requireUser(req).userId, req.body);
      return reply.status(created ? 201 : 200).send(conversation);
    },
  );

  app.get(
    '/support/conversations',
    {
      schema: {
        tags: userTags,
        security,
        summary: '我的客服会话 My support conversations',
        querystring: supportPageQuerySchema,
        response: { 200: supportConversationPageSchema },
      },
    },
    async (req) => listUserConversations(ctx.db.read, requireUser(req).userId, req.query),
  );

  app.get(
    '/support/conversations/:id/messages',
    {
      schema: {
        tags: userTags,
        security,
        summary: '客服会话消息 Messages of my support conversation',
        description: 'Newest first; `nextCursor` pages to older ones. Staff-internal notes are never shown.',
        params: idParamSchema,
        querystring: supportPageQuerySchema,
        response: { 200: supportMessagePageSchema },
      },
    },
    async (req) => {
      const { userId } = requireUser(req);
      const conversation = await conversationOfUser(ctx.db.read, userId, req.params.id);
      const page = await pageMessages(ctx.db.read, conversation.id, req.query, false);
      return { items: await presentUserMessages(ctx.db.read, page.rows), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/support/conversations/:id/messages',
    {
      schema: {
        tags: userTags,
        security,
        summary: '给客服发消息 Write to support',
        description:
          'Text and/or attachments (your own uploads). Writing to a resolved conversation reopens it.',
        params: idParamSchema,
        body: sendSupportMessageBodySchema,
        response: { 201: supportMessageSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await sendUserMessage(ctx, requireUser(req).userId, req.params.id, req.body)),
  );

  app.post(
    '/support/conversations/:id/read',
    {
      schema: {
        tags: userTags,
        security,
        summary: '标记客服消息已读 Mark support messages read',
        params: idParamSchema,
        body: supportReadBodySchema,
        response: { 200: supportReadStateSchema },
      },
    },
    async (req) => markUserRead(ctx, requireUser(req).userId, req.params.id, req.body.upToMessageId),
  );

  // ---- The staff side ---------------------------------------------------------------------------
  app.get(
    '/ops/support/conversations/:caseId/messages',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '客服会话消息（含内部备注） Messages of a support chat, private notes included',
        params: caseIdParamSchema,
        querystring: supportPageQuerySchema,
        response: { 200: staffSupportMessagePageSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'support.chat');
      const { conversation } = await chatOfCase(ctx.db.read, req.params.caseId);
      const page = await pageMessages(ctx.db.read, conversation.id, req.query, true);
      return { items: await presentStaffMessages(ctx.db.read, page.rows), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/ops/support/conversations/:caseId/read',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '客服已读 Move the agent side’s read marker (the customer sees the receipt)',
        params: caseIdParamSchema,
        body: supportReadBodySchema,
        response: { 200: supportReadStateSchema },
      },
    },
    async (req) =>
      markAgentRead(ctx, requireStaff(req, 'support.chat'), req.params.caseId, req.body.upToMessageId),
  );

  app.get(
    '/ops/support/unread',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '未读消息数 Unread customer messages per support chat I hold',
        response: { 200: supportUnreadSchema },
      },
    },
    async (req) => unreadForAgent(ctx.db.read, requireStaff(req, 'support.chat').userId),
  );

  app.get(
    '/ops/support/previews',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '会话列表预览 The last customer-visible message of each listed support chat',
        querystring: supportPreviewsQuerySchema,
        response: { 200: supportPreviewsSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'support.chat');
      return { items: await lastMessagesOfCases(ctx.db.read, req.query.caseIds) };
    },
  );

  app.get(
    '/ops/canned-replies',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '快捷回复 Canned replies',
        querystring: cannedReplyListQuerySchema,
        response: { 200: cannedReplyListSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'support.chat');
      return { items: await listCannedReplies(ctx.db.read, req.query.q) };
    },
  );

  app.post(
    '/ops/canned-replies',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '新建快捷回复 Create a canned reply',
        description:
          'Variables: {{user.nickname}}, {{order.number}}, {{agent.nickname}}; any other is refused (400 naming it).',
        body: createCannedReplyBodySchema,
        response: { 201: cannedReplySchema },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await createCannedReply(ctx, requireStaff(req, 'canned_replies.manage'), req.body)),
  );

  app.patch(
    '/ops/canned-replies/:id',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '修改快捷回复 Update a canned reply',
        params: idParamSchema,
        body: updateCannedReplyBodySchema,
        response: { 200: cannedReplySchema },
      },
    },
    async (req) =>
      updateCannedReply(ctx, requireStaff(req, 'canned_replies.manage'), req.params.id, req.body),
  );

  app.delete(
    '/ops/canned-replies/:id',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '删除快捷回复 Delete a canned reply',
        params: idParamSchema,
        response: { 200: okSchema },
      },
    },
    async (req) => {
      await deleteCannedReply(ctx, requireStaff(req, 'canned_replies.manage'), req.params.id);
      return { ok: true as const };
    },
  );

  app.get(
    '/ops/users/:id/context',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '客户信息 Customer context: profile (personal data masked), orders, wallet, past cases',
        params: idParamSchema,
        response: { 200: customerContextSchema },
      },
    },
    async (req) => customerContext(ctx.db.read, requireStaff(req, 'cases.view'), req.params.id),
  );

  app.post(
    '/ops/users/:id/reveal',
    {
      schema: {
        tags: opsTags,
        security,
        summary: '查看完整个人信息 Reveal a phone number, real name or ID number (audited)',
        params: idParamSchema,
        body: revealBodySchema,
        response: { 200: revealResponseSchema },
      },
    },
    async (req) =>
      revealPersonalData(
        ctx,
        requireStaff(req, 'pii.reveal'),
        req.params.id,
        req.body.field,
        req.body.reason,
      ),
  );
}
