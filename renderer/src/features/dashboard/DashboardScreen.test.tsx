import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import type { StatsFigures, StatsResponse } from '@jiangxin/shared/ops/stats';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { DashboardScreen } from './DashboardScreen';
import { statsQuery } from './model';

const session: ConsoleSession = {
  userId: 1,
  username: 'fin',
  nickname: '财务小李',
  roles: ['finance'],
  permissions: ['stats.view'],
  coreUrl: 'http://core',
};

const figures = (gmvFen: number): StatsFigures => ({
  gmvFen,
  ordersPaid: 3,
  platformFeesFen: 6_000,
  refundsFen: 30_000,
  payoutsRequested: { count: 2, amountFen: 50_000 },
  payoutsExecuted: { count: 1, amountFen: 20_000 },
  payoutsFailed: { count: 1, amountFen: 5_000 },
});

function stats(gmvFen: number): StatsResponse {
  return {
    from: '2026-11-25T16:00:00.000Z',
    to: '2026-11-27T08:00:00.000Z',
    bucket: 'day',
    timeZone: 'Asia/Shanghai',
    buckets: [
      { ...figures(0), start: '2026-11-25T16:00:00.000Z', label: '2026-11-26' },
      { ...figures(gmvFen), start: '2026-11-26T16:00:00.000Z', label: '2026-11-27' },
    ],
    totals: figures(gmvFen),
    current: {
      ordersByStatus: {
        awaiting_payment: 0,
        pending_acceptance: 1,
        in_progress: 0,
        delivered: 0,
        revision_requested: 0,
        completed: 1,
        cancelled: 1,
        disputed: 0,
      },
      escrowHeldFen: 20_000,
      cases: [
        { kind: 'report', queueDepth: 2, slaBreached: 1, resolvedInRange: 3, medianHandlingSeconds: 1200 },
        { kind: 'payout', queueDepth: 4, slaBreached: 0, resolvedInRange: 0, medianHandlingSeconds: null },
      ],
    },
    generatedAt: '2026-11-27T08:00:00.000Z',
  };
}

describe('DashboardScreen', () => {
  it('shows the totals from stats.get in yuan, and the same figures as tables', async () => {
    const bridge = new ScriptedBridge().answer('stats.get', () => stats(1_234_567));
    renderWithConsole(<DashboardScreen session={session} />, { bridge });
    expect((await screen.findByTestId('dashboard-gmv')).textContent).toBe('¥12,345.67');
    expect(screen.getByTestId('dashboard-fees').textContent).toBe('¥60.00');
    expect(screen.getByTestId('dashboard-escrow').textContent).toBe('¥200.00');
    expect(screen.getByTestId('dashboard-payouts').textContent).toBe('¥200.00');
    expect(screen.getByTestId('dashboard-queue').textContent).toBe('6');
    expect(screen.getByTestId('dashboard-sla').textContent).toBe('1');
    const [args] = bridge.callsOf('stats.get');
    expect(args).toMatchObject({ bucket: 'day' });
    // 30 China-time days: from a China midnight (16:00 UTC), 29 whole days before today's.
    expect(args?.from).toMatch(/T16:00:00\.000Z$/);
    const span = Date.now() - Date.parse(args!.from!);
    expect(span).toBeGreaterThan(29 * 86_400_000);
    expect(span).toBeLessThanOrEqual(30 * 86_400_000);

    fireEvent.click(screen.getByTestId('dashboard-as-table'));
    const tables = await screen.findByTestId('dashboard-tables');
    expect(within(tables).getByText('2026-11-27').closest('tr')?.textContent).toContain('¥12,345.67');
    const report = within(tables).getByTestId('dashboard-kind-report');
    expect(report.textContent).toContain('举报');
    expect(report.textContent).toContain('20 分钟');
    expect(screen.queryByTestId('dashboard-charts')).toBeNull();
  });

  it('draws the charts with accessible titles and descriptions', async () => {
    const bridge = new ScriptedBridge().answer('stats.get', () => stats(1_234_567));
    renderWithConsole(<DashboardScreen session={session} />, { bridge });
    const money = await screen.findByTestId('dashboard-chart-money', {}, { timeout: 10_000 });
    expect(money.querySelector('h2')?.textContent).toBe('成交额、服务费与退款');
    expect(money.textContent).toContain('合计成交额 ¥12,345.67');
    await waitFor(() =>
      expect(money.querySelector('.recharts-wrapper > svg > title')?.textContent).toBe(
        '成交额、服务费与退款',
      ),
    );
    expect(money.querySelector('.recharts-wrapper > svg > desc')?.textContent).toContain('¥12,345.67');
    expect(screen.getByTestId('dashboard-chart-queues').textContent).toContain('合计待处理 6，超时 1');
  }, 40_000);

  it('re-reads the figures when cases change (debounced) and for another range', async () => {
    let gmv = 100;
    const bridge = new ScriptedBridge().answer('stats.get', () => stats(gmv));
    renderWithConsole(<DashboardScreen session={session} />, { bridge });
    expect((await screen.findByTestId('dashboard-gmv')).textContent).toBe('¥1.00');
    expect(bridge.callsOf('stats.get')).toHaveLength(1);

    gmv = 250_000;
    bridge.emit('cases.changed', { upserted: [1], removed: [] });
    bridge.emit('cases.changed', { upserted: [2], removed: [] });
    bridge.emit('cases.changed', { upserted: [3], removed: [] });
    await waitFor(() => expect(screen.getByTestId('dashboard-gmv').textContent).toBe('¥2,500.00'), {
      timeout: 4_000,
    });
    // One burst, one re-read.
    expect(bridge.callsOf('stats.get')).toHaveLength(2);

    fireEvent.click(screen.getByTestId('dashboard-range-7d'));
    await waitFor(() => expect(bridge.callsOf('stats.get')).toHaveLength(3));
    fireEvent.click(screen.getByText('按小时'));
    await waitFor(() => expect(bridge.callsOf('stats.get')).toHaveLength(4));
    expect(bridge.callsOf('stats.get')[3]).toMatchObject({ bucket: 'hour' });
  });

  it('says the dashboards need the core when the engine cannot reach it', async () => {
    const bridge = new ScriptedBridge().answer('stats.get', () => {
      throw new BridgeCallError(
        bridgeProblem('offline', { zh: '无法连接到平台服务，已切换为离线模式', en: 'offline' }),
      );
    });
    renderWithConsole(<DashboardScreen session={session} />, { bridge });
    const error = await screen.findByTestId('dashboard-error');
    expect(error.textContent).toContain('无法连接到平台服务');
    expect(error.textContent).toContain('需要连接平台服务');
    expect(screen.queryByTestId('dashboard-gmv')).toBeNull();
  });
});

describe('statsQuery', () => {
  it('stays within the core limits: hourly for up to 7 days, daily up to 90', () => {
    const now = Date.parse('2026-11-27T08:30:00Z');
    const hourly = statsQuery('7d', 'hour', now);
    expect(hourly.bucket).toBe('hour');
    expect(now - Date.parse(hourly.from!)).toBeLessThanOrEqual(7 * 86_400_000);
    expect(hourly.from).toBe('2026-11-20T09:00:00.000Z');
    const daily = statsQuery('90d', 'day', now);
    expect(daily.from).toBe('2026-08-29T16:00:00.000Z');
    expect(now - Date.parse(daily.from!)).toBeLessThan(90 * 86_400_000);
  });
});
