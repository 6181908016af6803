import type {
  LedgerAccount,
  LedgerAccountsResponse,
  LedgerFilter,
  LedgerPosting,
  LedgerTransactionPage,
  LedgerTransactionsQuery,
} from '@jiangxin/shared/ops/ledger';
import { z } from 'zod';
import type { ReadDb } from '../../platform/db/database';
import { cursorId, decodeCursor, encodeCursor } from '../../platform/http/cursor';
import { AppError, notFound } from '../../platform/http/problem';
import { getWallet } from './queries';

/**
 * The staff ledger explorer's reads (`/ops/ledger/…`, permission `ledger.view`): journal transactions
 * with every posting, newest first with keyset pagination, and accounts with their current balances,
 * for exactly one user, order or account. Read-only; like the customer context it is not audited.
 */

type Target =
  | { by: 'user'; userId: number; accountIds: number[] }
  | { by: 'order'; orderId: number }
  | { by: 'account'; accountId: number };

const iso = (d: Date | string) => new Date(d).toISOString();
const FILTER_FIELDS = ['userId', 'orderId', 'orderNumber', 'account'] as const;

/** Exactly one filter, naming the target; a missing user or order is a 404, an unknown account a 400. */
async function resolveTarget(db: ReadDb, filter: LedgerFilter): Promise<Target> {
  const given = FILTER_FIELDS.filter((f) => filter[f] !== undefined);
  if (given.length !== 1) {
    const named = (given.length ? given : FILTER_FIELDS).map((f) => ({
      field: `querystring.${f}`,
      message: 'give exactly one of userId, orderId, orderNumber, account',
    }));
    throw new AppError(
      'validation_failed',
      given.length === 0
        ? {
            zh: '请指定一个查询条件：用户 ID、订单（编号或 ID）或账户代码',
            en: 'Give one filter: a user id, an order (number or id) or an account code',
          }
        : {
            zh: '一次只能按一个条件查询（用户 ID、订单编号或 ID、账户代码），请只保留一个',
            en: 'Filter by one thing at a time (user id, order number or id, account code); keep only one',
          },
      undefined,
      named,
    );
  }
  if (filter.userId !== undefined) {
    const userId = filter.userId;
    const user = await db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound({ zh: `用户 #${userId} 不存在`, en: `There is no user #${userId}` });
    const accounts = await db
      .selectFrom('ledger_accounts')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    return { by: 'user', userId, accountIds: accounts.map((a) => a.id) };
  }
  if (filter.orderId !== undefined) {
    const orderId = filter.orderId;
    const order = await db.selectFrom('orders').select('id').where('id', '=', orderId).executeTakeFirst();
    if (!order) throw notFound({ zh: `订单 #${orderId} 不存在`, en: `There is no order #${orderId}` });
    return { by: 'order', orderId };
  }
  if (filter.orderNumber !== undefined) {
    const orderNumber = filter.orderNumber;
    const order = await db
      .selectFrom('orders')
      .select('id')
      .where('order_number', '=', orderNumber)
      .executeTakeFirst();
    if (!order) throw notFound({ zh: `订单 ${orderNumber} 不存在`, en: `There is no order ${orderNumber}` });
    return { by: 'order', orderId: order.id };
  }
  const code = filter.account!;
  const account = await db
    .selectFrom('ledger_accounts')
    .select('id')
    .where('code', '=', code)
    .executeTakeFirst();
  if (!account)
    throw new AppError(
      'validation_failed',
      {
        zh: `没有代码为 ${code} 的账户（例如 user:12:available、order:7:escrow、platform:fees）`,
        en: `There is no account ${code} (codes look like user:12:available, order:7:escrow, platform:fees)`,
      },
      undefined,
      [{ field: 'querystring.account', message: 'no such account' }],
    );
  return { by: 'account', accountId: account.id };
}

/** Journal transactions for the target, newest first, each with all of its postings. */
export async function ledgerTransactions(
  db: ReadDb,
  query: LedgerTransactionsQuery,
): Promise<LedgerTransactionPage> {
  const target = await resolveTarget(db, query);
  const before = query.cursor ? decodeCursor(query.cursor, 'ledger.tx', z.tuple([cursorId]))[0] : null;
  if (target.by === 'user' && target.accountIds.length === 0) return { items: [], nextCursor: null };

  let q = db
    .selectFrom('ledger_journals as j')
    .leftJoin('orders as o', 'o.id', 'j.order_id')
    .select([
      'j.id',
      'j.kind',
      'j.order_id',
      'j.description',
      'j.idempotency_key',
      'j.created_at',
      'o.order_number',
    ]);
  if (target.by === 'order') q = q.where('j.order_id', '=', target.orderId);
  else {
    const accountIds = target.by === 'user' ? target.accountIds : [target.accountId];
    q = q.where('j.id', 'in', (eb) =>
      eb
        .selectFrom('ledger_postings as p')
        .select('p.journal_id')
        .where('p.account_id', 'in', accountIds)
        .$if(before !== null, (sub) => sub.where('p.journal_id', '<', before!)),
    );
  }
  if (before !== null) q = q.where('j.id', '<', before);
  const rows = await q
    .orderBy('j.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const postings = await postingsOf(
    db,
    page.map((r) => r.id),
  );
  return {
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      orderId: r.order_id,
      orderNumber: r.order_number,
      description: r.description,
      idempotencyKey: r.idempotency_key,
      createdAt: iso(r.created_at),
      postings: postings.get(r.id) ?? [],
    })),
    nextCursor: rows.length > query.limit ? encodeCursor('ledger.tx', [page.at(-1)!.id]) : null,
  };
}

