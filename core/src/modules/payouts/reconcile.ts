import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import { formatFen } from '@jiangxin/shared/money';
import { PAYMENT_PROVIDER_LABELS } from '@jiangxin/shared/ops/drilldown';
import {
  RECONCILIATION_MOVEMENT_LABELS,
  RECONCILIATION_PROBLEM_LABELS,
  type ReconciliationProblem,
} from '@jiangxin/shared/ops/payouts';
import { sql } from 'kysely';
import { z } from 'zod';
import type { AppContext } from '../../platform/context';
import type { ReadDb } from '../../platform/db/database';
import { appendEvent } from '../../platform/events/outbox';
import { openCase } from '../cases/commands';
import { PAYOUT_JOURNALS } from './ledger';

/** One money movement as either side records it. */
export interface Movement {
  kind: 'payment' | 'refund' | 'transfer';
  provider: PaymentProvider;
  /** out_trade_no (payment), out_request_no (refund), out_biz_no (transfer). */
  reference: string;
  amountFen: number;
  /** Gateway side only: a transfer the gateway refused moved no money. */
  status: 'succeeded' | 'failed';
}

/** Fetches the gateway statement of one Asia/Shanghai day. */
export type StatementSource = (day: string) => Promise<Movement[]>;

const statementSchema = z.object({
  entries: z.array(
    z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('payment'),
        provider: z.enum(['alipay', 'wechat']),
        outTradeNo: z.string(),
        amountFen: z.number().int(),
        status: z.string(),
      }),
      z.object({
        kind: z.literal('refund'),
        provider: z.enum(['alipay', 'wechat']),
        outRequestNo: z.string(),
        amountFen: z.number().int(),
        status: z.string(),
      }),
      z.object({
        kind: z.literal('transfer'),
        provider: z.enum(['alipay', 'wechat']),
        outBizNo: z.string(),
        amountFen: z.number().int(),
        status: z.string(),
      }),
    ]),
  ),
});

/**
 * The sandbox gateway's statement (`GET /sandbox/statement?date=`): settled payments, refunds and
 * transfers of both providers. Real Alipay/WeChat bills are downloaded files; their parser would be
 * another StatementSource.
 */
export function sandboxStatementSource(baseUrl: string): StatementSource {
  return async (day) => {
    const res = await fetch(`${baseUrl.replace(/\/$/, '')}/sandbox/statement?date=${day}`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`statement ${day}: HTTP ${res.status}`);
    const body = statementSchema.parse(await res.json());
    const out: Movement[] = [];
    for (const e of body.entries) {
      if (e.kind === 'payment') {
        // Only a paid trade moved money; a failed or closed one is not a movement.
        if (e.status !== 'succeeded') continue;
        out.push({
          kind: 'payment',
          provider: e.provider,
          reference: e.outTradeNo,
          amountFen: e.amountFen,
          status: 'succeeded',
        });
      } else if (e.kind === 'refund') {
        out.push({
          kind: 'refund',
          provider: e.provider,
          reference: e.outRequestNo,
          amountFen: e.amountFen,
          status: 'succeeded',
        });
      } else {
        out.push({
          kind: 'transfer',
          provider: e.provider,
          reference: e.outBizNo,
          amountFen: e.amountFen,
          status: e.status === 'succeeded' ? 'succeeded' : 'failed',
        });
      }
    }
    return out;
  };
}

