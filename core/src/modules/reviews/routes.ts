import { idParamSchema } from '@jiangxin/shared/api/common';
import {
  createReviewBodySchema,
  reviewPageSchema,
  reviewSchema,
  serviceReviewsQuerySchema,
  userReviewsQuerySchema,
} from '@jiangxin/shared/api/reviews';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { notFound } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { canSeeService, getServiceVisibility } from '../catalog/queries';
import { createReview } from './commands';
import { getReview, isPublicUser, listReviews } from './queries';

const tags = ['reviews'];
const secured = [{ bearer: [] }];

/** Reviewing a completed order, and the review lists of a listing and of a user. */
export async function registerReviewsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.post(
    '/orders/:id/reviews',
    {
      schema: {
        operationId: 'reviewOrder',
        tags,
        summary: '评价订单 Review a completed order (client or freelancer, once each)',
        security: secured,
        params: idParamSchema,
        body: createReviewBodySchema,
        response: { 201: reviewSchema },
      },
    },
    async (req, reply) => {
      const { userId } = requireUser(req);
      const id = await createReview(ctx, userId, req.params.id, req.body);
      const review = await getReview(ctx.db.write, id);
      return reply.status(201).send(review!);
    },
  );

  app.get(
    '/services/:id/reviews',
    {
      schema: {
        operationId: 'listServiceReviews',
        tags,
        summary: '服务评价 Reviews of a listing (by clients), newest first',
        params: idParamSchema,
        querystring: serviceReviewsQuerySchema,
        response: { 200: reviewPageSchema },
      },
    },
    async (req) => {
      const listing = await getServiceVisibility(ctx.db.read, req.params.id);
      if (!listing || !canSeeService(listing, req.principal))
        throw notFound({ zh: '服务不存在', en: 'No such listing' });
      return listReviews(ctx.db.read, { serviceId: req.params.id }, req.query);
    },
  );

  app.get(
    '/users/:id/reviews',
    {
      schema: {
        operationId: 'listUserReviews',
        tags,
        summary: '用户收到的评价 Reviews a user received, newest first',
        params: idParamSchema,
        querystring: userReviewsQuerySchema,
        response: { 200: reviewPageSchema },
      },
    },
    async (req) => {
      if (!(await isPublicUser(ctx.db.read, req.params.id)))
        throw notFound({ zh: '用户不存在', en: 'No such user' });
      return listReviews(
        ctx.db.read,
        { targetUserId: req.params.id, direction: req.query.direction },
        req.query,
      );
    },
  );
}
