import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the catalog module. */
export async function registerCatalogRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
