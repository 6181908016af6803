import type { Review, ReviewDirection } from '@jiangxin/shared/api/reviews';
import { z } from 'zod';
import type { ReadDb, Tx } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';

type Reader = ReadDb | Tx;
const idCursor = z.tuple([cursorId]);

function reviewQuery(db: Reader) {
  return db
    .selectFrom('reviews as r')
    .innerJoin('users as a', 'a.id', 'r.author_id')
    .select([
      'r.id',
      'r.order_id',
      'r.service_id',
      'r.author_id',
      'a.nickname as author_nickname',
      'r.target_user_id',
      'r.direction',
      'r.rating',
      'r.comment',
      'r.created_at',
    ]);
}

type ReviewRow = Awaited<ReturnType<ReturnType<typeof reviewQuery>['executeTakeFirstOrThrow']>>;

function toReview(r: ReviewRow): Review {
  return {
    id: r.id,
    orderId: r.order_id,
    serviceId: r.service_id,
    authorId: r.author_id,
    authorNickname: r.author_nickname,
    targetUserId: r.target_user_id,
    direction: r.direction,
    rating: r.rating,
    comment: r.comment,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** One review by id (the response to its creation). */
export async function getReview(db: Reader, reviewId: number): Promise<Review | null> {
  const row = await reviewQuery(db).where('r.id', '=', reviewId).executeTakeFirst();
  return row ? toReview(row) : null;
}

type Filter = { serviceId: number } | { targetUserId: number; direction?: ReviewDirection | undefined };

/**
 * Reviews newest first, keyset-paginated by id (the (service_id, id) and (target_user_id, id) indexes
 * serve both listings). A service's page shows what clients said about it; a user's page what others
 * said about that user, optionally one side only.
 */
export async function listReviews(
  db: Reader,
  filter: Filter,
  page: { cursor?: string | undefined; limit: number },
): Promise<{ items: Review[]; nextCursor: string | null }> {
  const kind = 'serviceId' in filter ? 'reviews:service' : 'reviews:user';
  // Reviews staff took down (moderation `hidden_content`) are not listed.
  let query = reviewQuery(db).where(({ not, exists, selectFrom }) =>
    not(
      exists(
        selectFrom('hidden_content as h')
          .select('h.subject_id')
          .where('h.subject_type', '=', 'review')
          .whereRef('h.subject_id', '=', 'r.id'),
      ),
    ),
  );
  if ('serviceId' in filter)
    query = query
      .where('r.service_id', '=', filter.serviceId)
      .where('r.direction', '=', 'client_to_freelancer');
  else {
    query = query.where('r.target_user_id', '=', filter.targetUserId);
    if (filter.direction) query = query.where('r.direction', '=', filter.direction);
  }
  if (page.cursor) query = query.where('r.id', '<', decodeCursor(page.cursor, kind, idCursor)[0]);
  const rows = await query
    .orderBy('r.id', 'desc')
    .limit(page.limit + 1)
    .execute();
  const items = rows.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items: items.map(toReview),
    nextCursor: rows.length > page.limit && last ? encodeCursor(kind, [last.id]) : null,
  };
}

/** Whether a user exists and is not banned (banned users have no public page). */
export async function isPublicUser(db: Reader, userId: number): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('id', '=', userId)
    .where('status', '<>', 'banned')
    .executeTakeFirst();
  return row !== undefined;
}
