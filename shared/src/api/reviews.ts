import { z } from 'zod';
import { isoDateTime, pageOf, pageQuerySchema, text } from './common';

export const createReviewBodySchema = z
  .object({
    rating: z.number().int().min(1, { error: 'must be 1 to 5' }).max(5, { error: 'must be 1 to 5' }),
    comment: text({ max: 2000, multiline: true }).default(''),
  })
  .strict();

export const REVIEW_DIRECTIONS = ['client_to_freelancer', 'freelancer_to_client'] as const;
export const reviewDirectionSchema = z.enum(REVIEW_DIRECTIONS);
export type ReviewDirection = z.infer<typeof reviewDirectionSchema>;

export const reviewSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  serviceId: z.number().int(),
  authorId: z.number().int(),
  authorNickname: z.string(),
  targetUserId: z.number().int(),
  direction: reviewDirectionSchema,
  rating: z.number().int(),
  comment: z.string(),
  createdAt: isoDateTime,
});
export type Review = z.infer<typeof reviewSchema>;
export const reviewPageSchema = pageOf(reviewSchema);

/** A page of a service's reviews (what clients said about it), newest first. */
export const serviceReviewsQuerySchema = pageQuerySchema.strict();

/** A page of the reviews a user received, newest first; `direction` narrows to one side. */
export const userReviewsQuerySchema = pageQuerySchema
  .extend({ direction: reviewDirectionSchema.optional() })
  .strict();
