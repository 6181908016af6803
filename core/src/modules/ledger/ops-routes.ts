import type { AppContext } from '../../platform/context';
import { opsRoute } from '../../platform/http/ops-route';
import type { HttpServer } from '../../platform/http/server';
import { ledgerAccounts, ledgerTransactions } from './ops';

/** The finance staff's ledger explorer (`ledger.view`): read-only. */
export async function registerLedgerOpsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  opsRoute(app, 'listLedgerTransactions', async (req) => ledgerTransactions(ctx.db.fresh, req.query));
  opsRoute(app, 'listLedgerAccounts', async (req) => ledgerAccounts(ctx.db.fresh, req.query));
}
