import { createReviewBodySchema } from '@jiangxin/shared/api/reviews';
import { createReviewInTx } from '../modules/reviews/commands';
import type { AppContext } from '../platform/context';
import { chunks } from './bulk';
import { atStoryTime } from './context';
import { inLanes } from './lanes';
import type { SeedIds } from './orders';
import type { OrderPlan, ReviewPlan } from './plan';

/**
 * Writes every planned review through the reviews command (`createReviewInTx`, the body of
 * `createReview`), as its author at the story's time, oldest first (a review page lists newest first by
 * id, so ids follow the dates), `batchSize` reviews per transaction. The command checks the order is
 * completed, keeps the service's and both profiles' rating aggregates — reviews taken down by moderation
 * not counted — and appends `review.created`, exactly as for a review posted in the app. The body passes
 * the route's schema first. Reviews of different user groups touch different aggregates, so up to
 * `concurrency` groups run at once. Returns how many reviews were written.
 */
export async function playReviews(
  ctx: AppContext,
  orders: readonly OrderPlan[],
  ids: SeedIds,
  orderIds: ReadonlyMap<number, number>,
  opts: { batchSize: number; concurrency: number },
): Promise<number> {
  const reviews = orders
    .flatMap((o) => o.reviews.map((r) => ({ o, r })))
    .sort((a, b) => a.r.at - b.r.at || a.o.key - b.o.key || a.r.direction.localeCompare(b.r.direction));
  const laneCount = Math.max(1, opts.concurrency);
  const lanes: { o: OrderPlan; r: ReviewPlan }[][] = Array.from({ length: laneCount }, () => []);
  for (const review of reviews) lanes[review.o.group % laneCount]!.push(review);
  const batches = lanes.flatMap((lane, i) => chunks(lane, opts.batchSize).map((b) => ({ lane: i, b })));
  await inLanes(
    batches,
    laneCount,
    ({ lane }) => lane,
    ({ b }) =>
      ctx.db.transact(async (tx) => {
        for (const { o, r } of b) {
          const author = ids.users[r.direction === 'client_to_freelancer' ? o.clientKey : o.freelancerKey]!;
          const body = createReviewBodySchema.parse({ rating: r.rating, comment: r.comment });
          await createReviewInTx(atStoryTime(ctx, r.at), tx, author, orderIds.get(o.key)!, body);
        }
      }),
  );
  return reviews.length;
}
