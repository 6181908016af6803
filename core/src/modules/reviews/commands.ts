import type { createReviewBodySchema, ReviewDirection } from '@jiangxin/shared/api/reviews';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { AppContext } from '../../platform/context';
import type { Tx } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import { AppError, notFound } from '../../platform/http/problem';

type CreateReviewBody = z.infer<typeof createReviewBodySchema>;

/**
 * Recomputes a rating aggregate from the stored reviews (not incrementally): the stored value is always
 * exactly round(avg, 2) of the reviews it summarizes, however many there are, and never drifts. Reviews
 * moderators took down (`hidden_content`) no longer count.
 */
function averageOf(where: ReturnType<typeof sql>) {
  const counted = sql`${where} AND NOT EXISTS (
    SELECT 1 FROM hidden_content h WHERE h.subject_type = 'review' AND h.subject_id = r.id)`;
  return {
    rating: sql<number>`coalesce((SELECT round(avg(r.rating)::numeric, 2) FROM reviews r WHERE ${counted}), 0)`,
    rating_count: sql<number>`(SELECT count(*)::int FROM reviews r WHERE ${counted})`,
  };
}

/** Re-derives the aggregates a review feeds, after it was hidden or shown again by moderation. */
export async function refreshAggregatesOfReview(tx: Tx, reviewId: number): Promise<void> {
  const r = await tx
    .selectFrom('reviews')
    .select(['service_id', 'target_user_id', 'direction'])
    .where('id', '=', reviewId)
    .executeTakeFirst();
  if (!r) return;
  if (r.direction === 'client_to_freelancer')
    await refreshFreelancerAggregates(tx, r.service_id, r.target_user_id);
  else await refreshClientAggregates(tx, r.target_user_id);
}

async function refreshFreelancerAggregates(tx: Tx, serviceId: number, freelancerId: number): Promise<void> {
  await tx
    .updateTable('services')
    .set(averageOf(sql`r.service_id = ${serviceId} AND r.direction = 'client_to_freelancer'`))
    .where('id', '=', serviceId)
    .execute();
  await tx
    .updateTable('freelancer_profiles')
    .set(averageOf(sql`r.target_user_id = ${freelancerId} AND r.direction = 'client_to_freelancer'`))
    .where('user_id', '=', freelancerId)
    .execute();
}

async function refreshClientAggregates(tx: Tx, clientId: number): Promise<void> {
  await tx
    .updateTable('client_profiles')
    .set(averageOf(sql`r.target_user_id = ${clientId} AND r.direction = 'freelancer_to_client'`))
    .where('user_id', '=', clientId)
    .execute();
}

/**
 * Locks the aggregate rows a review will change, always in the order service → profile. Concurrent
 * reviews of the same freelancer (or client) therefore run one after the other, and each recomputation
 * sees every review committed before it: no lost update, no deadlock.
 */
async function lockAggregates(
  tx: Tx,
  direction: ReviewDirection,
  order: { service_id: number; client_id: number; freelancer_id: number },
): Promise<void> {
  if (direction === 'client_to_freelancer') {
    await tx
      .selectFrom('services')
      .select('id')
      .where('id', '=', order.service_id)
      .forNoKeyUpdate()
      .execute();
    await tx
      .insertInto('freelancer_profiles')
      .values({ user_id: order.freelancer_id })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    await tx
      .selectFrom('freelancer_profiles')
      .select('user_id')
      .where('user_id', '=', order.freelancer_id)
      .forNoKeyUpdate()
      .execute();
  } else {
    await tx
      .insertInto('client_profiles')
      .values({ user_id: order.client_id })
      .onConflict((oc) => oc.column('user_id').doNothing())
      .execute();
    await tx
      .selectFrom('client_profiles')
      .select('user_id')
      .where('user_id', '=', order.client_id)
      .forNoKeyUpdate()
      .execute();
  }
}

/**
 * One side's review of a completed order: the client rates the freelancer (and the service), the
 * freelancer rates the client. Outsiders get 404, unfinished orders 409 `order_not_reviewable`, a second
 * review by the same side 409 `already_reviewed`. The review, the ratings it moves and the
 * `review.created` event (for the reviewed user) commit together. Returns the review id.
 */
export async function createReview(
  ctx: AppContext,
  userId: number,
  orderId: number,
  body: CreateReviewBody,
): Promise<number> {
  return ctx.db.transact((tx) => createReviewInTx(ctx, tx, userId, orderId, body));
}

/** `createReview` in the caller's transaction: the demo seed writes a batch of reviews per transaction. */
export async function createReviewInTx(
  ctx: AppContext,
  tx: Tx,
  userId: number,
  orderId: number,
  body: CreateReviewBody,
): Promise<number> {
  const order = await tx
    .selectFrom('orders')
    .select(['id', 'client_id', 'freelancer_id', 'service_id', 'status'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order || (order.client_id !== userId && order.freelancer_id !== userId))
    throw notFound({ zh: '订单不存在', en: 'No such order' });
  if (order.status !== 'completed') throw new AppError('order_not_reviewable');
  const direction: ReviewDirection =
    order.client_id === userId ? 'client_to_freelancer' : 'freelancer_to_client';
  const targetUserId = direction === 'client_to_freelancer' ? order.freelancer_id : order.client_id;

  await lockAggregates(tx, direction, order);
  const inserted = await tx
    .insertInto('reviews')
    .values({
      order_id: order.id,
      service_id: order.service_id,
      author_id: userId,
      target_user_id: targetUserId,
      direction,
      rating: body.rating,
      comment: body.comment,
      created_at: ctx.now(),
    })
    .onConflict((oc) => oc.columns(['order_id', 'direction']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new AppError('already_reviewed');

  if (direction === 'client_to_freelancer')
    await refreshFreelancerAggregates(tx, order.service_id, order.freelancer_id);
  else await refreshClientAggregates(tx, order.client_id);

  await appendEvent(
    tx,
    'review.created',
    { aggregateType: 'review', aggregateId: inserted.id, audience: [targetUserId] },
    {
      reviewId: inserted.id,
      orderId: order.id,
      serviceId: order.service_id,
      targetUserId,
      rating: body.rating,
    },
  );
  return inserted.id;
}
