import { z } from 'zod';
import { serviceStatusSchema } from './api/catalog';
import { paymentProviderSchema } from './api/orders';
import { fenSchema } from './money';
import { AUDIT_EVENTS } from './ops/audit';
import { CASE_EVENTS } from './ops/cases';
import { DISPUTES_EVENTS } from './ops/disputes';
import { MODERATION_EVENTS } from './ops/moderation';
import { PAYOUTS_EVENTS } from './ops/payouts';
import { ROUTING_EVENTS } from './ops/routing';
import { STAFF_EVENTS } from './ops/staff';
import { STATS_EVENTS } from './ops/stats';
import { SUPPORT_EVENTS } from './ops/support';
import { orderActionSchema, orderStatusSchema } from './orders';

/**
 * Domain events: every state change in the core appends one of these to the `events` table in the same
 * transaction (the transactional outbox). The dispatcher gives each a gapless, monotonic `seq` in
 * commit order and pushes it over socket.io; consumers resume from their last `seq` through the sync
 * route. One schema per type, used by the core (writing) and the console (reading).
 */
export const EVENT_PAYLOADS = {
  'user.registered': z.object({ userId: z.number().int(), username: z.string() }),
  /** Nickname or public profile changed (caches of the public profile and the user's listings drop it). */
  'user.profile_updated': z.object({ userId: z.number().int() }),
  'service.submitted': z.object({
    serviceId: z.number().int(),
    freelancerId: z.number().int(),
    title: z.string(),
    titleZh: z.string(),
    resubmission: z.boolean(),
  }),
  'service.status_changed': z.object({
    serviceId: z.number().int(),
    freelancerId: z.number().int(),
    from: serviceStatusSchema,
    to: serviceStatusSchema,
  }),
  'order.created': z.object({
    orderId: z.number().int(),
    orderNumber: z.string(),
    clientId: z.number().int(),
    freelancerId: z.number().int(),
    amountFen: fenSchema,
  }),
  'order.status_changed': z.object({
    orderId: z.number().int(),
    orderNumber: z.string(),
    action: orderActionSchema,
    from: orderStatusSchema,
    to: orderStatusSchema,
    clientId: z.number().int(),
    freelancerId: z.number().int(),
    actorUserId: z.number().int().nullable(),
    note: z.string(),
    /**
     * The order's terms after the change, so a reaction (the notifications) needs no read of its own.
     * Since 2026-12; events written before carry none.
     */
    amountFen: fenSchema.optional(),
    platformFeeFen: fenSchema.nullable().optional(),
    serviceTitle: z.string().optional(),
  }),
  'payment.succeeded': z.object({
    paymentId: z.number().int(),
    orderId: z.number().int(),
    provider: paymentProviderSchema,
    outTradeNo: z.string(),
    amountFen: fenSchema,
  }),
  'payment.failed': z.object({
    paymentId: z.number().int(),
    orderId: z.number().int(),
    provider: paymentProviderSchema,
    outTradeNo: z.string(),
    reason: z.string(),
  }),
  'payment.notification_rejected': z.object({
    provider: paymentProviderSchema,
    outTradeNo: z.string().nullable(),
    reason: z.string(),
  }),
  'ledger.journal_posted': z.object({
    journalId: z.number().int(),
    kind: z.string(),
    orderId: z.number().int().nullable(),
    amountFen: fenSchema,
  }),
  'message.created': z.object({
    conversationId: z.number().int(),
    messageId: z.number().int(),
    senderId: z.number().int(),
    type: z.string(),
    preview: z.string(),
  }),
  'conversation.read': z.object({
    conversationId: z.number().int(),
    userId: z.number().int(),
    upToMessageId: z.number().int(),
  }),
  'review.created': z.object({
    reviewId: z.number().int(),
    orderId: z.number().int(),
    serviceId: z.number().int(),
    targetUserId: z.number().int(),
    rating: z.number().int(),
  }),
  // The operations side: each area keeps its events beside its contract in shared/src/ops/.
  ...CASE_EVENTS,
  ...AUDIT_EVENTS,
  ...MODERATION_EVENTS,
  ...DISPUTES_EVENTS,
  ...PAYOUTS_EVENTS,
  ...SUPPORT_EVENTS,
  ...STATS_EVENTS,
  ...STAFF_EVENTS,
  ...ROUTING_EVENTS,
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

/** What travels over the socket and the sync route. */
export interface EventEnvelope<T extends EventType = EventType> {
  seq: number;
  type: T;
  aggregateType: string;
  aggregateId: number;
  occurredAt: string;
  payload: EventPayload<T>;
}

export const eventEnvelopeSchema = z.object({
  seq: z.number().int(),
  type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  aggregateType: z.string(),
  aggregateId: z.number().int(),
  occurredAt: z.string(),
  payload: z.record(z.string(), z.unknown()),
});

/** socket.io event name carrying an EventEnvelope to a user's sockets. */
export const SOCKET_EVENT = 'event' as const;
