import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import type { Locale } from '../../i18n';
import { staffSession } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CustomerPage } from './CustomerPage';
import { customerFixture, orderFixture } from './fixtures';
import { OrderPage } from './OrderPage';

const support = staffSession(2, ['support']);
const finance = staffSession(3, ['finance']);
/** Codes the core sends that a person must never read. */
const RAW_CODES =
  /\b(disputed|pending_review|in_progress|awaiting_payment|succeeded|suspend|alipay|wechat|escrow_freeze|order_release|support_chat|freelancer|resolved|open)\b/;
/** The same in an English page, where ordinary words (open, freelancer) are words. */
const RAW_CODES_EN =
  /\b(disputed|pending_review|in_progress|awaiting_payment|succeeded|alipay|wechat|[a-z]+_[a-z_]+)\b/;

function renderPages(route: string, bridge: ScriptedBridge, session = support, locale: Locale = 'zh-CN') {
  return renderWithConsole(
    <Routes>
      <Route path="/customers/:userId" element={<CustomerPage session={session} />} />
      <Route path="/orders/:orderId" element={<OrderPage session={session} />} />
    </Routes>,
    { bridge, route, locale },
  );
}

const offline = () => {
  throw new BridgeCallError(
    bridgeProblem('offline', { zh: '无法连接平台服务', en: 'Cannot reach the platform service' }),
  );
};

describe('the customer page', () => {
  it('shows the profile masked, each list with its count and statuses in words, rows linking onward', async () => {
    const bridge = new ScriptedBridge().answer('customers.get', () => customerFixture);
    renderPages('/customers/12', bridge);
    const page = await screen.findByTestId('drill-profile');
    expect(bridge.callsOf('customers.get')).toEqual([{ userId: 12 }]);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('客户 小鱼设计工作室');
    expect(within(page).getByTestId('drill-phone').textContent).toContain('137****7000');
    expect(within(page).getByTestId('drill-account-status').textContent).toMatch(/^封禁中 至 /);
    expect(page.textContent).toContain('服务商');

    const orders = screen.getByTestId('drill-orders');
    expect(within(orders).getByRole('heading').textContent).toBe('订单 · 共 51 条（显示最新 1 条）');
    const order = screen.getByTestId('drill-orders-row-7');
    expect(order.textContent).toContain('纠纷中');
    expect(order.textContent).toContain('¥200.00');
    expect(within(order).getByRole('link', { name: 'JX20261127000007' }).getAttribute('href')).toBe(
      '/orders/7',
    );
    expect(within(order).getByRole('link', { name: '王女士' }).getAttribute('href')).toBe('/customers/30');

    expect(screen.getByTestId('drill-payments').textContent).toContain('暂无记录');
    const payout = screen.getByTestId('drill-payouts-row-5');
    expect(payout.textContent).toContain('审核中');
    expect(payout.textContent).toContain('支付宝');
    // Support may not open payout cases: the number shows, not a link.
    expect(payout.textContent).toContain('#81（无权查看）');
    expect(within(payout).queryByRole('link')).toBeNull();
    // A dispute case opens in the disputes queue, which support may see.
    const dispute = screen.getByTestId('drill-disputes-row-3');
    expect(within(dispute).getByTestId('drill-case-82').getAttribute('href')).toBe('/moderation/disputes/82');
    expect(dispute.textContent).toContain('对方发起');
    expect(dispute.textContent).toContain('处理中');
    expect(screen.getByTestId('drill-reports-row-9').textContent).toContain('被举报');
    expect(screen.getByTestId('drill-reports-row-9').textContent).toContain('欺诈');
    const sanction = screen.getByTestId('drill-sanctions-row-4');
    expect(sanction.textContent).toContain('限期封禁');
    expect(sanction.textContent).toContain('14 天');
    expect(sanction.textContent).toContain('生效中');

    expect(screen.getByTestId('customer-page').textContent).not.toMatch(RAW_CODES);
  });

  it('speaks English', async () => {
    const bridge = new ScriptedBridge().answer('customers.get', () => customerFixture);
    renderPages('/customers/12', bridge, support, 'en');
    await screen.findByTestId('drill-profile');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Customer 小鱼设计工作室');
    expect(within(screen.getByTestId('drill-orders')).getByRole('heading').textContent).toBe(
      'Orders · 51 in all (newest 1 shown)',
    );
    expect(screen.getByTestId('drill-orders-row-7').textContent).toContain('Disputed');
    expect(screen.getByTestId('drill-payouts-row-5').textContent).toContain('Under review');
    expect(screen.getByTestId('drill-reports-row-9').textContent).toContain('Was reported');
    expect(screen.getByTestId('drill-phone').textContent).toBe('137****7000 (masked, verified)');
    expect(screen.getByTestId('customer-page').textContent).not.toMatch(RAW_CODES_EN);
  });

  it('says plainly that it is not available offline', async () => {
    renderPages('/customers/12', new ScriptedBridge().answer('customers.get', offline));
    expect((await screen.findByTestId('drill-offline')).textContent).toContain('离线时无法查看客户/订单详情');
  });

  it('names a bad id and asks nothing', async () => {
    const bridge = new ScriptedBridge();
    renderPages('/customers/abc', bridge);
    expect(screen.getByRole('alert').textContent).toBe('“abc”不是有效的编号。');
    expect(bridge.calls).toHaveLength(0);
  });
});

