import { CASE_KIND_LABELS } from '@jiangxin/shared/ops/cases';
import type { StatsBucket, StatsResponse } from '@jiangxin/shared/ops/stats';
import { Alert, Button, Segmented, Spin, Switch } from 'antd';
import { lazy, Suspense, useEffect, useId, useRef, useState } from 'react';
import { useBridgeEvent } from '../../bridge';
import { useBridgeQuery } from '../../calls';
import { formatFen, formatTime } from '../../format';
import { useT } from '../../i18n';
import type { WorkspaceScreenProps } from '../../kit/pane';
import './dashboard.css';
import {
  bucketRows,
  DASHBOARD_RANGES,
  type DashboardRange,
  defaultBucket,
  hourAllowed,
  statsQuery,
} from './model';
import { useDashboardStrings } from './strings';

/** recharts is loaded only when the charts are first shown (it is most of this screen's weight). */
const DashboardCharts = lazy(() => import('./DashboardCharts'));

/** Bursts of case changes are folded into one re-read; the figures are re-read every minute anyway. */
export const CHANGES_DEBOUNCE_MS = 1_000;
export const REFRESH_INTERVAL_MS = 60_000;

type DashboardStrings = ReturnType<typeof useDashboardStrings>;

/**
 * The operations dashboards (`stats.get`): money per China-time day or hour (GMV, fees, refunds,
 * payouts), escrow held now and the case queues with their SLA breaches. Re-read when cases change
 * (debounced) and every minute; each chart has a title and a description and the same figures are one
 * switch away as tables, so nothing depends on telling colours apart.
 */