/** Where the statement comes from when the caller names no source: the sandbox the gateways talk to. */
export function defaultStatementSource(ctx: AppContext): StatementSource {
  return sandboxStatementSource(
    ctx.env.WECHATPAY_GATEWAY_URL ?? `http://${ctx.env.HOST}:${ctx.env.SANDBOX_PORT}`,
  );
}

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** [start, end) of an Asia/Shanghai day in UTC instants. */
export function shanghaiDayRange(day: string): { from: Date; to: Date } {
  const from = new Date(new Date(`${day}T00:00:00.000Z`).getTime() - SHANGHAI_OFFSET_MS);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

function shiftDay(day: string, days: number): string {
  return new Date(new Date(`${day}T00:00:00.000Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

const key = (m: Pick<Movement, 'kind' | 'provider' | 'reference'>) =>
  `${m.kind}:${m.provider}:${m.reference}`;

/**
 * What the ledger says left or entered through the gateways, booked in [from, to): payments received
 * (the clearing side of each `payment:<id>` journal), refunds the gateway confirmed, and payouts paid
 * (the clearing side of each `payout_paid:<id>` journal). `reference` narrows to one movement (any day).
 */
async function ledgerMovements(
  db: ReadDb,
  range: { from: Date; to: Date } | null,
  only?: Pick<Movement, 'kind' | 'provider' | 'reference'>,
): Promise<Movement[]> {
  const out: Movement[] = [];
  const inRange = (col: string) =>
    range ? sql`${sql.ref(col)} >= ${range.from} AND ${sql.ref(col)} < ${range.to}` : sql`true`;
  if (!only || only.kind === 'payment') {
    const rows = await sql<{ provider: PaymentProvider; reference: string; amount: number }>`
      SELECT p.provider, p.out_trade_no AS reference, -sum(po.amount_fen) AS amount
      FROM ledger_journals j
      JOIN payments p ON j.idempotency_key = 'payment:' || p.id
      JOIN ledger_postings po ON po.journal_id = j.id
      JOIN ledger_accounts a ON a.id = po.account_id AND a.kind = 'gateway_clearing'
      WHERE j.kind = 'order_payment' AND ${inRange('j.created_at')}
        ${only ? sql`AND p.out_trade_no = ${only.reference} AND p.provider = ${only.provider}` : sql``}
      GROUP BY p.provider, p.out_trade_no`.execute(db);
    for (const r of rows.rows)
      out.push({
        kind: 'payment',
        provider: r.provider,
        reference: r.reference,
        amountFen: Number(r.amount),
        status: 'succeeded',
      });
  }
  if (!only || only.kind === 'refund') {
    const rows = await sql<{ provider: PaymentProvider; reference: string; amount: number }>`
      SELECT p.provider, r.out_request_no AS reference, r.amount_fen AS amount
      FROM refunds r JOIN payments p ON p.id = r.payment_id
      WHERE r.status = 'succeeded' AND ${inRange('r.updated_at')}
        ${only ? sql`AND r.out_request_no = ${only.reference} AND p.provider = ${only.provider}` : sql``}`.execute(
      db,
    );
    for (const r of rows.rows)
      out.push({
        kind: 'refund',
        provider: r.provider,
        reference: r.reference,
        amountFen: Number(r.amount),
        status: 'succeeded',
      });
  }
  if (!only || only.kind === 'transfer') {
    const rows = await sql<{ provider: PaymentProvider; reference: string; amount: number }>`
      SELECT x.provider, x.out_biz_no AS reference, sum(po.amount_fen) AS amount
      FROM ledger_journals j
      JOIN payouts x ON j.idempotency_key = 'payout_paid:' || x.id
      JOIN ledger_postings po ON po.journal_id = j.id
      JOIN ledger_accounts a ON a.id = po.account_id AND a.kind = 'gateway_clearing'
      WHERE j.kind = ${PAYOUT_JOURNALS.paid} AND ${inRange('j.created_at')}
        ${only ? sql`AND x.out_biz_no = ${only.reference} AND x.provider = ${only.provider}` : sql``}
      GROUP BY x.provider, x.out_biz_no`.execute(db);
    for (const r of rows.rows)
      out.push({
        kind: 'transfer',
        provider: r.provider,
        reference: r.reference,
        amountFen: Number(r.amount),
        status: 'succeeded',
      });
  }
  return out;
}

interface Found {
  kind: Movement['kind'];
  provider: PaymentProvider;
  reference: string;
  problem: ReconciliationProblem;
  ledgerAmountFen: number | null;
  gatewayAmountFen: number | null;
}

/**
 * Compares the ledger's gateway movements of one Asia/Shanghai day with the gateway statement of that
 * day. A movement booked just across midnight on one side is looked up on the neighbouring day before it
 * counts as missing. Every difference (missing on one side, amount differs, paid here but failed there)
 * is recorded once per movement and opens one `reconciliation_mismatch` case; running the same day
 * again opens nothing new. Returns the differences found by this run and how many were new.
 */
export async function reconcileDay(
  ctx: AppContext,
  day: string,
  opts: { statement?: StatementSource } = {},
): Promise<{ mismatches: number; opened: number }> {
  if (!DAY.test(day) || Number.isNaN(new Date(`${day}T00:00:00Z`).getTime()))
    throw new Error(`reconcileDay: day must be YYYY-MM-DD, got ${day}`);
  const source = opts.statement ?? defaultStatementSource(ctx);
  const gateway = await source(day);
  const ledger = await ledgerMovements(ctx.db.write, shanghaiDayRange(day));
  const gatewayByKey = new Map(gateway.map((m) => [key(m), m]));
  const ledgerByKey = new Map(ledger.map((m) => [key(m), m]));
  const found: Found[] = [];
  const neighbours = new Map<string, Movement>();
  let neighboursLoaded = false;

  for (const g of gateway) {
    const l = ledgerByKey.get(key(g));
    if (g.status === 'failed') {
      // A refused transfer moved no money; it is a difference only if the ledger paid it out.
      const paid = l ?? (await ledgerMovements(ctx.db.write, null, g))[0];
      if (paid)
        found.push({
          ...g,
          problem: 'status_differs',
          ledgerAmountFen: paid.amountFen,
          gatewayAmountFen: null,
        });
      continue;
    }
    const booked = l ?? (await ledgerMovements(ctx.db.write, null, g))[0];
    if (!booked)
      found.push({
        ...g,
        problem: 'missing_in_ledger',
        ledgerAmountFen: null,
        gatewayAmountFen: g.amountFen,
      });
    else if (booked.amountFen !== g.amountFen)
      found.push({
        ...g,
        problem: 'amount_differs',
        ledgerAmountFen: booked.amountFen,
        gatewayAmountFen: g.amountFen,
      });
  }
  for (const l of ledger) {
    if (gatewayByKey.has(key(l))) continue;
    if (!neighboursLoaded) {
      for (const m of [...(await source(shiftDay(day, -1))), ...(await source(shiftDay(day, 1)))])
        neighbours.set(key(m), m);
      neighboursLoaded = true;
    }
    const g = neighbours.get(key(l));
    if (!g)
      found.push({
        ...l,
        problem: 'missing_at_gateway',
        ledgerAmountFen: l.amountFen,
        gatewayAmountFen: null,
      });
    else if (g.status === 'failed')
      found.push({ ...l, problem: 'status_differs', ledgerAmountFen: l.amountFen, gatewayAmountFen: null });
    else if (g.amountFen !== l.amountFen)
      found.push({
        ...l,
        problem: 'amount_differs',
        ledgerAmountFen: l.amountFen,
        gatewayAmountFen: g.amountFen,
      });
  }

  let opened = 0;
  for (const f of found) if (await recordMismatch(ctx, day, f)) opened += 1;
  return { mismatches: found.length, opened };
}

/** Stores the mismatch and opens its case, once per movement. Returns whether it was new. */
async function recordMismatch(ctx: AppContext, day: string, f: Found): Promise<boolean> {
  return ctx.db.transact(async (tx) => {
    const row = await tx
      .insertInto('reconciliation_mismatches')
      .values({
        day,
        kind: f.kind,
        provider: f.provider,
        reference: f.reference,
        problem: f.problem,
        ledger_amount_fen: f.ledgerAmountFen,
        gateway_amount_fen: f.gatewayAmountFen,
        detail: JSON.stringify({}),
        created_at: ctx.now(),
      })
      .onConflict((oc) => oc.columns(['kind', 'provider', 'reference']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!row) return false;
    const amounts = [f.ledgerAmountFen, f.gatewayAmountFen].filter((a): a is number => a !== null);
    const summary = await openCase(ctx, tx, {
      kind: 'reconciliation_mismatch',
      subjectType: 'reconciliation_mismatch',
      subjectId: row.id,
      stage: f.problem,
      priority: 2,
      amountFen: amounts.length ? Math.max(...amounts) : null,
      title: `对账差异 ${day} · ${PAYMENT_PROVIDER_LABELS[f.provider].zh}${RECONCILIATION_MOVEMENT_LABELS[f.kind].zh} ${f.reference} · ${RECONCILIATION_PROBLEM_LABELS[f.problem].zh}`,
      summary: {
        day,
        kind: f.kind,
        provider: f.provider,
        reference: f.reference,
        problem: f.problem,
        ledgerAmountFen: f.ledgerAmountFen,
        gatewayAmountFen: f.gatewayAmountFen,
        ledgerAmount: f.ledgerAmountFen === null ? null : formatFen(f.ledgerAmountFen),
        gatewayAmount: f.gatewayAmountFen === null ? null : formatFen(f.gatewayAmountFen),
      },
      searchText: f.reference,
    });
    await tx
      .updateTable('reconciliation_mismatches')
      .set({ case_id: summary.id })
      .where('id', '=', row.id)
      .execute();
    await appendEvent(
      tx,
      'reconciliation.mismatch_found',
      { aggregateType: 'reconciliation_mismatch', aggregateId: row.id },
      { mismatchId: row.id, day, kind: f.kind, reference: f.reference, problem: f.problem },
    );
    return true;
  });
}