async function postingsOf(db: ReadDb, journalIds: number[]): Promise<Map<number, LedgerPosting[]>> {
  const byJournal = new Map<number, LedgerPosting[]>();
  if (journalIds.length === 0) return byJournal;
  const rows = await db
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_accounts as a', 'a.id', 'p.account_id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('orders as o', 'o.id', 'a.order_id')
    .select([
      'p.id',
      'p.journal_id',
      'p.account_id',
      'p.amount_fen',
      'p.balance_after',
      'p.entry_type',
      'a.code',
      'a.kind',
      'a.user_id',
      'a.order_id',
      'u.nickname',
      'o.order_number',
    ])
    .where('p.journal_id', 'in', journalIds)
    .orderBy('p.id')
    .execute();
  for (const r of rows) {
    const list = byJournal.get(r.journal_id) ?? [];
    list.push({
      id: r.id,
      accountId: r.account_id,
      accountCode: r.code,
      accountKind: r.kind,
      userId: r.user_id,
      userNickname: r.nickname,
      orderId: r.order_id,
      orderNumber: r.order_number,
      amountFen: Number(r.amount_fen),
      balanceAfterFen: r.balance_after === null ? null : Number(r.balance_after),
      entryType: r.entry_type,
    });
    byJournal.set(r.journal_id, list);
  }
  return byJournal;
}

/**
 * The target's accounts with their balances now: a user's own accounts (and the wallet as the user sees
 * it); an order's escrow and every account its journals touched; or the one account.
 */
export async function ledgerAccounts(db: ReadDb, filter: LedgerFilter): Promise<LedgerAccountsResponse> {
  const target = await resolveTarget(db, filter);
  let q = db
    .selectFrom('ledger_accounts as a')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .leftJoin('orders as o', 'o.id', 'a.order_id')
    .select([
      'a.id',
      'a.code',
      'a.kind',
      'a.user_id',
      'a.order_id',
      'a.balance',
      'a.created_at',
      'u.nickname',
      'o.order_number',
    ]);
  if (target.by === 'user') q = q.where('a.user_id', '=', target.userId);
  else if (target.by === 'account') q = q.where('a.id', '=', target.accountId);
  else {
    const orderId = target.orderId;
    q = q.where((eb) =>
      eb.or([
        eb('a.order_id', '=', orderId),
        eb(
          'a.id',
          'in',
          eb
            .selectFrom('ledger_postings as p')
            .innerJoin('ledger_journals as j', 'j.id', 'p.journal_id')
            .select('p.account_id')
            .where('j.order_id', '=', orderId),
        ),
      ]),
    );
  }
  const rows = await q.orderBy('a.id').execute();
  const ids = rows.map((r) => r.id);
  const totals = new Map<number, { count: number; sum: number }>();
  if (ids.length) {
    const sums = await db
      .selectFrom('ledger_postings')
      .select((eb) => [
        'account_id',
        eb.fn.countAll<number>().as('count'),
        eb.fn.coalesce(eb.fn.sum<number>('amount_fen'), eb.lit(0)).as('sum'),
      ])
      .where('account_id', 'in', ids)
      .groupBy('account_id')
      .execute();
    for (const s of sums) totals.set(s.account_id, { count: Number(s.count), sum: Number(s.sum) });
  }
  const accounts: LedgerAccount[] = rows.map((r) => {
    const t = totals.get(r.id) ?? { count: 0, sum: 0 };
    return {
      id: r.id,
      code: r.code,
      kind: r.kind,
      userId: r.user_id,
      userNickname: r.nickname,
      orderId: r.order_id,
      orderNumber: r.order_number,
      balanceFen: r.balance === null ? t.sum : Number(r.balance),
      balanceSource: r.balance === null ? 'summed' : 'cached',
      postingCount: t.count,
      createdAt: iso(r.created_at),
    };
  });
  const wallet = target.by === 'user' ? await getWallet(db, target.userId) : null;
  return { accounts, wallet };
}
