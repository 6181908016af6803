import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Disputes routes. */
export async function registerDisputesRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
