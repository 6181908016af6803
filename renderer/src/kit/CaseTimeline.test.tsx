import type { CaseHistoryEntry } from '@jiangxin/shared/ops/cases';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole } from '../test/render';
import { CaseTimeline } from './CaseTimeline';

const line = (id: number, action: string, extra: Partial<CaseHistoryEntry> = {}): CaseHistoryEntry => ({
  id,
  at: `2026-12-0${id}T06:30:00.000Z`,
  actorId: null,
  actorName: null,
  action,
  fromStatus: 'open',
  toStatus: 'open',
  note: '',
  data: {},
  ...extra,
});

const history: CaseHistoryEntry[] = [
  line(1, 'opened', { fromStatus: null }),
  line(2, 'claimed', { actorId: 3, actorName: 'moderator' }),
  line(3, 'reject', {
    actorId: 3,
    actorName: 'moderator',
    toStatus: 'resolved',
    note: '含联系方式',
    data: { reason: 'contact_info' },
  }),
];

describe('CaseTimeline', () => {
  it('reads a case history as sentences with status changes in words and local times, codes behind 详情', async () => {
    const zh = renderWithConsole(<CaseTimeline caseId={123} kind="listing_review" history={history} />);
    expect(screen.getByTestId('case-history-sentence-1').textContent).toBe('服务审核工单 #123 已创建');
    expect(screen.getByTestId('case-history-sentence-2').textContent).toBe(
      'moderator 认领了 服务审核工单 #123',
    );
    expect(screen.getByTestId('case-history-sentence-3').textContent).toBe(
      'moderator 驳回了 服务审核工单 #123：含联系方式',
    );
    const third = screen.getByTestId('case-history-3');
    expect(third.textContent).toContain('待处理 → 已解决');
    expect(third.textContent).toContain(
      new Date('2026-12-03T06:30:00.000Z').toLocaleString('zh-CN', {
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hour12: false,
      }),
    );
    const timeline = screen.getByTestId('case-timeline');
    for (const code of ['opened', 'claimed', 'reject', 'contact_info', 'listing_review', 'resolved'])
      expect(timeline.textContent, code).not.toContain(code);

    const toggle = screen.getByTestId('case-history-toggle-3');
    expect(toggle.textContent).toBe('详情');
    fireEvent.click(toggle);
    const details = await screen.findByTestId('case-history-details-3');
    expect(details.textContent).toContain('"action": "reject"');
    expect(details.textContent).toContain('contact_info');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.textContent).toBe('收起详情');
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.queryByTestId('case-history-details-3')).toBeNull());
    zh.unmount();

    renderWithConsole(<CaseTimeline caseId={123} kind="listing_review" history={history} />, {
      locale: 'en',
    });
    expect(screen.getByTestId('case-history-sentence-1').textContent).toBe(
      'Listing review case #123 was opened',
    );
    expect(screen.getByTestId('case-history-sentence-3').textContent).toBe(
      'moderator rejected listing review case #123: 含联系方式',
    );
    expect(screen.getByTestId('case-history-3').textContent).toContain('Open → Resolved');
    expect(screen.getByTestId('case-history-toggle-2').textContent).toBe('Details');
  });
});
