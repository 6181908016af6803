import { z } from 'zod';
import { idSchema, isoDateTime, pageOf, text } from './common';
import { fileSchema } from './files';

export const MESSAGE_TYPES = ['text', 'image', 'file'] as const;
export const messageTypeSchema = z.enum(MESSAGE_TYPES);

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
    message: text({ min: 1, max: 5000 }).optional(),
  })
  .strict();

export const sendMessageBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: text({ min: 1, max: 5000 }) }).strict(),
  z.object({ type: z.literal('image'), fileId: idSchema, content: text({ max: 500 }).default('') }).strict(),
  z.object({ type: z.literal('file'), fileId: idSchema, content: text({ max: 500 }).default('') }).strict(),
]);

export const messagesQuerySchema = z
  .object({
    before: z.coerce.number().int().positive().optional().describe('message id: page backwards from here'),
    limit: z.coerce.number().int().min(1).max(100).default(30),
  })
  .strict();

export const conversationPageSchema = pageOf(conversationSchema);
export const messagePageSchema = z.object({ items: z.array(messageSchema), hasMore: z.boolean() });
export const markReadBodySchema = z.object({ upToMessageId: idSchema }).strict();
