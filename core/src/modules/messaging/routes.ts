import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  conversationPageSchema,
  conversationSchema,
  conversationsQuerySchema,
  createConversationBodySchema,
  markReadBodySchema,
  messagePageSchema,
  messageSchema,
  messagesQuerySchema,
  readStateSchema,
  sendMessageBodySchema,
} from '@jiangxin/shared/api/messaging';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { markRead, openConversation, sendMessage } from './commands';
import { listConversations, listMessages } from './queries';

const tags = ['messaging'];
const secured = [{ bearer: [] }];

/** Conversations between two users (optionally about an order or a service), messages, read receipts. */
export async function registerMessagingRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/conversations',
    {
      schema: {
        operationId: 'createConversation',
        tags,
        summary: '发起会话 Open a conversation',
        description:
          "Gets or creates the caller's conversation with `participantId` (one per pair, and one per order when `orderId` is given — then only between the order's two parties), optionally sending a first text message. 201 when created, 200 when it existed.",
        security: secured,
        body: createConversationBodySchema,
        response: { 200: conversationSchema, 201: conversationSchema },
      },
    },
    async (req, reply) => {
      const { conversation, created } = await openConversation(ctx, requireUser(req).userId, req.body);
      return reply.status(created ? 201 : 200).send(conversation);
    },
  );

  app.get(
    '/conversations',
    {
      schema: {
        operationId: 'listConversations',
        tags,
        summary: '我的会话 My conversations',
        description: 'Newest activity first, with the last message and my unread count.',
        security: secured,
        querystring: conversationsQuerySchema,
        response: { 200: conversationPageSchema },
      },
    },
    async (req) => listConversations(ctx.db.fresh, requireUser(req).userId, req.query),
  );

  app.get(
    '/conversations/:id/messages',
    {
      schema: {
        operationId: 'listMessages',
        tags,
        summary: '会话消息 Messages of a conversation',
        description: "Newest first; pass the page's last id as `before` for older messages.",
        security: secured,
        params: idParamSchema,
        querystring: messagesQuerySchema,
        response: { 200: messagePageSchema },
      },
    },
    async (req) => listMessages(ctx.db.fresh, requireUser(req).userId, req.params.id, req.query),
  );

  app.post(
    '/conversations/:id/messages',
    {
      schema: {
        operationId: 'sendMessage',
        tags,
        summary: '发送消息 Send a message',
        description:
          'Text, image (an image/* upload of yours) or file (any upload of yours). Both participants receive `message.created` live.',
        security: secured,
        params: idParamSchema,
        body: sendMessageBodySchema,
        response: { 201: messageSchema },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await sendMessage(ctx, requireUser(req).userId, req.params.id, req.body)),
  );

  app.post(
    '/conversations/:id/read',
    {
      schema: {
        operationId: 'markConversationRead',
        tags,
        summary: '标记已读 Mark as read',
        description: 'Moves my read pointer forward to `upToMessageId` (never back).',
        security: secured,
        params: idParamSchema,
        body: markReadBodySchema,
        response: { 200: readStateSchema },
      },
    },
    async (req) => markRead(ctx, requireUser(req).userId, req.params.id, req.body.upToMessageId),
  );
}
