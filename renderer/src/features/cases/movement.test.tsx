import type { ActionReceipt, ConsoleSession, OutboxItem } from '@jiangxin/shared/bridge';
import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseActionOffer, CaseSummary } from '@jiangxin/shared/ops/cases';
import { permissionsOf } from '@jiangxin/shared/permissions';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import { describe, expect, it } from 'vitest';
import { listingDetail } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CaseQueue } from './CaseQueue';
import { nextAfterDecision } from './movement';
import { sampleCase } from './testing';

const session: ConsoleSession = {
  userId: 7,
  username: 'moderator',
  nickname: '李审核',
  roles: ['moderator'],
  permissions: permissionsOf(['moderator']),
  coreUrl: 'http://127.0.0.1:3000',
};
const listings = WORKSPACES.find((w) => w.id === 'listings')!;
const DECISIONS: CaseActionOffer[] = ['approve', 'reject', 'request_changes'].map((action) => ({
  action,
  available: true,
  reason: null,
}));

function Where() {
  return <output data-testid="where">{useLocation().pathname}</output>;
}
const where = () => screen.getByTestId('where').textContent;

/**
 * A queue of listing reviews I hold, ordered by id. `online`: the core decides at once and the live stream
 * (which takes the case out of the queue) reaches the page before the action's own answer, as it can on a
 * busy core; offline: the engine queues the action and the case stays listed, marked as waiting to send.
 */
function queueBridge(
  rows: CaseSummary[],
  mode: 'online' | 'offline',
  outbox: OutboxItem[],
  actions = DECISIONS,
) {
  const bridge: ScriptedBridge = new ScriptedBridge()
    .answer('cases.list', (args) => {
      const shown = rows.filter((c) => args.statuses?.includes(c.status) ?? true);
      const offset = args.offset ?? 0;
      return { items: shown.slice(offset, offset + (args.limit ?? 200)), total: shown.length };
    })
    .answer('views.list', () => ({ items: [] }))
    .answer('cases.get', (args) => ({
      detail: {
        case: rows.find((c) => c.id === args.caseId)!,
        history: [],
        actions,
        detail: listingDetail(),
      },
      cachedAt: null,
      stale: false,
    }))
    .answer('presence.view', () => ({ ok: true }))
    .answer('presence.leave', () => ({ ok: true }))
    .answer('cases.perform', async (args): Promise<ActionReceipt> => {
      const at = rows.findIndex((c) => c.id === args.caseId);
      if (mode === 'offline') {
        outbox.push({
          id: outbox.length + 1,
          method: 'cases.perform',
          caseId: args.caseId,
          label: { zh: `通过：工单 #${args.caseId}`, en: `Approve: case #${args.caseId}` },
          state: 'pending',
          attempts: 0,
          createdAt: new Date().toISOString(),
          problem: null,
        });
        return { queued: true, outboxId: outbox.length, case: null, result: {} };
      }
      const resolved = { ...rows[at]!, status: 'resolved' as const, version: rows[at]!.version + 1 };
      rows[at] = resolved;
      bridge.emit('cases.changed', { upserted: [args.caseId], removed: [] });
      await new Promise((r) => setTimeout(r, 400));
      return { queued: false, outboxId: null, case: resolved, result: {} };
    });
  return bridge;
}

function renderQueue(
  count: number,
  open: number,
  mode: 'online' | 'offline',
  { actions = DECISIONS, held = true }: { actions?: typeof DECISIONS; held?: boolean } = {},
) {
  const rows = Array.from({ length: count }, (_, i) =>
    sampleCase(i + 1, held ? { assigneeId: 7, assigneeName: '李审核', priority: 0 } : { priority: 0 }),
  );
  const outbox: OutboxItem[] = [];
  const bridge = queueBridge(rows, mode, outbox, actions);
  function Queue() {
    // The console re-reads the outbox after a queued action; here the pending list is the bridge's.
    const [items, setItems] = useState<OutboxItem[]>([]);
    return (
      <CaseQueue
        workspace={listings}
        session={session}
        outbox={{ items, refresh: () => setItems([...outbox]) }}
      />
    );
  }
  renderWithConsole(
    <>
      <Routes>
        <Route path={`${listings.path}/*`} element={<Queue />} />
      </Routes>
      <Where />
    </>,
    { bridge, route: `${listings.path}/${open}` },
  );
  return bridge;
}