export function DashboardScreen(_props: WorkspaceScreenProps) {
  const { pick, locale } = useT();
  const s = useDashboardStrings();
  const [range, setRange] = useState<DashboardRange>('30d');
  const [bucket, setBucket] = useState<StatsBucket>('day');
  const [asTable, setAsTable] = useState(false);
  const changeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const tableSwitchId = useId();
  // The figures stay on screen while another range or a refresh is read; the range ends when it is asked.
  const read = useBridgeQuery('stats.get', statsQuery(range, bucket, Date.now()), {
    key: [range, bucket],
    keepPreviousData: true,
  });
  const stats = read.data ?? null;
  const { problem, loading, reload } = read;

  useEffect(() => {
    const timer = setInterval(reload, REFRESH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [reload]);
  useEffect(
    () => () => {
      if (changeTimer.current) clearTimeout(changeTimer.current);
    },
    [],
  );
  useBridgeEvent('cases.changed', () => {
    if (changeTimer.current) clearTimeout(changeTimer.current);
    changeTimer.current = setTimeout(reload, CHANGES_DEBOUNCE_MS);
  });

  const pickRange = (next: DashboardRange) => {
    setRange(next);
    if (!hourAllowed(next)) setBucket('day');
    else if (next === '1d') setBucket(defaultBucket(next));
  };

  const rangeLabels: Record<DashboardRange, string> = {
    '1d': s('range1d'),
    '7d': s('range7d'),
    '30d': s('range30d'),
    '90d': s('range90d'),
  };

  return (
    <main className="dashboard-screen" data-testid="dashboard-screen">
      <div className="dashboard-head">
        <h1>{s('title')}</h1>
        <div className="dashboard-controls">
          <Segmented<DashboardRange>
            aria-label={s('rangeLabel')}
            data-testid="dashboard-range"
            value={range}
            onChange={pickRange}
            options={DASHBOARD_RANGES.map((r) => ({
              value: r,
              label: <span data-testid={`dashboard-range-${r}`}>{rangeLabels[r]}</span>,
            }))}
          />
          <Segmented<StatsBucket>
            aria-label={s('bucketLabel')}
            data-testid="dashboard-bucket"
            value={bucket}
            onChange={setBucket}
            options={[
              { value: 'day', label: s('bucketDay') },
              {
                value: 'hour',
                label: <span title={hourAllowed(range) ? undefined : s('hourLimit')}>{s('bucketHour')}</span>,
                disabled: !hourAllowed(range),
              },
            ]}
          />
          <label htmlFor={tableSwitchId} className="dashboard-switch">
            <Switch
              id={tableSwitchId}
              checked={asTable}
              onChange={setAsTable}
              data-testid="dashboard-as-table"
            />
            {s('asTable')}
          </label>
          <Button onClick={reload} loading={loading} data-testid="dashboard-refresh">
            {loading ? s('refreshing') : s('refresh')}
          </Button>
        </div>
      </div>
      {stats && (
        <p className="muted small" data-testid="dashboard-updated">
          {s('updatedAt', { time: formatTime(stats.generatedAt, locale) })}
        </p>
      )}
      {problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          data-testid="dashboard-error"
          title={pick(problem.message)}
          description={
            <>
              {s('needsCore')}
              {stats && ` ${s('staleNote')}`}
            </>
          }
          action={
            <Button onClick={reload} data-testid="dashboard-retry">
              {s('retry')}
            </Button>
          }
        />
      )}
      {!stats && !problem && (
        <div className="dashboard-loading" data-testid="dashboard-loading">
          <Spin />
          <span>{s('loading')}</span>
        </div>
      )}
      {stats && <Figures stats={stats} s={s} />}
      {stats &&
        (asTable ? (
          <DashboardTables stats={stats} s={s} />
        ) : (
          <Suspense
            fallback={
              <div className="dashboard-loading">
                <Spin />
                <span>{s('chartsLoading')}</span>
              </div>
            }
          >
            <DashboardCharts stats={stats} />
          </Suspense>
        ))}
    </main>
  );
}

function Figures({ stats, s }: { stats: StatsResponse; s: DashboardStrings }) {
  const t = stats.totals;
  const depth = stats.current.cases.reduce((sum, c) => sum + c.queueDepth, 0);
  const breached = stats.current.cases.reduce((sum, c) => sum + c.slaBreached, 0);
  const figures: { id: string; label: string; value: string; note?: string }[] = [
    { id: 'gmv', label: s('gmv'), value: formatFen(t.gmvFen), note: s('countOf', { n: t.ordersPaid }) },
    { id: 'fees', label: s('fees'), value: formatFen(t.platformFeesFen) },
    { id: 'refunds', label: s('refunds'), value: formatFen(t.refundsFen) },
    {
      id: 'payouts',
      label: s('payoutsExecuted'),
      value: formatFen(t.payoutsExecuted.amountFen),
      note: s('countOf', { n: t.payoutsExecuted.count }),
    },
    {
      id: 'payouts-failed',
      label: s('payoutsFailed'),
      value: formatFen(t.payoutsFailed.amountFen),
      note: s('countOf', { n: t.payoutsFailed.count }),
    },
    { id: 'escrow', label: s('escrowHeld'), value: formatFen(stats.current.escrowHeldFen) },
    { id: 'queue', label: s('queueNow'), value: String(depth) },
    { id: 'sla', label: s('slaNow'), value: String(breached) },
  ];
  return (
    <section aria-labelledby="dashboard-figures-title">
      <h2 id="dashboard-figures-title" className="dashboard-h2">
        {s('figuresTitle')}
      </h2>
      <dl className="dashboard-figures">
        {figures.map((f) => (
          <div key={f.id} className="dashboard-figure">
            <dt>{f.label}</dt>
            <dd data-testid={`dashboard-${f.id}`}>{f.value}</dd>
            {f.note && <dd className="muted small">{f.note}</dd>}
          </div>
        ))}
      </dl>
    </section>
  );
}

function handling(seconds: number | null, s: DashboardStrings): string {
  if (seconds === null) return s('none');
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? s('minutes', { n: minutes }) : s('hours', { n: Math.round(minutes / 60) });
}

/** The same figures as the charts, as tables (the "view as table" switch). */
function DashboardTables({ stats, s }: { stats: StatsResponse; s: DashboardStrings }) {
  const { pick } = useT();
  const rows = bucketRows(stats);
  return (
    <div className="dashboard-tables" data-testid="dashboard-tables">
      <section aria-labelledby="dashboard-money-table">
        <h2 id="dashboard-money-table" className="dashboard-h2">
          {s('moneyTitle')} · {s('payoutsTitle')}
        </h2>
        <div className="dashboard-table-scroll">
          <table className="dashboard-table">
            <thead>
              <tr>
                <th scope="col">{s('colBucket')}</th>
                <th scope="col">{s('colGmv')}</th>
                <th scope="col">{s('colFees')}</th>
                <th scope="col">{s('colRefunds')}</th>
                <th scope="col">{s('colPayoutsRequested')}</th>
                <th scope="col">{s('colPayoutsExecuted')}</th>
                <th scope="col">{s('colPayoutsFailed')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.length === 0 && (
                <tr>
                  <td colSpan={7}>{s('empty')}</td>
                </tr>
              )}
              {rows.map((r) => (
                <tr key={r.label}>
                  <th scope="row">{r.label}</th>
                  <td>{formatFen(r.gmvFen)}</td>
                  <td>{formatFen(r.platformFeesFen)}</td>
                  <td>{formatFen(r.refundsFen)}</td>
                  <td>{formatFen(r.payoutsRequestedFen)}</td>
                  <td>{formatFen(r.payoutsExecutedFen)}</td>
                  <td>{formatFen(r.payoutsFailedFen)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="dashboard-queues-table">
        <h2 id="dashboard-queues-table" className="dashboard-h2">
          {s('queuesTitle')}
        </h2>
        <table className="dashboard-table">
          <thead>
            <tr>
              <th scope="col">{s('colKind')}</th>
              <th scope="col">{s('colQueue')}</th>
              <th scope="col">{s('colBreached')}</th>
              <th scope="col">{s('colResolved')}</th>
              <th scope="col">{s('colMedian')}</th>
            </tr>
          </thead>
          <tbody>
            {stats.current.cases.map((c) => (
              <tr key={c.kind} data-testid={`dashboard-kind-${c.kind}`}>
                <th scope="row">{pick(CASE_KIND_LABELS[c.kind])}</th>
                <td>{c.queueDepth}</td>
                <td>{c.slaBreached}</td>
                <td>{c.resolvedInRange}</td>
                <td>{handling(c.medianHandlingSeconds, s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
