import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Moderation routes. */
export async function registerModerationRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
