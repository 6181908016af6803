import { z } from 'zod';
import { fenSchema, positiveFenSchema } from '../money';
import { packageTierSchema } from '../orders';
import { publicUserSchema } from './accounts';
import { idSchema, isoDateTime, pageOf, text } from './common';

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
    title: text({ min: 1, max: 60 }),
    description: text({ max: 1000 }).default(''),
    priceFen: positiveFenSchema,
    deliveryDays: z.number().int().min(1, { error: 'must be at least 1 day' }).max(365),
    revisions: z.number().int().min(0).max(99),
  })
  .strict();

/** Exactly three packages, one per tier, in order basic, standard, premium. */
export const packagesInputSchema = z
  .array(packageInputSchema)
  .length(3, { error: 'must have exactly three packages: basic, standard, premium' })
  .refine((ps) => ps.map((p) => p.tier).join() === 'basic,standard,premium', {
    error: 'packages must be basic, standard, premium in that order',
  });

export const createServiceBodySchema = z
  .object({
    title: text({ min: 4, max: 100 }),
    titleZh: text({ min: 2, max: 60 }),
    description: text({ min: 20, max: 10_000 }),
    categoryId: idSchema,
    skillIds: z.array(idSchema).max(10).default([]),
    packages: packagesInputSchema,
    submit: z.boolean().default(true).describe('submit for review now (true) or keep as draft'),
  })
  .strict();
export type CreateServiceBody = z.infer<typeof createServiceBodySchema>;

export const updateServiceBodySchema = createServiceBodySchema.partial().strict();

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
    categoryId: z.coerce.number().int().positive().optional(),
    minPriceFen: z.coerce.number().int().min(0).optional(),
    maxPriceFen: z.coerce.number().int().min(0).optional(),
    minRating: z.coerce.number().min(0).max(5).optional(),
    maxDeliveryDays: z.coerce.number().int().min(1).max(365).optional(),
    sort: z.enum(SEARCH_SORTS).default('relevance'),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
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

export const myServicesQuerySchema = z.object({ status: serviceStatusSchema.optional() }).strict();
