import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { BatchApprove } from './BatchApprove';
import { financeSession, payoutCase } from './testing';

const text = (el: Element) => el.textContent ?? '';

const selected = [
  payoutCase({ id: 501, version: 3, amountFen: 10_000, title: '提现 ¥100.00 · 设计师小王' }),
  payoutCase({ id: 502, version: 5, amountFen: 600_000, title: '提现 ¥6,000.00 · 插画师小李' }),
  payoutCase({ id: 503, version: 2, amountFen: 25_050, title: '提现 ¥250.50 · 财务自己' }),
];

function setup(bridge: ScriptedBridge) {
  let cleared = 0;
  renderWithConsole(
    <BatchApprove
      selected={selected}
      session={financeSession(9)}
      clear={() => {
        cleared += 1;
      }}
    />,
    { bridge },
  );
  return { cleared: () => cleared };
}

describe('BatchApprove', () => {
  it('confirms the items and total, sends them with their versions, and shows each item’s result', async () => {
    const bridge = new ScriptedBridge().answer('payouts.batchApprove', () => ({
      results: [
        { caseId: 501, ok: true, version: 4, stage: 'executing', code: null, message: null, reason: null },
        {
          caseId: 502,
          ok: true,
          version: 6,
          stage: 'awaiting_second_approval',
          code: null,
          message: null,
          reason: null,
        },
        {
          caseId: 503,
          ok: false,
          version: null,
          stage: null,
          code: 'case_action_unavailable',
          message: '不能处理自己的提现申请',
          reason: { zh: '不能处理自己的提现申请', en: 'You may not decide on your own withdrawal' },
        },
      ],
    }));
    const { cleared } = setup(bridge);

    fireEvent.click(screen.getByRole('button', { name: '批量通过 3 条' }));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByTestId('batch-confirm');
    expect(within(confirm).getAllByRole('listitem').map(text)).toEqual([
      '#501 提现 ¥100.00 · 设计师小王¥100.00',
      '#502 提现 ¥6,000.00 · 插画师小李¥6,000.00',
      '#503 提现 ¥250.50 · 财务自己¥250.50',
    ]);
    expect(text(confirm)).toContain('合计 ¥6,350.50');
    expect(bridge.callsOf('payouts.batchApprove')).toEqual([]);

    fireEvent.click(within(dialog).getByTestId('batch-approve-confirm'));
    const results = await within(dialog).findByTestId('batch-results');
    expect(bridge.callsOf('payouts.batchApprove')).toEqual([
      {
        items: [
          { caseId: 501, version: 3 },
          { caseId: 502, version: 5 },
          { caseId: 503, version: 2 },
        ],
      },
    ]);
    expect(text(results)).toContain('处理结果：2 条成功，1 条未通过');
    const rows = within(results).getAllByRole('listitem');
    expect(rows.map((r) => r.getAttribute('data-ok'))).toEqual(['true', 'true', 'false']);
    expect(text(rows[0]!)).toContain('已批准，等待打款');
    expect(text(rows[1]!)).toContain('已记录您的批准，等待第二位审批人');
    expect(text(rows[2]!)).toContain('未通过：不能处理自己的提现申请');
    // The selection is kept while the results are on screen, and cleared when they are closed.
    expect(cleared()).toBe(0);
    fireEvent.click(within(dialog).getByTestId('batch-done'));
    expect(cleared()).toBe(1);
  });

  it('cancelling the confirmation sends nothing and keeps the selection', async () => {
    const bridge = new ScriptedBridge();
    const { cleared } = setup(bridge);
    fireEvent.click(screen.getByTestId('batch-approve'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByRole('button', { name: /^取\s?消$/ }));
    await act(async () => {});
    expect(bridge.calls).toEqual([]);
    expect(cleared()).toBe(0);
  });

  it('a refused batch (offline) shows the reason and keeps the selection', async () => {
    const bridge = new ScriptedBridge().answer('payouts.batchApprove', () => {
      throw new BridgeCallError(
        bridgeProblem('offline', { zh: '当前离线，批量批准需要连接核心服务', en: 'Offline' }),
      );
    });
    const { cleared } = setup(bridge);
    fireEvent.click(screen.getByTestId('batch-approve'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(within(dialog).getByTestId('batch-approve-confirm'));
    await waitFor(() =>
      expect(text(within(dialog).getByTestId('batch-error'))).toContain('当前离线，批量批准需要连接核心服务'),
    );
    expect(within(dialog).queryByTestId('batch-results')).toBeNull();
    expect(cleared()).toBe(0);
  });

  it('warns before sending about each payout that will fail — one I already approved, my own — and leaves them out', async () => {
    const me = 9;
    const mix = [
      payoutCase({ id: 501, version: 3, amountFen: 10_000, title: '提现 ¥100.00 · 设计师小王' }),
      payoutCase({
        id: 502,
        version: 5,
        amountFen: 600_000,
        stage: 'awaiting_second_approval',
        title: '提现 ¥6,000.00 · 插画师小李',
        summary: { requiredApprovals: 2, approvals: [{ staffId: me, at: '2026-11-26T07:05:00.000Z' }] },
      }),
      payoutCase({ id: 503, version: 2, amountFen: 25_050, userId: me, title: '提现 ¥250.50 · 财务自己' }),
      payoutCase({ id: 504, version: 1, amountFen: 30_000, title: '提现 ¥300.00 · 摄影师小赵' }),
    ];
    const bridge = new ScriptedBridge().answer('payouts.batchApprove', (args) => ({
      results: args.items.map((i) => ({
        caseId: i.caseId,
        ok: true,
        version: i.version + 1,
        stage: 'executing',
        code: null,
        message: null,
        reason: null,
      })),
    }));
    renderWithConsole(<BatchApprove selected={mix} session={financeSession(me)} clear={() => {}} />, {
      bridge,
    });
    fireEvent.click(screen.getByTestId('batch-approve'));
    const dialog = await screen.findByRole('dialog');
    const warning = within(dialog).getByTestId('batch-will-fail');
    expect(text(warning)).toContain('以下 2 条提交后不会通过');
    expect(within(warning).getAllByRole('listitem').map(text)).toEqual([
      '#502 提现 ¥6,000.00 · 插画师小李您已批准过，需由另一位财务同事复核',
      '#503 提现 ¥250.50 · 财务自己这是您自己的提现申请',
    ]);
    // Left out unless I keep them: the count and the total are what will be sent.
    expect((within(dialog).getByTestId('batch-leave-out') as HTMLInputElement).checked).toBe(true);
    expect(text(within(dialog).getByTestId('batch-confirm'))).toContain('将批准以下 2 条提现，合计 ¥400.00');
    expect(text(within(dialog).getByTestId('batch-approve-confirm'))).toContain('确认批准 2 条');
    fireEvent.click(within(dialog).getByTestId('batch-approve-confirm'));
    await within(dialog).findByTestId('batch-results');
    expect(bridge.callsOf('payouts.batchApprove')).toEqual([
      {
        items: [
          { caseId: 501, version: 3 },
          { caseId: 504, version: 1 },
        ],
      },
    ]);
  });
});
