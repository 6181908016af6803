import { searchQuerySchema, searchResultSchema } from '@jiangxin/shared/api/catalog';
import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';
import { searchServices } from './queries';

const tags = ['search'];

/** Public search over published listings. */
export async function registerSearchRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/services',
    {
      schema: {
        operationId: 'searchServices',
        tags,
        summary: '搜索服务 Search published listings (Chinese substring match, filters, keyset pages)',
        querystring: searchQuerySchema,
        response: { 200: searchResultSchema },
      },
    },
    async (req) => searchServices(ctx.db.read, req.query),
  );
}
