import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the orders module. */
export async function registerOrdersRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
