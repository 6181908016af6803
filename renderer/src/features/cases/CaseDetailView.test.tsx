import type { SyncStatus } from '@jiangxin/shared/bridge';
import type { CaseDetail } from '@jiangxin/shared/ops/cases';
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { staffSession } from '../../kit/testing';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { CaseDetailView } from './CaseDetailView';
import { sampleCase } from './testing';

const status = (state: SyncStatus['state']): SyncStatus => ({
  state,
  lastSeq: 10,
  headSeq: 10,
  behindBy: 0,
  snapshot: null,
  lastSyncedAt: null,
  problem: null,
});

describe('a case never opened here, while offline', () => {
  it('says its details are not available offline yet, and shows the case by itself once the connection is back', async () => {
    const detail: CaseDetail = {
      case: sampleCase(42, { kind: 'support_chat', title: '退款咨询' }),
      history: [],
      actions: [],
      detail: {},
    };
    let online = false;
    const bridge = new ScriptedBridge()
      // Offline the engine answers from the cache, which has no screen of a case never opened.
      .answer('cases.get', () =>
        online ? { detail, cachedAt: null, stale: false } : { detail: null, cachedAt: null, stale: true },
      )
      .answer('presence.view', () => ({ ok: true }))
      .answer('presence.leave', () => ({ ok: true }));
    renderWithConsole(
      <CaseDetailView caseId={42} session={staffSession(7)} onClose={() => {}} onDecision={() => () => {}} />,
      { bridge },
    );
    const offline = await screen.findByTestId('case-detail-offline');
    expect(offline.textContent).toContain('离线');
    expect(offline.textContent).toContain('恢复连接后会自动加载');
    expect(offline.textContent).not.toContain('没有查看权限');
    act(() => bridge.emit('sync.status', status('offline')));
    online = true;
    act(() => bridge.emit('sync.status', status('connecting')));
    act(() => bridge.emit('sync.status', status('online')));
    expect(await screen.findByText('退款咨询', { selector: 'h2' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByTestId('case-detail-offline')).toBeNull());
  });
});

describe('the case history', () => {
  it('reads as sentences in the member’s language, the raw codes only behind 详情', async () => {
    const detail: CaseDetail = {
      case: sampleCase(42, { kind: 'support_chat', title: '退款咨询', status: 'open' }),
      history: [
        {
          id: 1,
          at: '2026-12-01T08:00:00.000Z',
          actorId: null,
          actorName: null,
          action: 'opened',
          fromStatus: null,
          toStatus: 'open',
          note: '',
          data: {},
        },
        {
          id: 2,
          at: '2026-12-01T08:05:00.000Z',
          actorId: 7,
          actorName: '客服小林',
          action: 'claimed',
          fromStatus: 'open',
          toStatus: 'open',
          note: '',
          data: {},
        },
      ],
      actions: [],
      detail: {},
    };
    const bridge = new ScriptedBridge()
      .answer('cases.get', () => ({ detail, cachedAt: null, stale: false }))
      .answer('presence.view', () => ({ ok: true }))
      .answer('presence.leave', () => ({ ok: true }));
    renderWithConsole(
      <CaseDetailView caseId={42} session={staffSession(7)} onClose={() => {}} onDecision={() => () => {}} />,
      { bridge },
    );
    const history = await screen.findByRole('region', { name: '处理记录' });
    await waitFor(() => expect(history.textContent).toContain('客服小林'));
    // No line shows the raw action or status codes a person cannot read.
    expect(history.textContent).not.toMatch(/\b(opened|claimed|open|resolved)\b/);
  });
});
