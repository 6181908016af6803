import type { AppContext } from '../../platform/context';
import type { HttpServer } from '../../platform/http/server';

/** Routes of the ledger module. */
export async function registerLedgerRoutes(_app: HttpServer, _ctx: AppContext): Promise<void> {}
