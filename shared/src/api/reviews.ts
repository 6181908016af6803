import { z } from 'zod';
import { isoDateTime, pageOf, text } from './common';

export const createReviewBodySchema = z
  .object({
    rating: z.number().int().min(1, { error: 'must be 1 to 5' }).max(5, { error: 'must be 1 to 5' }),
    comment: text({ max: 2000 }).default(''),
  })
  .strict();

export const reviewSchema = z.object({
  id: z.number().int(),
  orderId: z.number().int(),
  serviceId: z.number().int(),
  authorId: z.number().int(),
  authorNickname: z.string(),
  targetUserId: z.number().int(),
  direction: z.enum(['client_to_freelancer', 'freelancer_to_client']),
  rating: z.number().int(),
  comment: z.string(),
  createdAt: isoDateTime,
});
export type Review = z.infer<typeof reviewSchema>;
export const reviewPageSchema = pageOf(reviewSchema);
