import {
  BridgeCallError,
  bridgeProblem,
  type ConsoleSession,
  type TeamViewsResult,
} from '@jiangxin/shared/bridge';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { TeamView } from '@jiangxin/shared/ops/team-views';
import { permissionsOf } from '@jiangxin/shared/permissions';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CaseQueue } from './CaseQueue';
import { sampleCase } from './testing';

const session: ConsoleSession = {
  userId: 7,
  username: 'moderator',
  nickname: '李审核',
  roles: ['moderator'],
  permissions: ['cases.view', 'listings.review'],
  coreUrl: 'http://127.0.0.1:3000',
};
const listings = WORKSPACES.find((w) => w.id === 'listings')!;

function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}

function queueBridge(all: CaseSummary[]) {
  return new ScriptedBridge()
    .answer('cases.list', (args) => {
      let rows = all;
      if (args.minAmountFen !== undefined)
        rows = rows.filter((c) => (c.amountFen ?? 0) >= args.minAmountFen!);
      const offset = args.offset ?? 0;
      return { items: rows.slice(offset, offset + (args.limit ?? 200)), total: rows.length };
    })
    .answer('views.list', () => ({ items: [] }))
    .answer('views.save', (args) => ({
      items: [{ ...args.state, name: args.name, savedAt: new Date().toISOString() }],
    }))
    .answer('cases.get', (args) => ({
      detail: {
        case: all.find((c) => c.id === args.caseId)!,
        history: [],
        actions: [{ action: 'claim', available: true, reason: null }],
        detail: {},
      },
      cachedAt: null,
      stale: false,
    }))
    .answer('presence.view', () => ({ ok: true }))
    .answer('presence.leave', () => ({ ok: true }));
}

function renderQueue(bridge: ScriptedBridge, route = listings.path, workspace = listings, who = session) {
  return renderWithConsole(
    <>
      <Routes>
        <Route
          path={`${workspace.path}/*`}
          element={
            <CaseQueue workspace={workspace} session={who} outbox={{ items: [], refresh: () => {} }} />
          }
        />
      </Routes>
      <Where />
    </>,
    { bridge, route },
  );
}