describe('revealing the phone number', () => {
  it('only a member with pii.reveal may, with a reason the core audits; others see the mask alone', async () => {
    const bridge = new ScriptedBridge()
      .answer('customers.get', () => customerFixture)
      .answer('users.reveal', (args) => ({ userId: args.userId, field: args.field, value: '13700137000' }));
    renderPages('/customers/12', bridge, staffSession(1, ['admin']));
    fireEvent.click(await screen.findByTestId('drill-reveal-phone'));
    fireEvent.click(await screen.findByTestId('drill-reveal-submit'));
    expect((await screen.findByTestId('drill-reveal-problem')).textContent).toBe(
      '请填写查看原因（至少 2 个字）。',
    );
    expect(bridge.callsOf('users.reveal')).toEqual([]);
    fireEvent.change(screen.getByTestId('drill-reveal-reason'), { target: { value: '用户来电核实身份' } });
    fireEvent.click(screen.getByTestId('drill-reveal-submit'));
    expect((await screen.findByTestId('drill-phone-clear')).textContent).toContain('13700137000');
    expect(bridge.callsOf('users.reveal')).toEqual([
      { userId: 12, field: 'phone', reason: '用户来电核实身份' },
    ]);
  });

  it('support sees no way to reveal', async () => {
    renderPages(
      '/customers/12',
      new ScriptedBridge().answer('customers.get', () => customerFixture),
    );
    await screen.findByTestId('drill-profile');
    expect(screen.queryByTestId('drill-reveal-phone')).toBeNull();
  });
});

describe('the order page', () => {
  it('tells the order’s story in sentences, its money in words and yuan, parties and cases linked', async () => {
    const bridge = new ScriptedBridge().answer('orders.get', () => orderFixture);
    renderPages('/orders/7', bridge, finance);
    const header = await screen.findByTestId('drill-header');
    expect(bridge.callsOf('orders.get')).toEqual([{ orderId: 7 }]);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('订单 JX20261127000007');
    expect(within(header).getByTestId('drill-order-status').textContent).toBe('已完成');
    expect(header.textContent).toContain('标准版');
    expect(within(header).getByRole('link', { name: '王女士' }).getAttribute('href')).toBe('/customers/30');
    expect(within(header).getByRole('link', { name: '小鱼设计工作室' }).getAttribute('href')).toBe(
      '/customers/12',
    );

    expect(screen.getByTestId('drill-step-1').textContent).toContain('雇主 王女士 下单，等待付款');
    expect(screen.getByTestId('drill-step-2').textContent).toContain(
      '系统“支付成功”，订单从「待付款」变为「待接单」',
    );
    expect(screen.getByTestId('drill-step-3').textContent).toContain(
      '雇主 王女士“确认验收”，订单从「已交付」变为「已完成」',
    );

    const release = screen.getByTestId('drill-money-row-42');
    expect(release.textContent).toContain('验收放款');
    expect(release.textContent).toContain('从托管转出 ¥200.00；放款给服务商 ¥180.00；平台服务费 ¥20.00');
    expect(screen.getByTestId('drill-money-row-41').textContent).toContain('冻结入托管 ¥200.00');
    expect(screen.getByTestId('drill-escrow').textContent).toContain('当前托管余额 ¥0.00');
    // Finance may read the ledger: the postings are one click away.
    expect(within(screen.getByTestId('drill-escrow')).getByRole('link').getAttribute('href')).toBe(
      '/finance/ledger?orderId=7',
    );
    expect(screen.getByTestId('drill-payments-row-6').textContent).toContain('微信支付');

    // Finance sees disputes (oversight) but not support chats.
    expect(
      within(screen.getByTestId('drill-cases-row-82')).getByTestId('drill-case-82').getAttribute('href'),
    ).toBe('/moderation/disputes/82');
    expect(screen.getByTestId('drill-cases-row-90').textContent).toContain('#90（无权查看）');
    expect(screen.getByTestId('drill-cases-row-90').textContent).toContain('（无权查看此类工单）');
    expect(screen.getByTestId('order-page').textContent).not.toMatch(RAW_CODES);
  });

  it('speaks English, and offline says the page is not available offline', async () => {
    const bridge = new ScriptedBridge().answer('orders.get', () => orderFixture);
    const view = renderPages('/orders/7', bridge, finance, 'en');
    await screen.findByTestId('drill-header');
    expect(screen.getByTestId('drill-step-3').textContent).toContain(
      'Client 王女士: “Accept delivery”, the order went from “Delivered” to “Completed”',
    );
    expect(screen.getByTestId('drill-money-row-42').textContent).toContain(
      'Released to the freelancer ¥180.00',
    );
    expect(screen.getByTestId('order-page').textContent).not.toMatch(RAW_CODES_EN);
    view.unmount();

    renderPages('/orders/7', new ScriptedBridge().answer('orders.get', offline), finance, 'en');
    expect((await screen.findByTestId('drill-offline')).textContent).toContain('not available offline');
  });
});
