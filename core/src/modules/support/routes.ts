import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Support routes. */
export async function registerSupportRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
