import type { ActionReceipt } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail } from '@jiangxin/shared/ops/cases';
import type { PayoutCaseDetail } from '@jiangxin/shared/ops/payouts';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../../format';
import { offerOf, PaneHarness } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { PayoutPane } from './PayoutPane';
import { financeSession, payoutCase } from './testing';

const FIRST_APPROVER = 7;
const COLLEAGUE = 9;
const REQUESTER = 88;

function payoutDetail(
  over: Partial<PayoutCaseDetail> = {},
  payout: Partial<PayoutCaseDetail['payout']> = {},
) {
  const d: PayoutCaseDetail = {
    payout: {
      id: 41,
      amountFen: 600_000,
      channel: 'wechat',
      account: { name: '李*', numberMasked: '********lisi', bankName: null },
      status: 'pending_review',
      rejectionReason: null,
      failureReason: null,
      createdAt: '2026-11-26T06:00:00.000Z',
      updatedAt: '2026-11-26T06:00:00.000Z',
      paidAt: null,
      requiredApprovals: 2,
      outBizNo: null,
      gatewayRef: null,
      attempts: 0,
      lastError: null,
      channelLabel: { zh: '微信', en: 'WeChat' },
      ...payout,
    },
    user: {
      id: REQUESTER,
      username: 'designer_wang',
      nickname: '设计师小王',
      status: 'active',
      realNameStatus: 'verified',
      createdAt: '2026-11-23T06:00:00.000Z',
      accountAgeDays: 3,
    },
    wallet: { availableFen: 30_000, payoutPendingFen: 600_000 },
    riskSignals: [
      { code: 'new_account', level: 'medium', zh: '账号注册仅 3 天', en: 'The account is only 3 days old' },
      {
        code: 'changed_account',
        level: 'high',
        zh: '收款账户与上次成功提现不同',
        en: 'The payee account differs from the last successful payout',
      },
    ],
    approvals: [{ staffId: FIRST_APPROVER, staffName: '王芳', at: '2026-11-26T07:05:00.000Z', note: '' }],
    payoutHistory: [
      {
        id: 30,
        amountFen: 10_000,
        channel: 'alipay',
        accountMasked: '*****e.com',
        status: 'rejected',
        rejectionReason: '收款账户信息有误',
        failureReason: null,
        createdAt: '2026-11-24T06:00:00.000Z',
        paidAt: null,
      },
    ],
    ...over,
  };
  return d;
}

function caseDetail(
  d: PayoutCaseDetail,
  actions: CaseActionOffer[],
  stage = 'awaiting_second_approval',
): CaseDetail {
  return {
    case: payoutCase({ stage, flags: ['maker_checker', 'second_approval_pending'] }),
    history: [],
    actions: [offerOf('claim'), ...actions],
    detail: d,
  };
}

const text = (el: Element) => el.textContent ?? '';

const receipt = (): ActionReceipt => ({ queued: false, outboxId: null, case: null, result: {} });

function setup(detail: CaseDetail | (() => CaseDetail), userId: number) {
  const bridge = new ScriptedBridge()
    .answer('cases.get', () => ({
      detail: typeof detail === 'function' ? detail() : detail,
      cachedAt: null,
      stale: false,
    }))
    .answer('cases.perform', receipt);
  renderWithConsole(
    <PaneHarness kind="payout" caseId={501} session={financeSession(userId)} Pane={PayoutPane} />,
    {
      bridge,
    },
  );
  return bridge;
}

const alreadyApproved = {
  zh: '您已批准过该提现，需由另一位财务同事复核',
  en: 'You already approved this payout; a different finance colleague must approve it',
};
const ownWithdrawal = { zh: '不能处理自己的提现申请', en: 'You may not decide on your own withdrawal' };