describe('the queue split view', () => {
  it('shows a 100,000-case queue with only the rows on screen in the page', async () => {
    const all = Array.from({ length: 100_000 }, (_, i) => sampleCase(i + 1));
    const bridge = queueBridge(all);
    renderQueue(bridge);
    expect(await screen.findByText('共 100,000 条')).toBeTruthy();
    await screen.findByTestId('case-row-1');
    const rendered = document.querySelectorAll('[data-testid^="case-row-"]').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(100);
    // Only a window was read from the cache, never the whole queue.
    expect(Math.max(...bridge.callsOf('cases.list').map((a) => a.limit ?? 0))).toBeLessThanOrEqual(1000);
  });

  it('moves with j/k, opens with Enter (the route names the case), and closes with Esc', async () => {
    const bridge = queueBridge(Array.from({ length: 50 }, (_, i) => sampleCase(i + 1)));
    renderQueue(bridge);
    await screen.findByTestId('case-row-1');
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'k' });
    fireEvent.keyDown(window, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/moderation/listings/2'));
    expect(await screen.findByText('服务审核：Logo 设计 2', { selector: 'h2' })).toBeTruthy();
    expect(bridge.callsOf('cases.get')).toContainEqual({ caseId: 2 });
    expect(bridge.callsOf('presence.view')).toContainEqual({ caseId: 2 });
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.getByTestId('where').textContent).toBe('/moderation/listings'));
  });

  it('restores the open case from the route after a restart', async () => {
    const bridge = queueBridge(Array.from({ length: 30 }, (_, i) => sampleCase(i + 1)));
    renderQueue(bridge, '/moderation/listings/17');
    expect(await screen.findByText('服务审核：Logo 设计 17', { selector: 'h2' })).toBeTruthy();
  });

  it('names a bad amount filter and does not run it; a good one filters in fen', async () => {
    const bridge = queueBridge(Array.from({ length: 30 }, (_, i) => sampleCase(i + 1)));
    renderQueue(bridge);
    await screen.findByTestId('case-row-1');
    fireEvent.click(screen.getByTestId('queue-filters'));
    const min = await screen.findByTestId('filter-amount-min');
    fireEvent.change(min, { target: { value: '12.345' } });
    fireEvent.blur(min);
    expect((await screen.findByTestId('filter-amount-error')).textContent).toContain('最多两位小数');
    expect(bridge.callsOf('cases.list').some((a) => a.minAmountFen !== undefined)).toBe(false);
    fireEvent.change(min, { target: { value: '25.00' } });
    fireEvent.blur(min);
    expect(await screen.findByText('共 6 条')).toBeTruthy();
    expect(bridge.callsOf('cases.list').at(-1)?.minAmountFen).toBe(2500);
    expect(screen.queryByTestId('filter-amount-error')).toBeNull();
  });

  it('saves the current filters and sort as a named view', async () => {
    const bridge = queueBridge(Array.from({ length: 10 }, (_, i) => sampleCase(i + 1)));
    renderQueue(bridge);
    await screen.findByTestId('case-row-1');
    fireEvent.click(screen.getByTestId('sort-amount'));
    fireEvent.click(screen.getByTestId('sort-amount'));
    fireEvent.click(screen.getByTestId('queue-view-menu'));
    fireEvent.change(await screen.findByTestId('view-name'), { target: { value: '大额优先' } });
    fireEvent.click(screen.getByTestId('view-save'));
    await waitFor(() => expect(bridge.callsOf('views.save')).toHaveLength(1));
    expect(bridge.callsOf('views.save')[0]).toMatchObject({
      workspace: 'listings',
      name: '大额优先',
      state: { sort: '-amount' },
    });
    expect(bridge.callsOf('cases.list').at(-1)?.sort).toBe('-amount');
  });

  it('“my work” lists what is mine across kinds, shows the kind, and narrows to the kinds I may view', async () => {
    const mine = WORKSPACES.find((w) => w.id === 'mine')!;
    const finance: ConsoleSession = {
      ...session,
      userId: 9,
      roles: ['finance'],
      permissions: permissionsOf(['finance']),
    };
    const rows = [
      sampleCase(1, { kind: 'payout', title: '提现审核：¥3,000.00', assigneeId: 9, assigneeName: '钱会计' }),
      sampleCase(2, { kind: 'dispute', title: '纠纷：订单退款', assigneeId: 9, assigneeName: '钱会计' }),
    ];
    const bridge = queueBridge(rows);
    renderQueue(bridge, mine.path, mine, finance);
    await screen.findByTestId('case-row-1');
    // It opens on what is assigned to me and still open, over every kind the workspace covers.
    expect(bridge.callsOf('cases.list')[0]).toMatchObject({
      assignee: 'me',
      statuses: ['open', 'waiting'],
      kinds: ['listing_review', 'report', 'dispute', 'payout', 'reconciliation_mismatch'],
    });
    // Rows of different kinds sit together, so the kind is a column.
    const kindCell = (id: number) =>
      screen.getByTestId(`case-row-${id}`).querySelector('.col-kind')?.textContent;
    expect(kindCell(1)).toBe('提现');
    expect(kindCell(2)).toBe('纠纷');
    // The kind filter offers what finance may view — not listing reviews or reports.
    fireEvent.click(screen.getByTestId('queue-filters'));
    const kinds = within(await screen.findByRole('group', { name: '工单类型' }));
    expect(kinds.getAllByRole('checkbox').map((box) => box.closest('label')?.textContent)).toEqual([
      '纠纷',
      '提现',
      '对账差异',
    ]);
    fireEvent.click(kinds.getByRole('checkbox', { name: '纠纷' }));
    await waitFor(() =>
      expect(bridge.callsOf('cases.list').at(-1)?.kinds).toEqual(['payout', 'reconciliation_mismatch']),
    );
  });

  it('keeps a saved view and the search in their own queue: another queue opens on its own default', async () => {
    const disputes = WORKSPACES.find((w) => w.id === 'disputes')!;
    const rows = Array.from({ length: 12 }, (_, i) => sampleCase(i + 1, i % 2 ? { kind: 'dispute' } : {}));
    const highFirst = {
      name: '高优先',
      filters: { priorityAtLeast: 2 },
      sort: 'sla' as const,
      columns: ['id' as const, 'title' as const],
      savedAt: new Date().toISOString(),
    };
    const bridge = queueBridge(rows).answer('views.list', (args) => ({
      items: args.workspace === 'listings' ? [highFirst] : [],
    }));
    const both = { ...session, permissions: permissionsOf(['moderator']) };
    function Go() {
      const navigate = useNavigate();
      return (
        <button type="button" onClick={() => navigate(disputes.path)}>
          go-disputes
        </button>
      );
    }
    renderWithConsole(
      <>
        <Routes>
          {[listings, disputes].map((w) => (
            <Route
              key={w.id}
              path={`${w.path}/*`}
              element={<CaseQueue workspace={w} session={both} outbox={{ items: [], refresh: () => {} }} />}
            />
          ))}
        </Routes>
        <Go />
      </>,
      { bridge, route: listings.path },
    );
    await screen.findByTestId('case-row-1');
    // Pick the saved view and type a search in 服务审核.
    fireEvent.mouseDown(within(screen.getByTestId('queue-views')).getByRole('combobox'));
    fireEvent.click(await screen.findByTitle('高优先'));
    await waitFor(() => expect(bridge.callsOf('cases.list').at(-1)?.priorityAtLeast).toBe(2));
    fireEvent.change(screen.getByTestId('case-search'), { target: { value: 'Logo' } });
    await waitFor(() => expect(bridge.callsOf('cases.list').at(-1)?.q).toBe('Logo'));
    fireEvent.click(screen.getByText('go-disputes'));
    // 纠纷仲裁 opens on its own default view: no filter, no search, no view picked.
    expect(await screen.findByText('纠纷仲裁', { selector: 'h2' })).toBeTruthy();
    await waitFor(() => expect(bridge.callsOf('cases.list').at(-1)?.kinds).toEqual(['dispute']));
    const last = bridge.callsOf('cases.list').at(-1)!;
    expect(last.priorityAtLeast).toBeUndefined();
    expect(last.q).toBeUndefined();
    expect((screen.getByTestId('case-search') as HTMLInputElement).value).toBe('');
    expect(screen.queryByTitle('高优先')).toBeNull();
    expect(
      screen.getByTestId('queue-filters').closest('.ant-badge')?.querySelector('.ant-badge-count'),
    ).toBeNull();
    expect(await screen.findByText('共 12 条')).toBeTruthy();
  });

  it('“my work” stays on what is mine: the assignee shows 我的 and cannot be widened, not even by clearing', async () => {
    const mine = WORKSPACES.find((w) => w.id === 'mine')!;
    const rows = [sampleCase(1, { assigneeId: 7, assigneeName: '李审核' })];
    const bridge = queueBridge(rows);
    renderQueue(bridge, mine.path, mine, { ...session, permissions: permissionsOf(['moderator']) });
    await screen.findByTestId('case-row-1');
    fireEvent.click(screen.getByTestId('queue-filters'));
    const assignee = await screen.findByTestId('filter-assignee');
    expect(assignee.textContent).toContain('我的');
    expect(assignee.className).toContain('ant-select-disabled');
    // The fixed assignee is the workspace itself, not a filter the person set: the badge counts only the
    // default statuses.
    expect(
      screen.getByTestId('queue-filters').closest('.ant-badge')?.querySelector('.ant-badge-count')
        ?.textContent,
    ).toBe('1');
    fireEvent.click(screen.getByTestId('filter-clear'));
    await waitFor(() => expect(bridge.callsOf('cases.list').length).toBeGreaterThan(1));
    for (const call of bridge.callsOf('cases.list')) expect(call.assignee).toBe('me');
    expect(screen.getByTestId('filter-assignee').textContent).toContain('我的');
  });

  describe('team views', () => {
    const REVIEW = { id: 1, name: '审核组' };
    const NIGHT = { id: 2, name: '夜班组' };
    const teamView = (over: Partial<TeamView> = {}): TeamView => ({
      id: 11,
      teamId: REVIEW.id,
      teamName: REVIEW.name,
      workspace: 'listings',
      name: '高优先级待审',
      state: { filters: { priorityAtLeast: 2 }, sort: 'priority', columns: ['id', 'title', 'priority'] },
      createdBy: { id: 8, nickname: '王审核' },
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      mayDelete: false,
      ...over,
    });
    const listed = (over: Partial<TeamViewsResult> = {}): TeamViewsResult => ({
      teams: [REVIEW],
      items: [teamView()],
      offline: false,
      cachedAt: new Date().toISOString(),
      ...over,
    });
    const openViews = () =>
      fireEvent.mouseDown(within(screen.getByTestId('queue-views')).getByRole('combobox'));

    it('lists the team’s views under 团队视图 with the team’s name beside 我的视图; picking one applies it', async () => {
      const mine = {
        name: '我的大额',
        filters: { minAmountFen: 100_000 },
        sort: '-amount' as const,
        columns: ['id' as const, 'title' as const],
        savedAt: new Date().toISOString(),
      };
      const bridge = queueBridge([sampleCase(1)])
        .answer('views.list', () => ({ items: [mine] }))
        .answer('teamViews.list', () => listed({ offline: true }));
      renderQueue(bridge);
      await screen.findByTestId('case-row-1');
      openViews();
      expect(await screen.findByText('我的视图')).toBeTruthy();
      // Offline the engine's last copy shows, and says so.
      expect((await screen.findByTestId('team-views-1')).textContent).toBe('团队视图 · 审核组（离线副本）');
      fireEvent.click(await screen.findByTitle('高优先级待审'));
      await waitFor(() =>
        expect(bridge.callsOf('cases.list').at(-1)).toMatchObject({ priorityAtLeast: 2, sort: 'priority' }),
      );
      // Someone else's team view: no delete offered.
      fireEvent.click(screen.getByTestId('queue-view-menu'));
      await screen.findByTestId('share-view');
      expect(screen.queryByTestId('team-view-delete')).toBeNull();
      expect(screen.queryByTestId('view-delete')).toBeNull();
    });

    it('shares the current view with the team picked (when in several), and deletes one I may', async () => {
      let items = [teamView({ mayDelete: true })];
      const bridge = queueBridge([sampleCase(1)])
        .answer('teamViews.list', () => listed({ teams: [REVIEW, NIGHT], items }))
        .answer('teamViews.share', (args) => {
          items = [
            ...items,
            teamView({
              id: 12,
              teamId: args.teamId,
              teamName: NIGHT.name,
              name: args.name,
              state: args.state,
              mayDelete: true,
            }),
          ];
          return listed({ teams: [REVIEW, NIGHT], items });
        })
        .answer('teamViews.delete', (args) => {
          items = items.filter((v) => v.id !== args.id);
          return listed({ teams: [REVIEW, NIGHT], items });
        });
      renderQueue(bridge);
      await screen.findByTestId('case-row-1');
      fireEvent.click(screen.getByTestId('sort-amount'));
      fireEvent.click(screen.getByTestId('queue-view-menu'));
      fireEvent.mouseDown(within(await screen.findByTestId('share-team')).getByRole('combobox'));
      fireEvent.click(await screen.findByTitle('夜班组'));
      fireEvent.change(screen.getByTestId('share-name'), { target: { value: '夜班大额' } });
      fireEvent.click(screen.getByTestId('share-submit'));
      await waitFor(() => expect(bridge.callsOf('teamViews.share')).toHaveLength(1));
      expect(bridge.callsOf('teamViews.share')[0]).toMatchObject({
        teamId: NIGHT.id,
        workspace: 'listings',
        name: '夜班大额',
        state: { sort: 'amount' },
      });
      expect(await screen.findByText('已将视图“夜班大额”共享给夜班组')).toBeTruthy();
      openViews();
      expect(await screen.findByTestId('team-views-2')).toBeTruthy();

      // My own team view can be deleted from the menu.
      fireEvent.click(await screen.findByTitle('高优先级待审'));
      fireEvent.click(screen.getByTestId('queue-view-menu'));
      fireEvent.click(await screen.findByText('删除团队视图“高优先级待审”'));
      await waitFor(() =>
        expect(bridge.callsOf('teamViews.delete')).toEqual([{ workspace: 'listings', id: 11 }]),
      );
      expect(await screen.findByText('已删除团队视图“高优先级待审”')).toBeTruthy();
    });

    it('says sharing needs a connection when the engine refuses it offline', async () => {
      const bridge = queueBridge([sampleCase(1)])
        .answer('teamViews.list', () => listed({ items: [], offline: true }))
        .answer('teamViews.share', () => {
          throw new BridgeCallError(
            bridgeProblem('needs_online', {
              zh: '共享或删除团队视图需要联网，请恢复连接后再试',
              en: 'Sharing or deleting a team view needs a connection',
            }),
          );
        });
      renderQueue(bridge);
      await screen.findByTestId('case-row-1');
      fireEvent.click(screen.getByTestId('queue-view-menu'));
      // One team: no team to pick, the button names it.
      expect(screen.queryByTestId('share-team')).toBeNull();
      fireEvent.change(await screen.findByTestId('share-name'), { target: { value: '离线视图' } });
      fireEvent.click(screen.getByText('共享 · 审核组'));
      expect(await screen.findByText('共享或删除团队视图需要联网，请恢复连接后再试')).toBeTruthy();
    });
  });
});
