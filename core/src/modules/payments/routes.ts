import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the payments module. */
export async function registerPaymentsRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
