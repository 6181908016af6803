import { CASE_KINDS, type CaseKind } from '@jiangxin/shared/ops/cases';
import {
  STATS_TIME_ZONE,
  type StatsBucket,
  type StatsFigures,
  type StatsResponse,
} from '@jiangxin/shared/ops/stats';
import { ORDER_STATUSES, type OrderStatus } from '@jiangxin/shared/orders';
import { sql } from 'kysely';
import type { ReadDb } from '../../platform/db/database';

/** China time is UTC+8 all year, so buckets are fixed-width slices of epoch seconds shifted by 8 h. */
const CHINA_OFFSET_S = 8 * 3600;
const STEP_S: Record<StatsBucket, number> = { hour: 3600, day: 86_400 };

const bucketIndex = (ms: number, step: number) => Math.floor((ms / 1000 + CHINA_OFFSET_S) / step);
const bucketStart = (index: number, step: number) => new Date((index * step - CHINA_OFFSET_S) * 1000);

function chinaLabel(start: Date, bucket: StatsBucket): string {
  const local = new Date(start.getTime() + CHINA_OFFSET_S * 1000).toISOString();
  return bucket === 'day' ? local.slice(0, 10) : `${local.slice(0, 10)} ${local.slice(11, 16)}`;
}

const emptyFigures = (): StatsFigures => ({
  gmvFen: 0,
  ordersPaid: 0,
  platformFeesFen: 0,
  refundsFen: 0,
  payoutsRequested: { count: 0, amountFen: 0 },
  payoutsExecuted: { count: 0, amountFen: 0 },
  payoutsFailed: { count: 0, amountFen: 0 },
});

/**
 * The operations dashboard: money per China-time bucket from the ledger (payments into escrow, fees,
 * refunds) and the payouts table; orders by status, escrow held and the case queues as they are now;
 * median handling time per case kind over the range. All computed by SQL from the rows themselves.
 */
export async function computeStats(
  db: ReadDb,
  q: { from: Date; to: Date; bucket: StatsBucket },
  now: Date,
): Promise<StatsResponse> {
  const step = STEP_S[q.bucket];
  const bucketOf = (col: string) =>
    sql.raw(`floor((extract(epoch from ${col}) + ${CHINA_OFFSET_S}) / ${step})::bigint`);
  const first = bucketIndex(q.from.getTime(), step);
  const last = bucketIndex(q.to.getTime() - 1, step);
  const rows = new Map<number, StatsFigures>();
  for (let i = first; i <= last; i++) rows.set(i, emptyFigures());
  const at = (b: number) => rows.get(Number(b));

  const ledger = await sql<{ b: number; gmv: number; paid: number; fees: number; refunds: number }>`
    SELECT ${bucketOf('j.created_at')} AS b,
      coalesce(sum(p.amount_fen) FILTER (WHERE j.kind = 'order_payment' AND a.kind = 'escrow'), 0) AS gmv,
      count(DISTINCT j.id) FILTER (WHERE j.kind = 'order_payment') AS paid,
      coalesce(sum(p.amount_fen) FILTER (WHERE a.kind = 'platform_fees'), 0) AS fees,
      coalesce(sum(p.amount_fen) FILTER (WHERE p.entry_type = 'refund' AND j.kind <> 'refund_failed'), 0) AS refunds
    FROM ledger_journals j
    JOIN ledger_postings p ON p.journal_id = j.id
    JOIN ledger_accounts a ON a.id = p.account_id
    WHERE j.created_at >= ${q.from} AND j.created_at < ${q.to}
    GROUP BY 1`.execute(db);
  for (const r of ledger.rows) {
    const f = at(r.b);
    if (!f) continue;
    f.gmvFen = Number(r.gmv);
    f.ordersPaid = Number(r.paid);
    f.platformFeesFen = Number(r.fees);
    f.refundsFen = Number(r.refunds);
  }

  const payouts = await sql<{ b: number; what: 'requested' | 'executed' | 'failed'; n: number; fen: number }>`
    SELECT b, what, count(*)::int AS n, coalesce(sum(amount_fen), 0) AS fen FROM (
      SELECT ${bucketOf('created_at')} AS b, 'requested' AS what, amount_fen FROM payouts
        WHERE created_at >= ${q.from} AND created_at < ${q.to}
      UNION ALL
      SELECT ${bucketOf('paid_at')}, 'executed', amount_fen FROM payouts
        WHERE status = 'paid' AND paid_at >= ${q.from} AND paid_at < ${q.to}
      UNION ALL
      SELECT ${bucketOf('updated_at')}, 'failed', amount_fen FROM payouts
        WHERE status = 'failed' AND updated_at >= ${q.from} AND updated_at < ${q.to}
    ) x GROUP BY b, what`.execute(db);
  const payoutKey = {
    requested: 'payoutsRequested',
    executed: 'payoutsExecuted',
    failed: 'payoutsFailed',
  } as const;
  for (const r of payouts.rows) {
    const f = at(r.b);
    if (f) f[payoutKey[r.what]] = { count: Number(r.n), amountFen: Number(r.fen) };
  }

  const totals = emptyFigures();
  for (const f of rows.values()) {
    totals.gmvFen += f.gmvFen;
    totals.ordersPaid += f.ordersPaid;
    totals.platformFeesFen += f.platformFeesFen;
    totals.refundsFen += f.refundsFen;
    for (const k of ['payoutsRequested', 'payoutsExecuted', 'payoutsFailed'] as const) {
      totals[k].count += f[k].count;
      totals[k].amountFen += f[k].amountFen;
    }
  }

  const byStatus = await db
    .selectFrom('orders')
    .select(['status', sql<number>`count(*)::int`.as('n')])
    .groupBy('status')
    .execute();
  const ordersByStatus = Object.fromEntries(ORDER_STATUSES.map((s) => [s, 0])) as Record<OrderStatus, number>;
  for (const r of byStatus) ordersByStatus[r.status as OrderStatus] = r.n;

  const escrow = await sql<{ fen: number }>`
    SELECT coalesce(sum(balance), 0) AS fen FROM ledger_accounts WHERE kind = 'escrow'`.execute(db);

  const queues = await sql<{ kind: CaseKind; depth: number; breached: number }>`
    SELECT kind, count(*)::int AS depth, count(*) FILTER (WHERE sla_breached)::int AS breached
    FROM cases WHERE status <> 'resolved' GROUP BY kind`.execute(db);
  const handling = await sql<{ kind: CaseKind; n: number; median: number | null }>`
    SELECT kind, count(*)::int AS n,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch from resolved_at - created_at)) AS median
    FROM cases WHERE resolved_at >= ${q.from} AND resolved_at < ${q.to} GROUP BY kind`.execute(db);
  const cases = CASE_KINDS.map((kind) => {
    const queue = queues.rows.find((r) => r.kind === kind);
    const h = handling.rows.find((r) => r.kind === kind);
    return {
      kind,
      queueDepth: queue?.depth ?? 0,
      slaBreached: queue?.breached ?? 0,
      resolvedInRange: h?.n ?? 0,
      medianHandlingSeconds:
        h?.median === null || h?.median === undefined ? null : Math.round(Number(h.median)),
    };
  });

  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    bucket: q.bucket,
    timeZone: STATS_TIME_ZONE,
    buckets: [...rows.entries()].map(([i, f]) => {
      const start = bucketStart(i, step);
      return { start: start.toISOString(), label: chinaLabel(start, q.bucket), ...f };
    }),
    totals,
    current: { ordersByStatus, escrowHeldFen: Number(escrow.rows[0]?.fen ?? 0), cases },
    generatedAt: now.toISOString(),
  };
}
