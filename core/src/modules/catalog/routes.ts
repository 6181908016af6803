import {
  categoryTreeSchema,
  createServiceBodySchema,
  myServicesPageSchema,
  myServicesQuerySchema,
  serviceDetailSchema,
  skillListSchema,
  updateServiceBodySchema,
} from '@jiangxin/shared/api/catalog';
import { idParamSchema } from '@jiangxin/shared/api/common';
import { cached, cacheKeys } from '../../platform/cache/index';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { notFound } from '../../platform/http/problem';
import type { HttpServer } from '../../platform/http/server';
import { isDependencyOutage } from '../../platform/http/unavailable';
import { createService, recordServiceView, updateService } from './commands';
import {
  canSeeService,
  getCategoryTree,
  getServiceDetail,
  listCategorySkills,
  listMyServices,
} from './queries';

const tags = ['catalog'];
const secured = [{ bearer: [] }];
const noSuchListing = () => notFound({ zh: '服务不存在', en: 'No such listing' });

/** Categories and skills, listing creation and editing, a listing's page, the freelancer's own listings. */
export async function registerCatalogRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/categories',
    {
      schema: {
        operationId: 'listCategories',
        tags,
        summary: '分类树 Category tree (active categories, zh + en)',
        response: { 200: categoryTreeSchema },
      },
    },
    async () => getCategoryTree(ctx.db.read),
  );

  app.get(
    '/categories/:id/skills',
    {
      schema: {
        operationId: 'listCategorySkills',
        tags,
        summary: '分类技能 Skills usable in a category (its own and its parent’s)',
        params: idParamSchema,
        response: { 200: skillListSchema },
      },
    },
    async (req) => listCategorySkills(ctx.db.read, req.params.id),
  );

  app.post(
    '/services',
    {
      schema: {
        operationId: 'createService',
        tags,
        summary: '发布服务 Create a listing (freelancers only)',
        security: secured,
        body: createServiceBodySchema,
        response: { 201: serviceDetailSchema },
      },
    },
    async (req, reply) => {
      const { userId } = requireUser(req);
      const id = await createService(ctx, userId, req.body);
      // Read from the primary: the owner must see what they just wrote even with a lagging replica.
      const detail = await getServiceDetail(ctx.db.write, id);
      return reply.status(201).send(detail!);
    },
  );

  app.patch(
    '/services/:id',
    {
      schema: {
        operationId: 'updateService',
        tags,
        summary: '编辑服务 Edit a listing (owner only; edits go back to review)',
        security: secured,
        params: idParamSchema,
        body: updateServiceBodySchema,
        response: { 200: serviceDetailSchema },
      },
    },
    async (req) => {
      const { userId } = requireUser(req);
      await updateService(ctx, userId, req.params.id, req.body);
      const detail = await getServiceDetail(ctx.db.write, req.params.id);
      if (!detail) throw noSuchListing();
      return detail;
    },
  );

  app.get(
    '/services/:id',
    {
      schema: {
        operationId: 'getService',
        tags,
        summary: '服务详情 Listing detail',
        params: idParamSchema,
        response: { 200: serviceDetailSchema },
      },
    },
    async (req) => {
      const viewer = req.principal;
      // The hot path, through the L2 cache: a published listing seen by someone other than its owner
      // (counted; the increment returns the exact count). Anything else reads the database below.
      // Both read the primary (db.fresh): a cache fill from a lagging replica just after an edit's
      // invalidation would keep the old listing until it expires, and the owner must see their edit.
      const hit = await cached(
        ctx,
        cacheKeys.service(req.params.id),
        () => getServiceDetail(ctx.db.fresh, req.params.id),
        (d) => [cacheKeys.userTag(d.freelancer.id)],
      );
      if (hit?.status === 'published' && viewer?.userId !== hit.freelancer.id) {
        // While the database is unreachable the cached listing is still shown; only this view goes uncounted.
        const views = await recordServiceView(ctx.db, hit.id).catch((err: unknown) => {
          if (isDependencyOutage(err)) return undefined;
          throw err;
        });
        if (views === undefined) return hit;
        if (views !== null) return { ...hit, views };
      }
      const detail = await getServiceDetail(ctx.db.fresh, req.params.id);
      if (!detail || !canSeeService({ freelancerId: detail.freelancer.id, status: detail.status }, viewer))
        throw noSuchListing();
      if (detail.status === 'published' && viewer?.userId !== detail.freelancer.id) {
        await recordServiceView(ctx.db, detail.id);
        detail.views += 1;
      }
      return detail;
    },
  );

  app.get(
    '/me/services',
    {
      schema: {
        operationId: 'listMyServices',
        tags,
        summary: '我的服务 My listings (any status)',
        security: secured,
        querystring: myServicesQuerySchema,
        response: { 200: myServicesPageSchema },
      },
    },
    async (req) => listMyServices(ctx.db.fresh, requireUser(req).userId, req.query),
  );
}
