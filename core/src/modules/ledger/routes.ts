import { pageQuerySchema } from '@jiangxin/shared/api/common';
import {
  type WalletTransactionType,
  walletSchema,
  walletTransactionPageSchema,
} from '@jiangxin/shared/api/wallet';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import { requireUser } from '../../platform/http/auth';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import type { HttpServer } from '../../platform/http/server';
import { accountCode } from './accounts';
import { registerLedgerOpsRoutes } from './ops-routes';
import { getWallet } from './queries';

/**
 * The caller's wallet and its history, both derived from ledger postings; and the staff ledger explorer
 * (`/ops/ledger/…`).
 */
export async function registerLedgerRoutes(app: HttpServer, ctx: AppContext): Promise<void> {
  await registerLedgerOpsRoutes(app, ctx);
  app.get(
    '/wallet',
    {
      schema: {
        operationId: 'getWallet',
        tags: ['wallet'],
        security: [{ bearer: [] }],
        summary: '我的钱包 My wallet',
        response: { 200: walletSchema },
      },
    },
    async (req) => getWallet(ctx.db.fresh, requireUser(req).userId),
  );
  app.get(
    '/wallet/transactions',
    {
      schema: {
        operationId: 'listWalletTransactions',
        tags: ['wallet'],
        security: [{ bearer: [] }],
        summary: '资金明细 Wallet history (newest first)',
        querystring: pageQuerySchema,
        response: { 200: walletTransactionPageSchema },
      },
    },
    async (req) => {
      const { userId } = requireUser(req);
      const before = req.query.cursor
        ? decodeCursor(req.query.cursor, 'wallet', z.tuple([cursorId]))[0]
        : null;
      let q = ctx.db.fresh
        .selectFrom('ledger_postings as p')
        .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
        .innerJoin('ledger_journals as j', 'j.id', 'p.journal_id')
        .leftJoin('orders as o', 'o.id', 'j.order_id')
        .select([
          'p.id',
          'p.journal_id',
          'p.entry_type',
          'p.amount_fen',
          'p.balance_after',
          'p.created_at',
          'j.order_id',
          'o.order_number',
        ])
        .where('a.code', 'in', [accountCode.available(userId), accountCode.payoutPending(userId)]);
      if (before !== null) q = q.where('p.id', '<', before);
      const rows = await q
        .orderBy('p.id', 'desc')
        .limit(req.query.limit + 1)
        .execute();
      const page = rows.slice(0, req.query.limit);
      return {
        items: page.map((r) => ({
          id: r.id,
          transactionId: `J${r.journal_id}`,
          type: (r.entry_type ?? 'adjustment') as WalletTransactionType,
          amountFen: r.amount_fen,
          balanceAfterFen: r.balance_after ?? 0,
          orderId: r.order_id,
          orderNumber: r.order_number,
          createdAt: new Date(r.created_at).toISOString(),
        })),
        nextCursor:
          rows.length > req.query.limit ? encodeCursor('wallet', [page[page.length - 1]!.id]) : null,
      };
    },
  );
}
