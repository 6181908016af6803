import { z } from 'zod';
import { fenSchema } from '../money';
import { orderActionSchema, orderStatusSchema, packageTierSchema } from '../orders';
import { cursorSchema, idSchema, isoDateTime, queryInt, text } from './common';
import { fileSchema } from './files';

export const PAYMENT_PROVIDERS = ['alipay', 'wechat'] as const;
export const paymentProviderSchema = z.enum(PAYMENT_PROVIDERS);
export type PaymentProvider = z.infer<typeof paymentProviderSchema>;

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'failed', 'closed'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);

export const createOrderBodySchema = z
  .object({
    serviceId: idSchema,
    tier: packageTierSchema,
    requirements: text({ max: 5000, multiline: true }).default(''),
    paymentProvider: paymentProviderSchema,
  })
  .strict()
  .meta({
    examples: [
      {
        serviceId: 1024,
        tier: 'standard',
        requirements: '品牌名「山茶小馆」，主色墨绿，希望有手写感，用于门头和外卖包装。',
        paymentProvider: 'alipay',
      },
    ],
  });
export type CreateOrderBody = z.infer<typeof createOrderBodySchema>;

export const paymentSchema = z.object({
  id: z.number().int(),
  provider: paymentProviderSchema,
  outTradeNo: z.string(),
  amountFen: fenSchema,
  status: paymentStatusSchema,
  /** Where the client pays: the gateway's pay page (Alipay) or a code URL to show as QR (WeChat). */
  payUrl: z.string(),
  createdAt: isoDateTime,
});
export type Payment = z.infer<typeof paymentSchema>;

export const orderDeliverySchema = z.object({
  id: z.number().int(),
  message: z.string(),
  files: z.array(fileSchema),
  createdAt: isoDateTime,
});

export const orderRevisionSchema = z.object({
  id: z.number().int(),
  message: z.string(),
  createdAt: isoDateTime,
});

export const orderEventSchema = z.object({
  action: orderActionSchema.or(z.literal('created')),
  fromStatus: orderStatusSchema.nullable(),
  toStatus: orderStatusSchema,
  actorUserId: z.number().int().nullable(),
  note: z.string(),
  createdAt: isoDateTime,
});

export const orderSchema = z.object({
  id: z.number().int(),
  orderNumber: z.string(),
  status: orderStatusSchema,
  clientId: z.number().int(),
  freelancerId: z.number().int(),
  serviceId: z.number().int(),
  serviceTitle: z.string(),
  tier: packageTierSchema,
  amountFen: fenSchema,
  platformFeeFen: fenSchema.nullable(),
  deliveryDays: z.number().int(),
  revisionsAllowed: z.number().int(),
  revisionsUsed: z.number().int(),
  requirements: z.string(),
  cancellationRequestedBy: z.enum(['client', 'freelancer']).nullable(),
  deliveryDeadline: isoDateTime.nullable(),
  paidAt: isoDateTime.nullable(),
  deliveredAt: isoDateTime.nullable(),
  completedAt: isoDateTime.nullable(),
  cancelledAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  /** The actions the requesting user may take now, from the shared transition table. */
  allowedActions: z.array(orderActionSchema),
});
export type Order = z.infer<typeof orderSchema>;

export const orderDetailSchema = orderSchema.extend({
  deliveries: z.array(orderDeliverySchema),
  revisions: z.array(orderRevisionSchema),
  timeline: z.array(orderEventSchema),
  payments: z.array(paymentSchema),
});
export type OrderDetail = z.infer<typeof orderDetailSchema>;

export const createOrderResponseSchema = z.object({ order: orderSchema, payment: paymentSchema });

export const listOrdersQuerySchema = z
  .object({
    role: z.enum(['client', 'freelancer', 'any']).default('any'),
    status: orderStatusSchema.optional(),
    cursor: cursorSchema().optional(),
    limit: queryInt({ min: 1, max: 100 }).default(20),
  })
  .strict();

export const payOrderBodySchema = z.object({ paymentProvider: paymentProviderSchema }).strict();
export const deliverBodySchema = z
  .object({
    message: text({ min: 1, max: 5000, multiline: true }),
    fileIds: z.array(idSchema).max(20).default([]),
  })
  .strict();
export const revisionBodySchema = z
  .object({ message: text({ min: 1, max: 5000, multiline: true }) })
  .strict();
export const reasonBodySchema = z
  .object({ reason: text({ max: 1000, multiline: true }).default('') })
  .strict();
export const disputeBodySchema = z
  .object({
    reason: text({ min: 5, max: 2000, multiline: true }),
    fileIds: z.array(idSchema).max(20).default([]),
  })
  .strict()
  .meta({
    examples: [
      { reason: '交付的 Logo 与约定的手写风格不符，两次修改后仍未按需求调整。', fileIds: [3051, 3052] },
    ],
  });
