import {
  ledgerAccountsResponseSchema,
  ledgerFilterSchema,
  ledgerTransactionPageSchema,
  ledgerTransactionsQuerySchema,
} from '@jiangxin/shared/ops/ledger';
import type { AppContext } from '../../platform/context';
import { requireStaff } from '../../platform/http/auth';
import type { HttpServer } from '../../platform/http/server';
import { ledgerAccounts, ledgerTransactions } from './ops';

const tags = ['ops: ledger'];
const security = [{ bearer: [] }];

/** The finance staff's ledger explorer (`ledger.view`): read-only. */
export async function registerLedgerOpsRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  app.get(
    '/ops/ledger/transactions',
    {
      schema: {
        tags,
        security,
        summary:
          '账务流水 Journal transactions with all postings, newest first, for one user, order or account',
        querystring: ledgerTransactionsQuerySchema,
        response: { 200: ledgerTransactionPageSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'ledger.view');
      return ledgerTransactions(ctx.db.read, req.query);
    },
  );

  app.get(
    '/ops/ledger/accounts',
    {
      schema: {
        tags,
        security,
        summary: '账户余额 Ledger accounts with current balances, for one user, order or account',
        querystring: ledgerFilterSchema,
        response: { 200: ledgerAccountsResponseSchema },
      },
    },
    async (req) => {
      requireStaff(req, 'ledger.view');
      return ledgerAccounts(ctx.db.read, req.query);
    },
  );
}
