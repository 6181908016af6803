import { z } from 'zod';
import { idQuery, idSchema, isoDateTime, pageOf, pageQuerySchema, queryInt, text } from './common';
import { fileSchema } from './files';

export const MESSAGE_TYPES = ['text', 'image', 'file'] as const;
export const messageTypeSchema = z.enum(MESSAGE_TYPES);
export type MessageType = z.infer<typeof messageTypeSchema>;

export const messageSchema = z.object({
  id: z.number().int(),
  conversationId: z.number().int(),
  senderId: z.number().int(),
  type: messageTypeSchema,
  content: z.string(),
  file: fileSchema.nullable(),
  createdAt: isoDateTime,
});
export type Message = z.infer<typeof messageSchema>;

export const conversationSchema = z.object({
  id: z.number().int(),
  participants: z.array(z.object({ id: z.number().int(), nickname: z.string() })),
  orderId: z.number().int().nullable(),
  serviceId: z.number().int().nullable(),
  lastMessage: messageSchema.nullable(),
  unreadCount: z.number().int(),
  updatedAt: isoDateTime,
});
export type Conversation = z.infer<typeof conversationSchema>;

export const createConversationBodySchema = z
  .object({
    participantId: idSchema,
    orderId: idSchema.optional(),
    serviceId: idSchema.optional(),
    message: text({ min: 1, max: 5000, multiline: true }).optional(),
  })
  .strict();
export type CreateConversationBody = z.infer<typeof createConversationBodySchema>;

export const sendMessageBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: text({ min: 1, max: 5000, multiline: true }) }).strict(),
  z
    .object({
      type: z.literal('image'),
      fileId: idSchema,
      content: text({ max: 500, multiline: true }).default(''),
    })
    .strict(),
  z
    .object({
      type: z.literal('file'),
      fileId: idSchema,
      content: text({ max: 500, multiline: true }).default(''),
    })
    .strict(),
]);
export type SendMessageBody = z.infer<typeof sendMessageBodySchema>;

export const messagesQuerySchema = z
  .object({
    before: idQuery.optional().describe('message id: page backwards from here'),
    limit: queryInt({ min: 1, max: 100 }).default(30),
  })
  .strict();

/** My conversations, newest activity first; `cursor` comes from the previous page's `nextCursor`. */
export const conversationsQuerySchema = pageQuerySchema.strict();
export const conversationPageSchema = pageOf(conversationSchema);
/** Newest first; pass the last item's id as `before` to get the older page while `hasMore`. */
export const messagePageSchema = z.object({ items: z.array(messageSchema), hasMore: z.boolean() });
export const markReadBodySchema = z.object({ upToMessageId: idSchema }).strict();

/** The caller's read pointer in a conversation after `POST /conversations/:id/read`. */
export const readStateSchema = z.object({
  conversationId: z.number().int(),
  lastReadMessageId: z.number().int(),
  unreadCount: z.number().int(),
});
export type ReadState = z.infer<typeof readStateSchema>;
