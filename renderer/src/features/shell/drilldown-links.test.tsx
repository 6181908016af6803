import type { CustomerContext } from '@jiangxin/shared/ops/support';
import { fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { staffSession } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CustomerPage } from '../customers/CustomerPage';
import { customerFixture, orderFixture } from '../customers/fixtures';
import { OrderPage } from '../customers/OrderPage';
import { UserHistory } from '../moderation/UserHistory';
import { CustomerSidebar } from '../support/CustomerSidebar';

const support = staffSession(2, ['support']);

const context: CustomerContext = {
  profile: {
    id: 12,
    username: 'xiaoyu_design',
    nickname: '小鱼设计工作室',
    status: 'active',
    isClient: false,
    isFreelancer: true,
    createdAt: '2026-10-01T02:00:00.000Z',
    realNameStatus: 'verified',
    phone: '137****7000',
    phoneVerified: true,
    realName: '于**',
    idNumber: null,
  },
  orders: [
    {
      id: 7,
      orderNumber: 'JX20261127000007',
      status: 'completed',
      amountFen: 20_000,
      serviceTitle: '品牌 LOGO 设计',
      role: 'freelancer',
      counterpart: { id: 30, nickname: '王女士' },
      createdAt: '2026-11-27T02:00:00.000Z',
    },
  ],
  wallet: { availableFen: 0, payoutPendingFen: 0, escrowAsClientFen: 0 },
  cases: [],
};

/** A pane with the drill-down routes beside it, as in the console. */
function withPages(pane: React.ReactElement, bridge: ScriptedBridge) {
  return renderWithConsole(
    <Routes>
      <Route path="/pane" element={pane} />
      <Route path="/customers/:userId" element={<CustomerPage session={support} />} />
      <Route path="/orders/:orderId" element={<OrderPage session={support} />} />
    </Routes>,
    { bridge, route: '/pane' },
  );
}

describe('links from the panes to the drill-down pages', () => {
  it('the support sidebar’s customer name opens their page, an order number the order’s page', async () => {
    const bridge = new ScriptedBridge()
      .answer('users.context', () => context)
      .answer('customers.get', () => customerFixture)
      .answer('orders.get', () => orderFixture);
    const view = withPages(<CustomerSidebar userId={12} caseId={5} session={support} />, bridge);
    const name = await screen.findByRole('link', { name: '小鱼设计工作室' });
    fireEvent.click(name);
    expect(await screen.findByTestId('drill-profile')).toBeTruthy();
    expect(bridge.callsOf('customers.get')).toEqual([{ userId: 12 }]);
    view.unmount();

    withPages(<CustomerSidebar userId={12} caseId={5} session={support} />, bridge);
    const orders = await screen.findByTestId('customer-orders');
    fireEvent.click(within(orders).getByRole('link', { name: 'JX20261127000007' }));
    expect((await screen.findByTestId('drill-order-status')).textContent).toBe('已完成');
    expect(bridge.callsOf('orders.get')).toEqual([{ orderId: 7 }]);
  });

  it('the moderation panes’ user line links to the customer page', () => {
    withPages(
      <UserHistory
        heading="卖家"
        user={{
          id: 12,
          username: 'xiaoyu_design',
          nickname: '小鱼设计工作室',
          status: 'active',
          suspendedUntil: null,
          createdAt: '2026-10-01T02:00:00.000Z',
          accountAgeDays: 66,
          listings: { total: 1, published: 1, rejected: 0, suspended: 0 },
          completedOrders: 3,
          sanctions: [],
        }}
      />,
      new ScriptedBridge(),
    );
    const link = within(screen.getByTestId('user-history')).getByTestId('customer-link-12');
    expect(link.getAttribute('href')).toBe('/customers/12');
    expect(link.textContent).toContain('小鱼设计工作室');
  });
});
