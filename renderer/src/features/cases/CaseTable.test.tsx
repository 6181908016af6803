import type { ConsoleSession, OutboxItem } from '@jiangxin/shared/bridge';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CaseQueue } from './CaseQueue';
import { assignSlots, type RowSlots } from './CaseTable';
import { prefetchQueueRoute, takeEarlyRead } from './prefetch';
import { sampleCase } from './testing';
import { firstWindow } from './useCaseWindow';

const session: ConsoleSession = {
  userId: 7,
  username: 'moderator',
  nickname: '李审核',
  roles: ['moderator'],
  permissions: ['cases.view', 'listings.review'],
  coreUrl: 'http://127.0.0.1:3000',
};
const listings = WORKSPACES.find((w) => w.id === 'listings')!;

function queueBridge(all: () => CaseSummary[]) {
  return new ScriptedBridge()
    .answer('cases.list', (args) => {
      const offset = args.offset ?? 0;
      return { items: all().slice(offset, offset + (args.limit ?? 200)), total: all().length };
    })
    .answer('views.list', () => ({ items: [] }));
}

function renderQueue(bridge: ScriptedBridge, outboxItems: OutboxItem[] = []) {
  return renderWithConsole(
    <Routes>
      <Route
        path={`${listings.path}/*`}
        element={
          <CaseQueue
            workspace={listings}
            session={session}
            outbox={{ items: outboxItems, refresh: () => {} }}
          />
        }
      />
    </Routes>,
    { bridge, route: listings.path },
  );
}

afterEach(() => {
  // No start-up read left over for the next test.
  takeEarlyRead(
    JSON.stringify({ kinds: ['listing_review'], statuses: ['open', 'waiting'], sort: 'sla' }),
    0,
    100,
  );
});

describe('the queue rows', () => {
  it('show each case’s words, claim button, SLA and flags', async () => {
    const soon = new Date(Date.now() + 30 * 60_000 + 30_000).toISOString();
    const bridge = queueBridge(() => [
      sampleCase(1, { flags: ['contact_leak'], slaDueAt: soon }),
      sampleCase(2, { assigneeId: 7, assigneeName: '李审核', slaDueAt: null }),
      sampleCase(3, { assigneeId: 9, assigneeName: '王芳', slaBreached: true }),
    ]);
    renderQueue(bridge);
    const first = await screen.findByTestId('case-row-1');
    expect(within(first).getByText('联系方式外泄')).toBeTruthy();
    expect(within(first).getByText('剩余 30分').getAttribute('data-sla')).toBe('soon');
    expect(within(first).getByRole('button', { name: '认领工单 #1' })).toBeTruthy();
    expect(within(first).getByText('未认领')).toBeTruthy();
    const second = screen.getByTestId('case-row-2');
    expect(within(second).getByTestId('case-assignee-2').textContent).toBe('我处理中');
    expect(within(second).getByText('无 SLA')).toBeTruthy();
    const third = screen.getByTestId('case-row-3');
    expect(within(third).getByTestId('case-assignee-3').textContent).toBe('王芳');
    expect(third.querySelector('[data-sla="breached"]')?.textContent).toMatch(/^超时 /);
  });
});

describe('the queue fits the screen (issue 14)', () => {
  it('shows the most severe flag and +N, with every flag in the tooltip and for screen readers', async () => {
    const bridge = queueBridge(() => [
      sampleCase(1, { flags: ['contact_leak', 'prohibited_word', 'sla_breached'] }),
      sampleCase(2, { flags: ['contact_leak'] }),
      sampleCase(3, { flags: [] }),
    ]);
    renderQueue(bridge);
    const both = await screen.findByTestId('case-flags-1');
    // A prohibited word outranks a contact leak; the SLA column, not a chip, says the case is late.
    const chips = [...both.querySelectorAll('.flag-tag')].map((e) => e.textContent);
    expect(chips).toEqual(['违禁词', '+1']);
    expect(both.getAttribute('title')).toBe('违禁词、联系方式外泄');
    expect(both.textContent).toContain('联系方式外泄');
    expect(both.querySelector('.flag-more')?.getAttribute('aria-hidden')).toBe('true');
    const one = screen.getByTestId('case-flags-2');
    expect([...one.querySelectorAll('.flag-tag')].map((e) => e.textContent)).toEqual(['联系方式外泄']);
    expect(one.getAttribute('title')).toBe('联系方式外泄');
    expect(screen.queryByTestId('case-flags-3')).toBeNull();
  });

  it('draws no reading pane without an open case and no pending panel while nothing waits', async () => {
    renderQueue(queueBridge(() => [sampleCase(1)]));
    await screen.findByTestId('case-row-1');
    expect(document.querySelector('.queue-split')?.classList.contains('with-detail')).toBe(false);
    expect(document.querySelector('.case-detail')).toBeNull();
    expect(screen.queryByTestId('outbox-panel')).toBeNull();
    // Only a line for screen readers says so, taking no room.
    expect(screen.getByTestId('outbox-empty').className).toBe('sr-only');
  });

  it('shows the pending panel once an action waits', async () => {
    const waiting: OutboxItem = {
      id: 5,
      method: 'cases.claim',
      caseId: 1,
      label: { zh: '认领工单 #1', en: 'Claim case #1' },
      state: 'pending',
      attempts: 0,
      createdAt: '2026-12-06T03:00:00.000Z',
      problem: null,
    };
    renderQueue(
      queueBridge(() => [sampleCase(1)]),
      [waiting],
    );
    const panel = await screen.findByTestId('outbox-panel');
    expect(within(panel).getByText('认领工单 #1')).toBeTruthy();
    expect(screen.queryByTestId('outbox-empty')).toBeNull();
  });
});