// Generous waits: the machine running the suite is shared, and a pane with a listing is a big render.
const SLOW = { timeout: 8000 };
const opened = async (id: number) => {
  await waitFor(() => expect(where()).toBe(`${listings.path}/${id}`), SLOW);
  await screen.findByText(`服务审核：Logo 设计 ${id}`, { selector: 'h2' }, SLOW);
  await waitFor(() => expect(screen.getByTestId('listing-approve').className).not.toContain('loading'), SLOW);
};

describe('after a decision the queue moves by one rule', { timeout: 60_000 }, () => {
  it('the rule: the case below, else the one above, else none — never a case I already decided', () => {
    expect(nextAfterDecision([1, 2, 3], 2, new Set())).toBe(3);
    expect(nextAfterDecision([1, 2, 3], 3, new Set())).toBe(2);
    expect(nextAfterDecision([1, 2, 3], 3, new Set([2]))).toBe(1);
    expect(nextAfterDecision([1, 2, 3], 1, new Set([2, 3]))).toBeNull();
    expect(nextAfterDecision([2], 2, new Set())).toBeNull();
  });

  it('reject moves to the case below, even when the queue re-read before the answer came back', async () => {
    const bridge = renderQueue(4, 2, 'online');
    await opened(2);
    fireEvent.change(screen.getByTestId('reject-reason'), { target: { value: 'contact_info' } });
    fireEvent.click(screen.getByTestId('listing-reject'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    await opened(3);
    expect(screen.getByTestId('case-detail').getAttribute('data-case-id')).toBe('3');
  });

  it('`a` on the last case moves to the one above it; deciding the only one left closes the pane', async () => {
    const bridge = renderQueue(2, 2, 'online');
    await opened(2);
    fireEvent.keyDown(window, { key: 'a' });
    await opened(1);
    fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(2));
    await waitFor(() => expect(where()).toBe(listings.path), SLOW);
    expect(screen.queryByTestId('case-detail')).toBeNull();
  });

  it('offline, a queued approve moves on the same way and never back to a case already queued', async () => {
    const bridge = renderQueue(4, 2, 'offline');
    await opened(2);
    fireEvent.keyDown(window, { key: 'a' });
    await opened(3);
    fireEvent.keyDown(window, { key: 'a' });
    await opened(4);
    // The last case: the one above it (3) and the one above that (2) wait in the outbox — 1 is next.
    fireEvent.keyDown(window, { key: 'a' });
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(3));
    await opened(1);
    // The queued cases are still listed (marked as waiting to send), but none of them came back.
    expect(screen.getByTestId('case-row-2')).toBeTruthy();
  });
});

describe('the ? list on an open case', { timeout: 60_000 }, () => {
  it('names every key I can press here — Esc, claim, and a/r/c even before I claim (with the reason)', async () => {
    const claimFirst = { zh: '请先认领该工单', en: 'Claim the case first' };
    renderQueue(3, 2, 'online', {
      held: false,
      actions: [
        { action: 'claim', available: true, reason: null },
        ...DECISIONS.map((d) => ({ ...d, available: false, reason: claimFirst })),
      ],
    });
    await screen.findByText('服务审核：Logo 设计 2', { selector: 'h2' }, SLOW);
    fireEvent.keyDown(window, { key: '?' });
    const rows = [...(await screen.findByTestId('shortcut-list')).querySelectorAll('tr')].map((tr) => [
      tr.querySelector('kbd')?.textContent,
      tr.querySelector('td')?.textContent,
    ]);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['Esc', '关闭详情'],
        ['Shift+C', '认领当前工单'],
        ['a', '通过该服务（暂不可用：请先认领该工单）'],
        ['r', '驳回（需选择原因）（暂不可用：请先认领该工单）'],
        ['c', '要求修改（需填写说明）（暂不可用：请先认领该工单）'],
        ['j', '下一条'],
        ['k', '上一条'],
      ]),
    );
  });

  it('a key whose action is not possible yet says why instead of doing nothing', async () => {
    const bridge = renderQueue(3, 2, 'online', {
      held: false,
      actions: DECISIONS.map((d) => ({
        ...d,
        available: false,
        reason: { zh: '请先认领该工单', en: 'Claim first' },
      })),
    });
    await screen.findByText('服务审核：Logo 设计 2', { selector: 'h2' }, SLOW);
    fireEvent.keyDown(window, { key: 'a' });
    expect((await screen.findByTestId('shortcut-blocked')).textContent).toBe('通过该服务：请先认领该工单');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
  });
});
