import { CASE_KIND_LABELS } from '@jiangxin/shared/ops/cases';
import type { StatsResponse } from '@jiangxin/shared/ops/stats';
import { useId } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatFen } from '../../format';
import { useT } from '../../i18n';
import { bucketRows, shortLabel } from './model';
import { useDashboardStrings } from './strings';

/**
 * The dashboards' charts (recharts, loaded lazily by DashboardScreen). Every chart is a figure with a
 * heading, and its SVG carries a title and a description with the totals; series differ in dash pattern
 * or position as well as colour, and the legend names them.
 */

/** Colours with at least 3:1 contrast on white, distinguishable with common colour-vision deficiencies. */
const COLORS = { blue: '#0958d9', orange: '#b85c00', purple: '#7c3aed', red: '#c0262d', green: '#1f7a1f' };
const CHART_HEIGHT = 260;
/** The size drawn before the container is measured (and in environments that never measure). */
const INITIAL_SIZE = { width: 520, height: CHART_HEIGHT };
const MARGIN = { top: 8, right: 16, bottom: 8, left: 8 };

/** Axis ticks: whole yuan without the trailing ".00" (the tooltip shows exact amounts). */
const yuanTick = (fen: number) => formatFen(Math.round(fen)).replace(/\.00$/, '');
const fenValue = (value: unknown) => (typeof value === 'number' ? formatFen(value) : String(value));

export default function DashboardCharts({ stats }: { stats: StatsResponse }) {
  const { pick } = useT();
  const s = useDashboardStrings();
  const ids = { money: useId(), payouts: useId(), queues: useId() };
  const rows = bucketRows(stats).map((r) => ({ ...r, tick: shortLabel(r.label, stats.bucket) }));
  const bucketName = stats.bucket === 'hour' ? s('bucketNameHour') : s('bucketNameDay');
  const kinds = stats.current.cases.map((c) => ({
    kind: pick(CASE_KIND_LABELS[c.kind]),
    queueDepth: c.queueDepth,
    slaBreached: c.slaBreached,
  }));
  const depth = kinds.reduce((sum, k) => sum + k.queueDepth, 0);
  const breached = kinds.reduce((sum, k) => sum + k.slaBreached, 0);

  const moneyDesc = s('moneyDesc', {
    bucket: bucketName,
    n: rows.length,
    gmv: formatFen(stats.totals.gmvFen),
  });
  const payoutsDesc = s('payoutsDesc', {
    bucket: bucketName,
    paid: formatFen(stats.totals.payoutsExecuted.amountFen),
  });
  const queuesDesc = s('queuesDesc', { depth, breached });

  return (
    <div className="dashboard-charts" data-testid="dashboard-charts">
      <figure className="dashboard-chart" aria-labelledby={ids.money} data-testid="dashboard-chart-money">
        <h2 id={ids.money} className="dashboard-h2">
          {s('moneyTitle')}
        </h2>
        <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={INITIAL_SIZE}>
          <LineChart data={rows} margin={MARGIN} title={s('moneyTitle')} desc={moneyDesc}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="tick" minTickGap={16} />
            <YAxis tickFormatter={yuanTick} width={88} />
            <Tooltip formatter={fenValue} labelFormatter={(_, p) => p[0]?.payload?.label ?? ''} />
            <Legend />
            <Line
              type="monotone"
              dataKey="gmvFen"
              name={s('colGmv')}
              stroke={COLORS.blue}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="platformFeesFen"
              name={s('colFees')}
              stroke={COLORS.green}
              strokeWidth={2}
              strokeDasharray="6 3"
              dot={false}
              isAnimationActive={false}
            />
            <Line
              type="monotone"
              dataKey="refundsFen"
              name={s('colRefunds')}
              stroke={COLORS.orange}
              strokeWidth={2}
              strokeDasharray="2 3"
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
        <figcaption className="muted small">{moneyDesc}</figcaption>
      </figure>

      <figure className="dashboard-chart" aria-labelledby={ids.payouts} data-testid="dashboard-chart-payouts">
        <h2 id={ids.payouts} className="dashboard-h2">
          {s('payoutsTitle')}
        </h2>
        <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={INITIAL_SIZE}>
          <BarChart data={rows} margin={MARGIN} title={s('payoutsTitle')} desc={payoutsDesc}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="tick" minTickGap={16} />
            <YAxis tickFormatter={yuanTick} width={88} />
            <Tooltip formatter={fenValue} labelFormatter={(_, p) => p[0]?.payload?.label ?? ''} />
            <Legend />
            <Bar
              dataKey="payoutsRequestedFen"
              name={s('colPayoutsRequested')}
              fill={COLORS.purple}
              isAnimationActive={false}
            />
            <Bar
              dataKey="payoutsExecutedFen"
              name={s('colPayoutsExecuted')}
              fill={COLORS.blue}
              isAnimationActive={false}
            />
            <Bar
              dataKey="payoutsFailedFen"
              name={s('colPayoutsFailed')}
              fill={COLORS.red}
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
        <figcaption className="muted small">{payoutsDesc}</figcaption>
      </figure>

      <figure className="dashboard-chart" aria-labelledby={ids.queues} data-testid="dashboard-chart-queues">
        <h2 id={ids.queues} className="dashboard-h2">
          {s('queuesTitle')}
        </h2>
        <ResponsiveContainer width="100%" height={CHART_HEIGHT} initialDimension={INITIAL_SIZE}>
          <BarChart data={kinds} margin={MARGIN} title={s('queuesTitle')} desc={queuesDesc}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="kind" interval={0} />
            <YAxis allowDecimals={false} width={48} />
            <Tooltip />
            <Legend />
            <Bar dataKey="queueDepth" name={s('colQueue')} fill={COLORS.blue} isAnimationActive={false} />
            <Bar dataKey="slaBreached" name={s('colBreached')} fill={COLORS.red} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
        <figcaption className="muted small">{queuesDesc}</figcaption>
      </figure>
    </div>
  );
}
