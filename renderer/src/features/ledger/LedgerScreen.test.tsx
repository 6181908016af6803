import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { BridgeCallError, bridgeProblem } from '@jiangxin/shared/bridge';
import type { LedgerAccountsResponse, LedgerTransaction } from '@jiangxin/shared/ops/ledger';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { LedgerScreen } from './LedgerScreen';

const session: ConsoleSession = {
  userId: 1,
  username: 'fin',
  nickname: '财务小李',
  roles: ['finance'],
  permissions: ['ledger.view'],
  coreUrl: 'http://core',
};

const owner = { userId: null, userNickname: null, orderId: null, orderNumber: null };
const release: LedgerTransaction = {
  id: 41,
  kind: 'order_release',
  orderId: 7,
  orderNumber: 'JX20261127000007',
  description: '订单 JX20261127000007 验收放款（平台服务费 1234 分）',
  idempotencyKey: 'release:7',
  createdAt: '2026-11-27T06:00:00.000Z',
  postings: [
    {
      id: 101,
      accountId: 9,
      accountCode: 'order:7:escrow',
      accountKind: 'escrow',
      ...owner,
      orderId: 7,
      orderNumber: 'JX20261127000007',
      amountFen: -12_345,
      balanceAfterFen: 0,
      entryType: null,
    },
    {
      id: 102,
      accountId: 3,
      accountCode: 'user:12:available',
      accountKind: 'user_available',
      ...owner,
      userId: 12,
      userNickname: '设计师小王',
      amountFen: 11_111,
      balanceAfterFen: 11_111,
      entryType: 'earning',
    },
    {
      id: 103,
      accountId: 2,
      accountCode: 'platform:fees',
      accountKind: 'platform_fees',
      ...owner,
      amountFen: 1_234,
      balanceAfterFen: null,
      entryType: null,
    },
  ],
};
const accounts: LedgerAccountsResponse = {
  accounts: [
    {
      id: 3,
      code: 'user:12:available',
      kind: 'user_available',
      ...owner,
      userId: 12,
      userNickname: '设计师小王',
      balanceFen: 11_111,
      balanceSource: 'cached',
      postingCount: 1,
      createdAt: '2026-11-27T05:00:00.000Z',
    },
  ],
  wallet: { availableFen: 11_111, frozenFen: 0, payoutPendingFen: 0, totalEarnedFen: 11_111 },
};

function scripted() {
  return new ScriptedBridge()
    .answer('ledger.accounts', () => accounts)
    .answer('ledger.transactions', (args) =>
      args.cursor
        ? { items: [{ ...release, id: 40, kind: 'order_payment', postings: [] }], nextCursor: null }
        : { items: [release], nextCursor: 'next-page' },
    );
}

