import { ESCROW_HOLDING_STATUSES } from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import type { ReadDb } from '../../platform/db/database';

export interface LedgerProblem {
  kind:
    | 'unbalanced_journal'
    | 'balance_mismatch'
    | 'running_balance_mismatch'
    | 'negative_balance'
    | 'escrow_mismatch'
    | 'escrow_total_mismatch';
  detail: string;
}

export interface LedgerReport {
  ok: boolean;
  journals: number;
  postings: number;
  escrowHeldFen: number;
  openOrdersFen: number;
  problems: LedgerProblem[];
}

/**
 * Proves the ledger invariants from the postings themselves:
 * every journal sums to zero; every cached balance equals the sum of its postings, and each posting's
 * `balance_after` (what a wallet history shows) the sum up to it; no account that must
 * stay non-negative is below zero; each order's escrow holds exactly its amount while the order is paid
 * and open, and nothing once it is settled; total escrow equals the sum of open orders.
 */
export async function checkLedger(db: ReadDb): Promise<LedgerReport> {
  const problems: LedgerProblem[] = [];

  const unbalanced = await sql<{ journal_id: number; total: number }>`
    SELECT j.id AS journal_id, coalesce(sum(p.amount_fen), 0) AS total
    FROM ledger_journals j LEFT JOIN ledger_postings p ON p.journal_id = j.id
    GROUP BY j.id HAVING coalesce(sum(p.amount_fen), 0) <> 0 OR count(p.id) < 2`.execute(db);
  for (const r of unbalanced.rows)
    problems.push({ kind: 'unbalanced_journal', detail: `journal ${r.journal_id} sums to ${r.total}` });

  const balances = await sql<{
    id: number;
    code: string;
    cached: number | null;
    actual: number;
    allow_negative: boolean;
  }>`
    SELECT a.id, a.code, a.balance AS cached, coalesce(sum(p.amount_fen), 0) AS actual, a.allow_negative
    FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
    GROUP BY a.id`.execute(db);
  for (const a of balances.rows) {
    if (a.cached !== null && Number(a.cached) !== Number(a.actual)) {
      problems.push({
        kind: 'balance_mismatch',
        detail: `${a.code}: cached ${a.cached}, postings ${a.actual}`,
      });
    }
    if (!a.allow_negative && Number(a.actual) < 0)
      problems.push({ kind: 'negative_balance', detail: `${a.code}: ${a.actual}` });
  }

  // Postings without a balance_after (platform accounts keep none) are not checked.
  const running = await sql<{ code: string; posting_id: number; balance_after: number; running: number }>`
    SELECT code, posting_id, balance_after, running FROM (
      SELECT a.code, p.id AS posting_id, p.balance_after,
             sum(p.amount_fen) OVER (PARTITION BY p.account_id ORDER BY p.id) AS running
      FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
      WHERE a.balance IS NOT NULL
    ) w
    WHERE balance_after IS NOT NULL AND balance_after <> running
    ORDER BY posting_id LIMIT 100`.execute(db);
  for (const r of running.rows)
    problems.push({
      kind: 'running_balance_mismatch',
      detail: `${r.code}: posting ${r.posting_id} says ${r.balance_after} after it, the postings sum to ${r.running}`,
    });

  const holding = sql.join(ESCROW_HOLDING_STATUSES.map((s) => sql.lit(s)));
  const escrow = await sql<{
    order_id: number;
    order_number: string;
    status: string;
    amount_fen: number;
    held: number;
  }>`
    SELECT o.id AS order_id, o.order_number, o.status, o.amount_fen, coalesce(sum(p.amount_fen), 0) AS held
    FROM orders o
    LEFT JOIN ledger_accounts a ON a.order_id = o.id AND a.kind = 'escrow'
    LEFT JOIN ledger_postings p ON p.account_id = a.id
    GROUP BY o.id
    HAVING coalesce(sum(p.amount_fen), 0) <> CASE WHEN o.status IN (${holding}) THEN o.amount_fen ELSE 0 END`.execute(
    db,
  );
  for (const o of escrow.rows) {
    problems.push({
      kind: 'escrow_mismatch',
      detail: `order ${o.order_number} (${o.status}, ${o.amount_fen} fen) holds ${o.held} in escrow`,
    });
  }

  const totals = await sql<{ escrow: number; open_orders: number; journals: number; postings: number }>`
    SELECT
      (SELECT coalesce(sum(p.amount_fen), 0) FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE a.kind = 'escrow') AS escrow,
      (SELECT coalesce(sum(amount_fen), 0) FROM orders WHERE status IN (${holding})) AS open_orders,
      (SELECT count(*) FROM ledger_journals) AS journals,
      (SELECT count(*) FROM ledger_postings) AS postings`.execute(db);
  const t = totals.rows[0] ?? { escrow: 0, open_orders: 0, journals: 0, postings: 0 };
  if (Number(t.escrow) !== Number(t.open_orders)) {
    problems.push({
      kind: 'escrow_total_mismatch',
      detail: `escrow holds ${t.escrow}, open orders total ${t.open_orders}`,
    });
  }
  return {
    ok: problems.length === 0,
    journals: Number(t.journals),
    postings: Number(t.postings),
    escrowHeldFen: Number(t.escrow),
    openOrdersFen: Number(t.open_orders),
    problems,
  };
}
