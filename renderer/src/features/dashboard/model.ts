import {
  STATS_MAX_RANGE_DAYS,
  type StatsBucket,
  type StatsQuery,
  type StatsResponse,
} from '@jiangxin/shared/ops/stats';

/** The range picker's choices; hourly buckets only where the core allows them (≤ 7 days). */
export const DASHBOARD_RANGES = ['1d', '7d', '30d', '90d'] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];
export const RANGE_DAYS: Record<DashboardRange, number> = { '1d': 1, '7d': 7, '30d': 30, '90d': 90 };

export function hourAllowed(range: DashboardRange): boolean {
  return RANGE_DAYS[range] <= STATS_MAX_RANGE_DAYS.hour;
}

/** The bucket a range starts with: hours for a day, days otherwise. */
export function defaultBucket(range: DashboardRange): StatsBucket {
  return range === '1d' ? 'hour' : 'day';
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
/** China time (Asia/Shanghai) is UTC+8 all year. */
const CHINA_OFFSET = 8 * HOUR;

/**
 * `stats.get` arguments for the last `days` whole China-time days (or hours), the current one included
 * and running to now: so the first bucket is a whole one and the span stays inside the core's limit.
 */
export function statsQuery(range: DashboardRange, bucket: StatsBucket, now: number): StatsQuery {
  const days = RANGE_DAYS[range];
  const from =
    bucket === 'hour'
      ? Math.floor(now / HOUR) * HOUR - (days * 24 - 1) * HOUR
      : Math.floor((now + CHINA_OFFSET) / DAY) * DAY - CHINA_OFFSET - (days - 1) * DAY;
  return { from: new Date(from).toISOString(), bucket };
}

/** One chart row per bucket (amounts stay integer fen; the axes format them). */
export function bucketRows(stats: StatsResponse) {
  return stats.buckets.map((b) => ({
    label: b.label,
    gmvFen: b.gmvFen,
    platformFeesFen: b.platformFeesFen,
    refundsFen: b.refundsFen,
    payoutsRequestedFen: b.payoutsRequested.amountFen,
    payoutsExecutedFen: b.payoutsExecuted.amountFen,
    payoutsFailedFen: b.payoutsFailed.amountFen,
  }));
}
export type BucketRow = ReturnType<typeof bucketRows>[number];

/** Hourly labels are `2026-11-27 14:00`: on an axis the time alone reads better, the date at midnight. */
export function shortLabel(label: string, bucket: StatsBucket): string {
  if (bucket === 'day') return label.slice(5);
  const [date = '', time = ''] = label.split(' ');
  return time === '00:00' ? date.slice(5) : time;
}
