import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the files module. */
export async function registerFilesRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