describe('LedgerScreen', () => {
  it('looks up a user: balances, the transactions with their postings and a per-transaction sum of ¥0.00', async () => {
    const bridge = scripted();
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger' });
    expect(screen.getByTestId('ledger-start')).toBeTruthy();

    fireEvent.change(screen.getByTestId('ledger-filter-user'), { target: { value: ' 12 ' } });
    fireEvent.click(screen.getByTestId('ledger-search'));

    const row = await screen.findByTestId('ledger-tx-41');
    expect(bridge.callsOf('ledger.accounts')).toEqual([{ userId: 12 }]);
    expect(bridge.callsOf('ledger.transactions')).toEqual([{ userId: 12, limit: 20 }]);
    expect(within(row).getByText('J41')).toBeTruthy();
    expect(within(row).getByText('验收放款')).toBeTruthy();
    // What the user's own accounts gained, and the sum of all postings.
    expect(within(row).getByText('+¥111.11')).toBeTruthy();
    expect(within(row).getByTestId('ledger-tx-sum-41').textContent).toContain('¥0.00');
    expect(within(row).getByTestId('ledger-tx-sum-41').textContent).toContain('平衡');
    expect(screen.getByTestId('ledger-wallet').textContent).toContain('¥111.11');
    expect(screen.getByTestId('ledger-account-user:12:available').textContent).toContain('可用余额');

    // The postings, debit and credit sides, only after expanding.
    expect(screen.queryByTestId('ledger-postings-41')).toBeNull();
    fireEvent.click(screen.getByTestId('ledger-tx-expand-41'));
    const postings = await screen.findByTestId('ledger-postings-41');
    expect(within(postings).getByTestId('ledger-posting-101').textContent).toContain('-¥123.45');
    expect(within(postings).getByTestId('ledger-posting-102').textContent).toContain('+¥111.11');
    expect(within(postings).getByTestId('ledger-posting-102').textContent).toContain('订单收入');
    expect(within(postings).getByTestId('ledger-posting-103').textContent).toContain('+¥12.34');
    expect(within(postings).getByTestId('ledger-postings-sum-41').textContent).toBe('¥0.00');

    // Load more asks for the next page with the cursor and appends it.
    fireEvent.click(screen.getByTestId('ledger-load-more'));
    await screen.findByTestId('ledger-tx-40');
    expect(bridge.callsOf('ledger.transactions')[1]).toEqual({ userId: 12, limit: 20, cursor: 'next-page' });
    expect(screen.getByTestId('ledger-count').textContent).toContain('2');
    expect(screen.queryByTestId('ledger-load-more')).toBeNull();
  }, 40_000);

  it('flags a transaction whose postings do not sum to zero', async () => {
    const broken = { ...release, postings: release.postings.slice(0, 2) };
    const bridge = new ScriptedBridge()
      .answer('ledger.accounts', () => ({ accounts: [], wallet: null }))
      .answer('ledger.transactions', () => ({ items: [broken], nextCursor: null }));
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger?orderId=7' });
    const sum = await screen.findByTestId('ledger-tx-sum-41');
    expect(sum.textContent).toContain('-¥12.34');
    expect(sum.textContent).toContain('不平衡');
    expect(bridge.callsOf('ledger.accounts')).toEqual([{ orderId: 7 }]);
    // A link by ID (the command palette's) shows the order as #7 in the filter.
    expect((screen.getByLabelText('订单编号或 ID') as HTMLInputElement).value).toBe('#7');
  });

  it('refuses a non-numeric user id, or two filters, with a message and sends nothing', async () => {
    const bridge = scripted();
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger' });
    fireEvent.change(screen.getByTestId('ledger-filter-user'), { target: { value: '张三' } });
    fireEvent.click(screen.getByTestId('ledger-search'));
    expect(screen.getByTestId('ledger-input-problem').textContent).toContain('“张三”不是用户 ID');
    expect(screen.getByTestId('ledger-filter-user').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(screen.getByTestId('ledger-filter-user'), { target: { value: '12' } });
    fireEvent.change(screen.getByTestId('ledger-filter-account'), { target: { value: 'platform:fees' } });
    fireEvent.click(screen.getByTestId('ledger-search'));
    expect(screen.getByTestId('ledger-input-problem').textContent).toContain('只能按一个条件');

    fireEvent.change(screen.getByTestId('ledger-filter-user'), { target: { value: '' } });
    fireEvent.change(screen.getByTestId('ledger-filter-account'), { target: { value: '' } });
    fireEvent.click(screen.getByTestId('ledger-search'));
    expect(screen.getByTestId('ledger-input-problem').textContent).toContain('请填写一个查询条件');
    await new Promise((r) => setTimeout(r, 20));
    expect(bridge.calls).toHaveLength(0);
  });

  it('takes the order as staff quote it: the order number however typed, or #ID', async () => {
    const bridge = scripted();
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger' });
    const order = screen.getByLabelText('订单编号或 ID');
    fireEvent.change(order, { target: { value: ' jx2026 1127 000007 ' } });
    fireEvent.click(screen.getByTestId('ledger-search'));
    const row = await screen.findByTestId('ledger-tx-41');
    expect(bridge.callsOf('ledger.accounts')).toEqual([{ orderNumber: 'JX20261127000007' }]);
    expect(bridge.callsOf('ledger.transactions')).toEqual([{ orderNumber: 'JX20261127000007', limit: 20 }]);
    expect(screen.getByTestId('ledger-accounts').textContent).toContain('订单 JX20261127000007');
    // What the order's escrow lost in the release.
    expect(within(row).getByText('-¥123.45')).toBeTruthy();

    fireEvent.change(order, { target: { value: '#7' } });
    fireEvent.click(screen.getByTestId('ledger-search'));
    await waitFor(() => expect(bridge.callsOf('ledger.accounts').at(-1)).toEqual({ orderId: 7 }));
    await waitFor(() => expect(screen.getByTestId('ledger-accounts').textContent).toContain('订单 #7'));
  });

  it('names a bad order reference in the message and sends nothing', async () => {
    const bridge = scripted();
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger' });
    const order = screen.getByLabelText('订单编号或 ID');
    for (const bad of ['订单七', 'JX2026112700007', '#0']) {
      fireEvent.change(order, { target: { value: bad } });
      fireEvent.click(screen.getByTestId('ledger-search'));
      expect(screen.getByTestId('ledger-input-problem').textContent).toBe(
        `“${bad}”不是订单编号或订单 ID：订单编号形如 JX20261126000001，订单 ID 形如 345 或 #345。尚未查询。`,
      );
      expect(order.getAttribute('aria-invalid')).toBe('true');
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(bridge.calls).toHaveLength(0);
  });

  it('says the screen needs the core when the engine is offline, and retries', async () => {
    let offline = true;
    const bridge = new ScriptedBridge()
      .answer('ledger.accounts', () => {
        if (offline)
          throw new BridgeCallError(
            bridgeProblem('offline', {
              zh: '无法连接到平台服务，已切换为离线模式',
              en: 'Cannot reach the platform service; working offline',
            }),
          );
        return accounts;
      })
      .answer('ledger.transactions', () => ({ items: [release], nextCursor: null }));
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger?userId=12' });
    const error = await screen.findByTestId('ledger-error');
    expect(error.textContent).toContain('无法连接到平台服务');
    expect(error.textContent).toContain('需要连接平台服务');
    offline = false;
    fireEvent.click(screen.getByTestId('ledger-retry'));
    await screen.findByTestId('ledger-tx-41');
    await waitFor(() => expect(screen.queryByTestId('ledger-error')).toBeNull());
  });

  it('pivots to an account from a posting', async () => {
    const bridge = scripted();
    renderWithConsole(<LedgerScreen session={session} />, { bridge, route: '/finance/ledger?userId=12' });
    fireEvent.click(await screen.findByTestId('ledger-tx-expand-41'));
    const postings = await screen.findByTestId('ledger-postings-41');
    const link = within(postings).getByText('platform:fees').closest('button')!;
    expect(link.getAttribute('aria-label')).toBe('按账户 platform:fees 查询');
    fireEvent.click(link);
    await waitFor(() =>
      expect(bridge.callsOf('ledger.accounts').at(-1)).toEqual({ account: 'platform:fees' }),
    );
    expect((screen.getByTestId('ledger-filter-account') as HTMLInputElement).value).toBe('platform:fees');
  });
});
