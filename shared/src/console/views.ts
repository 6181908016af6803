import { z } from 'zod';
import { idSchema, isoDateTime, text } from '../api/common';
import { CASE_SORTS, caseStatusSchema } from '../ops/cases';

/**
 * A queue's saved view: the filters, sort and columns a staff member chose and named, kept per person
 * (per signed-in account on this machine) in the console's settings, so "我的紧急纠纷" is one click away
 * after a restart. The filters are the offline cache's query (the kinds come from the workspace).
 */
export const QUEUE_COLUMNS = [
  'id',
  'kind',
  'status',
  'title',
  'priority',
  'assignee',
  'amount',
  'sla',
  'created',
  'flags',
] as const;
export type QueueColumn = (typeof QUEUE_COLUMNS)[number];

export const queueFiltersSchema = z
  .object({
    statuses: z.array(caseStatusSchema).optional(),
    assignee: z.union([z.enum(['me', 'none']), idSchema]).optional(),
    priorityAtLeast: z.number().int().min(0).max(3).optional(),
    slaBreached: z.boolean().optional(),
    minAmountFen: z.number().int().min(0).optional(),
    maxAmountFen: z.number().int().min(0).optional(),
    createdFrom: isoDateTime.optional(),
    createdTo: isoDateTime.optional(),
    q: text({ max: 100 }).optional(),
  })
  .strict()
  .refine(
    (f) => f.minAmountFen === undefined || f.maxAmountFen === undefined || f.minAmountFen <= f.maxAmountFen,
    {
      message: 'minAmountFen must not exceed maxAmountFen',
      path: ['maxAmountFen'],
    },
  );
export type QueueFilters = z.infer<typeof queueFiltersSchema>;

export const queueViewStateSchema = z.object({
  filters: queueFiltersSchema,
  sort: z.enum(CASE_SORTS),
  columns: z.array(z.enum(QUEUE_COLUMNS)).min(1),
});
export type QueueViewState = z.infer<typeof queueViewStateSchema>;

export const savedViewSchema = queueViewStateSchema.extend({
  name: text({ min: 1, max: 40 }),
  savedAt: isoDateTime,
});
export type SavedView = z.infer<typeof savedViewSchema>;

/** A person keeps at most this many views per workspace. */
export const MAX_SAVED_VIEWS = 30;
