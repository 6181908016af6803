import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Stats routes. */
export async function registerStatsRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
