import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the reviews module. */
export async function registerReviewsRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
