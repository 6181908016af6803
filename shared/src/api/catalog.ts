import { z } from 'zod';
import { fenSchema, positiveFenSchema } from '../money';
import { packageTierSchema } from '../orders';
import { publicUserSchema } from './accounts';
import {
  cursorSchema,
  displayName,
  idQuery,
  idSchema,
  isoDateTime,
  pageOf,
  pageQuerySchema,
  queryDecimal,
  queryInt,
  text,
} from './common';

export const SERVICE_STATUSES = ['draft', 'pending_review', 'published', 'rejected', 'suspended'] as const;
export const serviceStatusSchema = z.enum(SERVICE_STATUSES);
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

export const categorySchema = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  nameZh: z.string(),
  parentId: z.number().int().nullable(),
});
export type Category = z.infer<typeof categorySchema>;
export type CategoryNode = Category & { children: CategoryNode[] };
export const categoryNodeSchema: z.ZodType<CategoryNode> = categorySchema.extend({
  get children() {
    return z.array(categoryNodeSchema);
  },
});

export const skillSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  nameZh: z.string(),
  categoryId: z.number().int(),
});

export const packageInputSchema = z
  .object({
    tier: packageTierSchema,
    title: displayName({ min: 1, max: 60 }),
    description: text({ max: 1000, multiline: true }).default(''),
    priceFen: positiveFenSchema,
    deliveryDays: z.number().int().min(1, { error: 'must be at least 1 day' }).max(365),
    revisions: z.number().int().min(0).max(99),
  })
  .strict();

/**
 * Exactly three packages, one per tier, in order basic, standard, premium, and prices that never go
 * down from one tier to the next (a buyer reads the tiers as "more for more"). A price refusal names the
 * offending package's `priceFen`, so the form can point at it.
 */
export const packagesInputSchema = z
  .array(packageInputSchema)
  .length(3, { error: 'must have exactly three packages: basic, standard, premium' })
  .refine((ps) => ps.map((p) => p.tier).join() === 'basic,standard,premium', {
    error: 'packages must be basic, standard, premium in that order',
  })
  .superRefine((ps, ctx) => {
    // Runs even when an element failed its own checks, so only compare well-formed prices.
    for (let i = 1; i < ps.length; i += 1) {
      const prev = ps[i - 1]?.priceFen;
      const cur = ps[i]?.priceFen;
      if (typeof prev !== 'number' || typeof cur !== 'number') continue;
      if (cur < prev) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'priceFen'],
          message: `must not be lower than the ${ps[i - 1]?.tier ?? 'previous'} package's price`,
        });
      }
    }
  });

export const createServiceBodySchema = z
  .object({
    title: displayName({ min: 4, max: 100 }),
    titleZh: displayName({ min: 2, max: 60 }),
    description: text({ min: 20, max: 10_000, multiline: true }),
    categoryId: idSchema,
    skillIds: z.array(idSchema).max(10).default([]),
    packages: packagesInputSchema,
    submit: z.boolean().default(true).describe('submit for review now (true) or keep as draft'),
  })
  .strict()
  .meta({
    examples: [
      {
        title: 'Logo design for tea brands',
        titleZh: '茶饮品牌 Logo 设计',
        description: '为新茶饮、咖啡和烘焙品牌设计原创 Logo，含三套初稿、源文件和商标注册用黑白稿。',
        categoryId: 12,
        skillIds: [3, 7],
        packages: [
          {
            tier: 'basic',
            title: '基础版',
            description: '一套方案，两次修改',
            priceFen: 50000,
            deliveryDays: 3,
            revisions: 2,
          },
          {
            tier: 'standard',
            title: '标准版',
            description: '三套方案，含名片',
            priceFen: 120000,
            deliveryDays: 5,
            revisions: 3,
          },
          {
            tier: 'premium',
            title: '高级版',
            description: '完整 VI 手册',
            priceFen: 300000,
            deliveryDays: 10,
            revisions: 5,
          },
        ],
        submit: true,
      },
    ],
  });
export type CreateServiceBody = z.infer<typeof createServiceBodySchema>;

/**
 * A partial edit. Written out rather than `createServiceBodySchema.partial()`: zod 4 applies `.default()`
 * inside `.optional()`, which would silently turn an absent `skillIds` into "remove every skill".
 * `packages`, when given, replaces all three packages.
 */
