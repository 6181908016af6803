import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  createSupportConversationBodySchema,
  sendSupportMessageBodySchema,
  supportConversationPageSchema,
  supportConversationSchema,
  supportMessagePageSchema,
  supportMessageSchema,
  supportPageQuerySchema,
  supportReadBodySchema,
  supportReadStateSchema,
} from '@jiangxin/shared/ops/support';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { opsRoute } from '../../platform/http/ops-route';
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
        operationId: 'createSupportConversation',
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
        operationId: 'listSupportConversations',
        tags: userTags,
        security,
        summary: '我的客服会话 My support conversations',
        querystring: supportPageQuerySchema,
        response: { 200: supportConversationPageSchema },
      },
    },
    async (req) => listUserConversations(ctx.db.fresh, requireUser(req).userId, req.query),
  );

  app.get(
    '/support/conversations/:id/messages',
    {
      schema: {
        operationId: 'listMySupportMessages',
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
      const conversation = await conversationOfUser(ctx.db.fresh, userId, req.params.id);
      const page = await pageMessages(ctx.db.fresh, conversation.id, req.query, false);
      return { items: await presentUserMessages(ctx.db.fresh, page.rows), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/support/conversations/:id/messages',
    {
      schema: {
        operationId: 'sendSupportMessage',
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
        operationId: 'markMySupportRead',
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
  opsRoute(app, 'listSupportMessages', async (req) => {
    const { conversation } = await chatOfCase(ctx.db.fresh, req.params.caseId);
    const page = await pageMessages(ctx.db.fresh, conversation.id, req.query, true);
    return { items: await presentStaffMessages(ctx.db.fresh, page.rows), nextCursor: page.nextCursor };
  });
  opsRoute(app, 'markSupportRead', async (req) =>
    markAgentRead(ctx, req.staff, req.params.caseId, req.body.upToMessageId),
  );
  opsRoute(app, 'getSupportUnread', async (req) => unreadForAgent(ctx.db.fresh, req.staff.userId));
  opsRoute(app, 'listSupportPreviews', async (req) => ({
    items: await lastMessagesOfCases(ctx.db.fresh, req.query.caseIds),
  }));

  opsRoute(app, 'listCannedReplies', async (req) => ({
    items: await listCannedReplies(ctx.db.fresh, req.query.q),
  }));
  opsRoute(app, 'createCannedReply', async (req) => createCannedReply(ctx, req.staff, req.body));
  opsRoute(app, 'updateCannedReply', async (req) =>
    updateCannedReply(ctx, req.staff, req.params.id, req.body),
  );
  opsRoute(app, 'deleteCannedReply', async (req) => {
    await deleteCannedReply(ctx, req.staff, req.params.id);
    return { ok: true as const };
  });

  opsRoute(app, 'getCustomerContext', async (req) =>
    customerContext(ctx.db.fresh, ctx.pii, req.staff, req.params.id),
  );
  opsRoute(app, 'revealPersonalData', async (req) =>
    revealPersonalData(ctx, req.staff, req.params.id, req.body.field, req.body.reason),
  );
}
