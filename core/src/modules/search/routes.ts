import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the search module. */
export async function registerSearchRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
