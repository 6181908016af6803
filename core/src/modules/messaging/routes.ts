import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the messaging module. */
export async function registerMessagingRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
