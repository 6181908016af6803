import type { CaseActionOffer, CaseDetail } from '@jiangxin/shared/ops/cases';
import type { ReconciliationMismatchDetail } from '@jiangxin/shared/ops/payouts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { offerOf, PaneHarness } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { ReconciliationPane } from './ReconciliationPane';
import { financeSession, payoutCase } from './testing';

const text = (el: Element) => el.textContent ?? '';

function mismatchCase(
  d: Partial<ReconciliationMismatchDetail> = {},
  actions: CaseActionOffer[] = [offerOf('resolve')],
): CaseDetail {
  const detail: ReconciliationMismatchDetail = {
    mismatch: {
      id: 12,
      day: '2026-11-26',
      kind: 'transfer',
      provider: 'alipay',
      reference: 'JXPO00000000000041',
      problem: 'amount_differs',
      ledgerAmountFen: 200_000,
      gatewayAmountFen: 199_000,
      detail: {},
      createdAt: '2026-11-27T01:00:00.000Z',
    },
    ledgerRecord: {
      type: 'payout',
      id: 41,
      orderId: null,
      userId: 88,
      status: 'paid',
      amountFen: 200_000,
      createdAt: '2026-11-26T02:00:00.000Z',
      settledAt: '2026-11-26T03:00:00.000Z',
    },
    ...d,
  };
  return {
    case: payoutCase({
      id: 601,
      kind: 'reconciliation_mismatch',
      stage: 'amount_differs',
      subjectType: 'reconciliation_mismatch',
      subjectId: 12,
      userId: null,
      title: '对账差异 2026-11-26',
    }),
    history: [],
    actions: [offerOf('claim'), ...actions],
    detail,
  };
}

function setup(detail: CaseDetail) {
  const bridge = new ScriptedBridge()
    .answer('cases.get', () => ({ detail, cachedAt: null, stale: false }))
    .answer('cases.perform', () => ({ queued: false, outboxId: null, case: null, result: {} }));
  renderWithConsole(
    <PaneHarness
      kind="reconciliation_mismatch"
      caseId={601}
      session={financeSession(9)}
      Pane={ReconciliationPane}
    />,
    {
      bridge,
    },
  );
  return bridge;
}

describe('ReconciliationPane', () => {
  it('names the problem and shows the ledger side against the gateway statement side', async () => {
    setup(mismatchCase());
    expect(text(await screen.findByTestId('recon-problem'))).toContain('金额不一致');
    const ledger = screen.getByTestId('recon-ledger');
    expect(text(ledger)).toContain('¥2,000.00');
    expect(text(ledger)).toContain('提现单 #41');
    expect(text(ledger)).toContain('已到账');
    const gateway = screen.getByTestId('recon-gateway');
    expect(text(gateway)).toContain('¥1,990.00');
    // The gateway's reference is named in words (商户转账单号), never by its field code out_biz_no.
    expect(text(gateway)).toContain('商户转账单号');
    expect(text(gateway)).not.toContain('out_biz_no');
    expect(text(gateway)).toContain('JXPO00000000000041');
    expect(text(gateway)).toContain('2026-11-26 的对账单');
    expect(text(screen.getByTestId('recon-difference'))).toContain('-¥10.00');
  });

  it('money the ledger never booked: the ledger side says there is no record', async () => {
    setup(
      mismatchCase({
        mismatch: {
          ...(mismatchCase().detail as ReconciliationMismatchDetail).mismatch,
          problem: 'missing_in_ledger',
          reference: 'ROGUE20261127001',
          ledgerAmountFen: null,
          gatewayAmountFen: 5_000,
        },
        ledgerRecord: null,
      }),
    );
    expect(text(await screen.findByTestId('recon-problem'))).toContain('网关有记录，平台账本无记录');
    const ledger = screen.getByTestId('recon-ledger');
    expect(text(ledger)).toContain('无记录');
    expect(text(ledger)).toContain('平台上没有该单号的记录');
    expect(text(screen.getByTestId('recon-gateway'))).toContain('¥50.00');
    expect(screen.queryByTestId('recon-difference')).toBeNull();
  });

  it('resolve needs a note: an empty one sends nothing, a written one is sent', async () => {
    const bridge = setup(mismatchCase());
    const resolve = await screen.findByTestId('recon-resolve');
    fireEvent.click(resolve);
    expect(text(await screen.findByRole('alert'))).toContain('请填写处理说明');
    await act(async () => {});
    expect(bridge.callsOf('cases.perform')).toEqual([]);

    fireEvent.change(screen.getByLabelText('处理说明（必填）'), {
      target: { value: '已与支付宝核实，差额为手续费，已补记' },
    });
    fireEvent.click(resolve);
    await waitFor(() =>
      expect(bridge.callsOf('cases.perform')).toEqual([
        {
          caseId: 601,
          version: 3,
          kind: 'reconciliation_mismatch',
          action: 'resolve',
          fields: { note: '已与支付宝核实，差额为手续费，已补记' },
        },
      ]),
    );
  });

  it('without the resolve action (another role, or already resolved) there is no form', async () => {
    setup(mismatchCase({}, []));
    await screen.findByTestId('recon-pane');
    expect(screen.queryByTestId('recon-resolve')).toBeNull();
    expect(within(screen.getByTestId('recon-pane')).queryByRole('textbox')).toBeNull();
  });
});
