import { z } from 'zod';
import { isoDateTime, isoInstantQuery } from '../api/common';
import { fenSchema } from '../money';
import { ORDER_STATUSES } from '../orders';
import { caseKindSchema } from './cases';

/** Buckets are China-time hours or days (Asia/Shanghai, UTC+8, no DST). */
export const STATS_BUCKETS = ['hour', 'day'] as const;
export const statsBucketSchema = z.enum(STATS_BUCKETS);
export type StatsBucket = z.infer<typeof statsBucketSchema>;
export const STATS_TIME_ZONE = 'Asia/Shanghai';

/** The widest range one request may ask for, per bucket size (days). */
export const STATS_MAX_RANGE_DAYS: Record<StatsBucket, number> = { hour: 7, day: 92 };

/**
 * `GET /ops/stats?from&to&bucket`: `from` inclusive, `to` exclusive. Defaults: the last 30 days by day,
 * or the last 24 hours by hour, ending now.
 */
export const statsQuerySchema = z
  .object({
    from: isoInstantQuery.optional(),
    to: isoInstantQuery.optional(),
    bucket: statsBucketSchema.default('day'),
  })
  .superRefine((q, ctx) => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    const from = q.from ? Date.parse(q.from) : undefined;
    if (from === undefined) return;
    if (from >= to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    const maxDays = STATS_MAX_RANGE_DAYS[q.bucket];
    if (to - from > maxDays * 86_400_000)
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: `the range may span at most ${maxDays} days with bucket=${q.bucket}`,
      });
  });
export type StatsQuery = z.infer<typeof statsQuerySchema>;

const moneyCount = z.object({ count: z.number().int(), amountFen: fenSchema });

/** Money and work that happened in one bucket (or the whole range, for totals). */
export const statsFiguresSchema = z.object({
  /** Gross merchandise value: order payments frozen in escrow (ledger `order_payment`). */
  gmvFen: fenSchema,
  ordersPaid: z.number().int(),
  /** Platform service fees taken (postings on the platform fees account). */
  platformFeesFen: fenSchema,
  /** Escrow returned to clients (cancellations and the refund part of dispute splits). */
  refundsFen: fenSchema,
  payoutsRequested: moneyCount,
  payoutsExecuted: moneyCount,
  payoutsFailed: moneyCount,
});
export type StatsFigures = z.infer<typeof statsFiguresSchema>;

export const statsBucketRowSchema = statsFiguresSchema.extend({
  /** Start of the bucket (inclusive). */
  start: isoDateTime,
  /** China-time label: `2026-11-27` or `2026-11-27 14:00`. */
  label: z.string(),
});

export const statsCaseKindSchema = z.object({
  kind: caseKindSchema,
  /** Unresolved cases now. */
  queueDepth: z.number().int(),
  /** Unresolved cases past their SLA now. */
  slaBreached: z.number().int(),
  /** Cases of this kind resolved within the range. */
  resolvedInRange: z.number().int(),
  /** Median whole seconds from opening to resolution of those; null when none. */
  medianHandlingSeconds: z.number().int().nullable(),
});

export const statsResponseSchema = z.object({
  from: isoDateTime,
  to: isoDateTime,
  bucket: statsBucketSchema,
  timeZone: z.literal(STATS_TIME_ZONE),
  buckets: z.array(statsBucketRowSchema),
  totals: statsFiguresSchema,
  /** Figures as of now, independent of the range. */
  current: z.object({
    ordersByStatus: z.record(z.enum(ORDER_STATUSES), z.number().int()),
    /** Money held in order escrow accounts now (ledger). */
    escrowHeldFen: fenSchema,
    cases: z.array(statsCaseKindSchema),
  }),
  generatedAt: isoDateTime,
});
export type StatsResponse = z.infer<typeof statsResponseSchema>;

/** Contracts of the ops stats area. */
export const STATS_ERRORS = {} as const;
export const STATS_EVENTS = {} as const;