export const updateServiceBodySchema = z
  .object({
    title: displayName({ min: 4, max: 100 }).optional(),
    titleZh: displayName({ min: 2, max: 60 }).optional(),
    description: text({ min: 20, max: 10_000, multiline: true }).optional(),
    categoryId: idSchema.optional(),
    skillIds: z.array(idSchema).max(10).optional(),
    packages: packagesInputSchema.optional(),
    submit: z
      .boolean()
      .optional()
      .describe('false keeps a draft a draft; any other edit sends the listing to review again'),
  })
  .strict();
export type UpdateServiceBody = z.infer<typeof updateServiceBodySchema>;

export const servicePackageSchema = z.object({
  tier: packageTierSchema,
  title: z.string(),
  description: z.string(),
  priceFen: fenSchema,
  deliveryDays: z.number().int(),
  revisions: z.number().int(),
});

export const serviceCardSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  titleZh: z.string(),
  categoryId: z.number().int(),
  freelancer: publicUserSchema.pick({ id: true, nickname: true, rating: true, ratingCount: true }),
  startingPriceFen: fenSchema,
  minDeliveryDays: z.number().int(),
  rating: z.number(),
  ratingCount: z.number().int(),
  ordersCompleted: z.number().int(),
  publishedAt: isoDateTime.nullable(),
});
export type ServiceCard = z.infer<typeof serviceCardSchema>;

export const serviceDetailSchema = serviceCardSchema.extend({
  description: z.string(),
  status: serviceStatusSchema,
  category: categorySchema,
  skills: z.array(skillSchema),
  packages: z.array(servicePackageSchema),
  views: z.number().int(),
  reviewNote: z.string().nullable().describe('why the listing was rejected or changes were requested'),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type ServiceDetail = z.infer<typeof serviceDetailSchema>;

export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'rating', 'newest'] as const;

export const searchQuerySchema = z
  .object({
    q: text({ max: 100 }).optional(),
    categoryId: idQuery.optional(),
    minPriceFen: queryInt({ min: 0 }).optional(),
    maxPriceFen: queryInt({ min: 0 }).optional(),
    minRating: queryDecimal({ min: 0, max: 5 }).optional(),
    maxDeliveryDays: queryInt({ min: 1, max: 365 }).optional(),
    sort: z.enum(SEARCH_SORTS).default('relevance'),
    cursor: cursorSchema().optional(),
    limit: queryInt({ min: 1, max: 50 }).default(20),
  })
  .strict()
  .refine(
    (q) => q.minPriceFen === undefined || q.maxPriceFen === undefined || q.minPriceFen <= q.maxPriceFen,
    {
      error: 'minPriceFen must not exceed maxPriceFen',
      path: ['minPriceFen'],
    },
  );
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const searchResultSchema = pageOf(serviceCardSchema);

export const myServicesQuerySchema = pageQuerySchema
  .extend({ status: serviceStatusSchema.optional() })
  .strict();

/** One of the caller's own listings, whatever its status. */
export const myServiceSchema = serviceCardSchema.extend({
  status: serviceStatusSchema,
  reviewNote: z.string().nullable(),
  submittedAt: isoDateTime.nullable(),
  updatedAt: isoDateTime,
});
export type MyService = z.infer<typeof myServiceSchema>;
export const myServicesPageSchema = pageOf(myServiceSchema);

export const categoryTreeSchema = z.array(categoryNodeSchema);
export const skillListSchema = z.array(skillSchema);

/**
 * The listing life cycle: which status may follow which. The core refuses anything else, and the
 * console offers exactly these actions. `pending_review → draft` is "request changes";
 * `published → pending_review` sends an edited (or questioned) listing back to review.
 */
export const SERVICE_TRANSITIONS = {
  draft: ['pending_review'],
  pending_review: ['published', 'rejected', 'draft'],
  published: ['suspended', 'pending_review'],
  suspended: ['published'],
  rejected: ['pending_review'],
} as const satisfies Record<ServiceStatus, readonly ServiceStatus[]>;

/** True when SERVICE_TRANSITIONS allows a listing to go from `from` to `to`. */
export function canTransitionService(from: ServiceStatus, to: ServiceStatus): boolean {
  return (SERVICE_TRANSITIONS[from] as readonly ServiceStatus[]).includes(to);
}

export const SERVICE_STATUS_LABELS: Record<ServiceStatus, { zh: string; en: string }> = {
  draft: { zh: '草稿', en: 'Draft' },
  pending_review: { zh: '待审核', en: 'Pending review' },
  published: { zh: '已上架', en: 'Published' },
  rejected: { zh: '未通过', en: 'Rejected' },
  suspended: { zh: '已下架', en: 'Suspended' },
};
