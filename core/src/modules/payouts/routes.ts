import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Payouts routes. */
export async function registerPayoutsRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
