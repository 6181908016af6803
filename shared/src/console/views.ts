import { z } from 'zod';
import { idSchema, isoDateTime, text } from '../api/common';
import { CASE_KINDS, CASE_SORTS, type CaseKind, caseKindSchema, caseStatusSchema } from '../ops/cases';

/**
 * A queue's saved view: the filters, sort and columns a staff member chose and named, kept per person
 * (per signed-in account on this machine) in the console's settings, so "我的紧急纠纷" is one click away
 * after a restart. The filters are the offline cache's query; the kinds come from the workspace, and a
 * queue covering several kinds may narrow them (`kinds`, see `queueKinds`).
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

/**
 * An instant in a view's filters: an ISO 8601 date-time with its offset (`Date.toISOString()`), and
 * nothing else — views are shared with a team through the core, whose inputs refuse control characters.
 */
const viewInstant = isoDateTime.regex(
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})$/,
  { error: 'must be an ISO 8601 date-time with an offset' },
);

export const queueFiltersSchema = z
  .object({
    /** Only these of the workspace's kinds (absent: all of them). */
    kinds: z
      .array(caseKindSchema)
      .min(1)
      .max(CASE_KINDS.length)
      .refine((kinds) => new Set(kinds).size === kinds.length, { message: 'kinds must not repeat' })
      .optional(),
    statuses: z.array(caseStatusSchema).optional(),
    assignee: z.union([z.enum(['me', 'none']), idSchema]).optional(),
    priorityAtLeast: z.number().int().min(0).max(3).optional(),
    slaBreached: z.boolean().optional(),
    minAmountFen: z.number().int().min(0).optional(),
    maxAmountFen: z.number().int().min(0).optional(),
    createdFrom: viewInstant.optional(),
    createdTo: viewInstant.optional(),
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

/**
 * The kinds a queue lists: its workspace's, narrowed by the view's kind filter — never widened, so a view
 * saved with a kind the workspace no longer covers (or a hand-edited settings file) cannot open another
 * queue's cases; a filter that leaves nothing falls back to the whole workspace.
 */
export function queueKinds(
  workspaceKinds: readonly CaseKind[] | undefined,
  filter: readonly CaseKind[] | undefined,
): CaseKind[] | undefined {
  if (!workspaceKinds) return undefined;
  const narrowed = filter?.length ? workspaceKinds.filter((k) => filter.includes(k)) : [];
  return narrowed.length ? narrowed : [...workspaceKinds];
}