describe('the first rows after a page reload', () => {
  it('come from the read sent at start-up, without a second read', async () => {
    const all = Array.from({ length: 500 }, (_, i) => sampleCase(i + 1));
    const bridge = queueBridge(() => all);
    await prefetchQueueRoute(bridge, '#/moderation/listings/7', firstWindow(), () => true);
    expect(bridge.callsOf('cases.list')).toEqual([
      { kinds: ['listing_review'], statuses: ['open', 'waiting'], sort: 'sla', offset: 0, limit: 100 },
    ]);
    renderQueue(bridge);
    // Shown by the first render, with the total.
    expect(screen.getByTestId('case-row-1')).toBeTruthy();
    expect(screen.getByText('共 500 条')).toBeTruthy();
    await waitFor(() => expect(bridge.callsOf('views.list')).toHaveLength(1));
    expect(bridge.callsOf('cases.list')).toHaveLength(1);
  });

  it('are read again when the cache changed after the start-up read', async () => {
    let all = Array.from({ length: 50 }, (_, i) => sampleCase(i + 1));
    const bridge = queueBridge(() => all);
    await prefetchQueueRoute(bridge, '#/moderation/listings', firstWindow(), () => true);
    all = [sampleCase(99, { title: '新到的工单' }), ...all];
    bridge.emit('cases.changed', { upserted: [99], removed: [] });
    renderQueue(bridge);
    expect(await screen.findByText('新到的工单')).toBeTruthy();
    expect(screen.getByText('共 51 条')).toBeTruthy();
  });

  it('are not read at start-up on a route that is not a queue drawn by the queue view', async () => {
    const bridge = queueBridge(() => []);
    expect(prefetchQueueRoute(bridge, '#/admin/audit', firstWindow(), () => true)).toBeNull();
    expect(prefetchQueueRoute(bridge, '#/moderation/listings', firstWindow(), () => false)).toBeNull();
    expect(bridge.callsOf('cases.list')).toHaveLength(0);
  });
});

describe('row slots (which row element draws which case)', () => {
  it('keep a case in its row while it stays on screen and hand rows that left to cases coming in', () => {
    const state: RowSlots = { byId: new Map(), fresh: 0 };
    const first = assignSlots(state, [1, 2, 3, 4], null);
    expect([...first.values()]).toEqual([0, 1, 2, 3]);
    // A gentle scroll: 3 and 4 stay where they were; 5 and 6 take the rows 1 and 2 left.
    const gentle = assignSlots(state, [3, 4, 5, 6], null);
    expect([gentle.get(3), gentle.get(4), gentle.get(5), gentle.get(6)]).toEqual([2, 3, 0, 1]);
    // A jump: every case is new and the rows are reused in their order.
    const jump = assignSlots(state, [50, 51, 52, 53], null);
    expect([...jump.values()]).toEqual([0, 1, 2, 3]);
  });

  it('never hands the row holding the keyboard focus to another case', () => {
    const state: RowSlots = { byId: new Map(), fresh: 0 };
    assignSlots(state, [1, 2, 3], null);
    // Case 2's claim button has the focus and the queue jumps away: its row is not reused.
    const jump = assignSlots(state, [10, 11, 12], 2);
    expect([...jump.values()]).not.toContain(1);
    expect(new Set(jump.values()).size).toBe(3);
  });
});