describe('PayoutPane', () => {
  it('lists every risk signal with its level in words, the most serious first', async () => {
    setup(caseDetail(payoutDetail(), [offerOf('approve_payout'), offerOf('reject_payout')]), COLLEAGUE);
    const risk = await screen.findByTestId('payout-risk');
    expect(text(within(risk).getByRole('heading'))).toContain('风险信号（2）');
    const items = within(risk).getAllByRole('listitem');
    expect(items.map((li) => li.textContent)).toEqual([
      '高风险收款账户与上次成功提现不同',
      '中风险账号注册仅 3 天',
    ]);
  });

  it('says no risk was found when there is none', async () => {
    setup(caseDetail(payoutDetail({ riskSignals: [] }), [offerOf('approve_payout')]), COLLEAGUE);
    expect(text(await screen.findByTestId('payout-risk'))).toContain('未发现风险信号');
  });

  it('shows the maker-checker state: two approvals needed, who approved first and when, waiting for a second', async () => {
    const bridge = setup(
      caseDetail(payoutDetail(), [offerOf('approve_payout'), offerOf('reject_payout')]),
      COLLEAGUE,
    );
    const mc = await screen.findByTestId('payout-maker-checker');
    expect(text(mc)).toContain('该金额需要 2 位不同的财务人员批准');
    expect(text(mc)).toContain(`第 1 位批准：王芳，${formatDateTime('2026-11-26T07:05:00.000Z', 'zh-CN')}`);
    expect(text(within(mc).getByTestId('payout-approval-state'))).toContain(
      '已有 1/2 位批准，等待第二位审批人',
    );
    expect(text(mc)).not.toContain('您已批准过');

    // A colleague may give the second approval — after confirming what leaves: the amount and the payee.
    const approve = screen.getByTestId('payout-approve');
    expect(approve.hasAttribute('disabled')).toBe(false);
    expect(text(approve)).toContain('第二位批准');
    fireEvent.click(approve);
    const dialog = await screen.findByRole('dialog');
    expect(text(dialog)).toContain('确认第二位批准（复核）');
    expect(text(dialog)).toContain('向 李* 提现 ¥6,000.00');
    expect(text(dialog)).toContain('确认后将立即向收款人打款');
    await act(async () => {});
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.click(within(dialog).getByTestId('payout-approve-confirm'));
    // It goes to the core with the case's version.
    await waitFor(() =>
      expect(bridge.callsOf('cases.perform')).toEqual([
        { caseId: 501, version: 3, kind: 'payout', action: 'approve_payout', fields: {} },
      ]),
    );
  });

  it('a payout at or above the two-approver threshold asks first, naming the amount and payee (button and `a`); cancel sends nothing', async () => {
    const bridge = setup(
      caseDetail(
        payoutDetail({ approvals: [] }),
        [offerOf('approve_payout'), offerOf('reject_payout')],
        'awaiting_approval',
      ),
      COLLEAGUE,
    );
    await screen.findByTestId('payout-approve');
    fireEvent.keyDown(window, { key: 'a' });
    const dialog = await screen.findByRole('dialog');
    expect(text(dialog)).toContain('确认批准这笔提现');
    expect(text(dialog)).toContain('向 李* 提现 ¥6,000.00，收款账户 ********lisi');
    expect(text(dialog)).toContain('需要另一位财务同事复核');
    fireEvent.click(within(dialog).getByTestId('payout-approve-cancel'));
    await act(async () => {});
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.click(screen.getByTestId('payout-approve'));
    fireEvent.click(await screen.findByTestId('payout-approve-confirm'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
  });

  it('a payout below the threshold (one approver) is approved without a question', async () => {
    const bridge = setup(
      caseDetail(
        payoutDetail({ approvals: [] }, { amountFen: 10_000, requiredApprovals: 1 }),
        [offerOf('approve_payout'), offerOf('reject_payout')],
        'awaiting_approval',
      ),
      COLLEAGUE,
    );
    fireEvent.click(await screen.findByTestId('payout-approve'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('the first approver cannot approve again: disabled with the core’s reason, and `a` sends nothing', async () => {
    const bridge = setup(
      caseDetail(payoutDetail(), [offerOf('approve_payout', alreadyApproved), offerOf('reject_payout')]),
      FIRST_APPROVER,
    );
    const approve = await screen.findByTestId('payout-approve');
    expect(approve.hasAttribute('disabled')).toBe(true);
    const reason = screen.getByText('不可操作：您已批准过该提现，需由另一位财务同事复核');
    expect(approve.getAttribute('aria-describedby')).toBe(reason.id);
    expect(text(screen.getByTestId('payout-maker-checker'))).toContain('您已批准过，需由另一位财务同事复核');
    fireEvent.click(approve);
    fireEvent.keyDown(window, { key: 'a' });
    await act(async () => {});
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    // Rejecting stays possible for the first approver.
    expect(screen.getByTestId('payout-reject').hasAttribute('disabled')).toBe(false);
  });

  it('the requester’s own withdrawal is not actionable: approve and reject disabled with the reason, shown once', async () => {
    const bridge = setup(
      caseDetail(
        payoutDetail({ approvals: [] }),
        [offerOf('approve_payout', ownWithdrawal), offerOf('reject_payout', ownWithdrawal)],
        'awaiting_approval',
      ),
      REQUESTER,
    );
    expect((await screen.findByTestId('payout-approve')).hasAttribute('disabled')).toBe(true);
    expect(screen.getByTestId('payout-reject').hasAttribute('disabled')).toBe(true);
    expect(screen.getAllByText('不可操作：不能处理自己的提现申请')).toHaveLength(1);
    fireEvent.keyDown(window, { key: 'a' });
    fireEvent.keyDown(window, { key: 'r' });
    await act(async () => {});
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    expect(text(screen.getByTestId('payout-approval-state'))).toContain('尚无人批准');
  });

  it('reject needs a reason: an empty one sends nothing; a template or typed reason is sent', async () => {
    const bridge = setup(
      caseDetail(payoutDetail({ approvals: [] }), [offerOf('approve_payout'), offerOf('reject_payout')]),
      COLLEAGUE,
    );
    await screen.findByTestId('payout-reject');
    fireEvent.keyDown(window, { key: 'r' });
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('驳回原因（用户可见）'), { target: { value: '   ' } });
    fireEvent.click(within(dialog).getByTestId('payout-reject-submit'));
    expect(text(await within(dialog).findByRole('alert'))).toContain('请填写驳回原因');
    expect(within(dialog).getByLabelText('驳回原因（用户可见）').getAttribute('aria-invalid')).toBe('true');
    await act(async () => {});
    expect(bridge.callsOf('cases.perform')).toEqual([]);

    fireEvent.click(within(dialog).getByRole('button', { name: '收款人姓名与实名信息不一致' }));
    fireEvent.click(within(dialog).getByTestId('payout-reject-submit'));
    await waitFor(() =>
      expect(bridge.callsOf('cases.perform')).toEqual([
        {
          caseId: 501,
          version: 3,
          kind: 'payout',
          action: 'reject_payout',
          fields: { reason: '收款人姓名与实名信息不一致' },
        },
      ]),
    );
  });

  it('a refused rejection keeps the dialog open with the core’s reason', async () => {
    const bridge = setup(
      caseDetail(payoutDetail({ approvals: [] }), [offerOf('approve_payout'), offerOf('reject_payout')]),
      COLLEAGUE,
    );
    const { BridgeCallError, bridgeProblem } = await import('@jiangxin/shared/bridge');
    bridge.answer('cases.perform', () => {
      throw new BridgeCallError(
        bridgeProblem('payout_not_pending', {
          zh: '该提现申请已处理',
          en: 'This withdrawal has already been decided',
        }),
      );
    });
    fireEvent.click(await screen.findByTestId('payout-reject'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('驳回原因（用户可见）'), {
      target: { value: '资料不全' },
    });
    fireEvent.click(within(dialog).getByTestId('payout-reject-submit'));
    expect(await within(dialog).findByText('该提现申请已处理')).toBeTruthy();
    expect(bridge.callsOf('cases.perform')).toHaveLength(1);
  });

  it('shows the execution state from the detail and follows it live when the case changes', async () => {
    let d = caseDetail(
      payoutDetail({}, { status: 'processing', attempts: 1, outBizNo: 'JXPO00000000000041' }),
      [],
      'executing',
    );
    const bridge = setup(() => d, COLLEAGUE);
    const exec = await screen.findByTestId('payout-execution');
    expect(text(exec)).toContain('打款中');
    expect(text(exec)).toContain('第 1 次尝试');
    expect(screen.getByText('JXPO00000000000041')).toBeTruthy();
    // No decision is possible now: the actions are absent, not broken.
    expect(screen.queryByTestId('payout-approve')).toBeNull();
    expect(screen.queryByTestId('payout-reject')).toBeNull();

    d = caseDetail(
      payoutDetail(
        {},
        { status: 'paid', attempts: 1, paidAt: '2026-11-26T08:00:00.000Z', gatewayRef: 'AP2026112600001' },
      ),
      [],
      'paid',
    );
    act(() => bridge.emit('cases.changed', { upserted: [501], removed: [] }));
    await waitFor(() =>
      expect(screen.getByTestId('payout-execution').getAttribute('data-status')).toBe('paid'),
    );
    expect(text(screen.getByTestId('payout-execution'))).toContain('已到账');
    expect(screen.getByText('AP2026112600001')).toBeTruthy();
  });

  it('a failed transfer shows the gateway’s reason and offers what the core offers (close), nothing else', async () => {
    const bridge = setup(
      caseDetail(
        payoutDetail({}, { status: 'failed', attempts: 1, failureReason: 'PAYEE_NOT_EXIST 收款账户不存在' }),
        [offerOf('close_failed')],
        'failed',
      ),
      COLLEAGUE,
    );
    const exec = await screen.findByTestId('payout-execution');
    expect(text(exec)).toContain('打款失败');
    expect(text(exec)).toContain('PAYEE_NOT_EXIST 收款账户不存在');
    expect(screen.queryByTestId('payout-approve')).toBeNull();
    fireEvent.change(screen.getByLabelText('关闭备注（可选）'), { target: { value: '已联系用户更换账户' } });
    fireEvent.keyDown(window, { key: 'c' });
    await waitFor(() =>
      expect(bridge.callsOf('cases.perform')).toEqual([
        {
          caseId: 501,
          version: 3,
          kind: 'payout',
          action: 'close_failed',
          fields: { note: '已联系用户更换账户' },
        },
      ]),
    );
  });

  it('shows the withdrawal, the masked payee, the requester and their earlier withdrawals with outcomes', async () => {
    setup(caseDetail(payoutDetail(), [offerOf('approve_payout')]), COLLEAGUE);
    expect(text(await screen.findByTestId('payout-amount'))).toContain('¥6,000.00');
    expect(text(screen.getByTestId('payout-account'))).toContain('********lisi');
    expect(screen.getByText('李*')).toBeTruthy();
    expect(text(screen.getByTestId('payout-requester'))).toContain('设计师小王（designer_wang · #88）');
    const history = screen.getByTestId('payout-history');
    const row = within(history).getAllByRole('row')[1]!;
    expect(text(row)).toContain('¥100.00');
    expect(text(row)).toContain('已驳回，已退回余额');
    expect(text(row)).toContain('收款账户信息有误');
  });
});
