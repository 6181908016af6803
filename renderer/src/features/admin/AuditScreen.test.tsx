import type { AuditEntry } from '@jiangxin/shared/ops/audit';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import { AuditScreen } from './AuditScreen';
import { adminSession } from './testkit';

const entry = (id: number, action: string, extra: Partial<AuditEntry> = {}): AuditEntry => ({
  id,
  at: `2026-11-27T0${id}:00:00.000Z`,
  actorId: 7,
  actorName: '审核小王',
  action,
  subjectType: 'case',
  subjectId: 100 + id,
  data: { note: `第${id}条` },
  prevHash: `${id - 1}`.repeat(64),
  hash: `${id}`.repeat(64),
  ...extra,
});
const rows = [entry(3, 'case.perform.approve'), entry(2, 'case.claim'), entry(1, 'settings.update')];

describe('AuditScreen', () => {
  it('shows a broken chain: the first broken row highlighted with the reason, and opens the log at it', async () => {
    const bridge = new ScriptedBridge()
      .answer('audit.list', (args) =>
        args.maxId ? { items: rows.slice(1), nextCursor: null } : { items: rows, nextCursor: null },
      )
      .answer('audit.verify', () => ({
        ok: false,
        checked: 2,
        firstBrokenId: 2,
        reason: 'content_hash_mismatch',
        headHash: '1'.repeat(64),
      }));
    renderWithConsole(<AuditScreen session={adminSession} />, { bridge, route: '/admin/audit' });

    const broken = await screen.findByTestId('audit-chain-broken');
    expect(broken.textContent).toContain('链断裂');
    expect(broken.textContent).toContain('#2');
    expect(broken.textContent).toContain('内容在写入后被修改');
    expect(screen.queryByTestId('audit-chain-ok')).toBeNull();

    const row2 = await screen.findByTestId('audit-row-2');
    expect(screen.getByTestId('audit-table').contains(row2)).toBe(true);
    expect(screen.getByTestId('audit-verify').contains(broken)).toBe(true);
    expect(row2.className).toContain('audit-broken');
    expect(within(row2).getByText('断裂处')).toBeTruthy();
    const row3 = screen.getByTestId('audit-row-3');
    expect(row3.className).not.toContain('audit-broken');
    expect(within(row3).queryByText('断裂处')).toBeNull();

    fireEvent.click(screen.getByTestId('audit-go-to-break'));
    await waitFor(() => expect(bridge.callsOf('audit.list')).toHaveLength(2));
    expect(bridge.callsOf('audit.list')[1]).toEqual({ maxId: 2, limit: 50 });
    await waitFor(() => expect(screen.queryByTestId('audit-row-3')).toBeNull());
    expect(screen.getByTestId('audit-row-2').className).toContain('audit-broken');
  });

  it('reports an intact chain with its count, filters by what the query supports and pages with the cursor', async () => {
    const bridge = new ScriptedBridge()
      .answer('audit.list', (args) =>
        args.cursor
          ? { items: [entry(1, 'case.claim')], nextCursor: null }
          : { items: [entry(3, 'case.claim'), entry(2, 'case.claim')], nextCursor: 'older' },
      )
      .answer('audit.verify', () => ({
        ok: true,
        checked: 1234,
        firstBrokenId: null,
        reason: null,
        headHash: 'abcdef0123456789'.repeat(4),
      }));
    renderWithConsole(<AuditScreen session={adminSession} />, { bridge });
    const ok = await screen.findByTestId('audit-chain-ok');
    expect(ok.textContent).toContain('链完整');
    expect(ok.textContent).toContain('1234');
    await screen.findByTestId('audit-row-3');

    // A bad filter is named and nothing is sent.
    fireEvent.change(screen.getByTestId('audit-filter-actorId'), { target: { value: '7x' } });
    fireEvent.change(screen.getByTestId('audit-filter-action'), { target: { value: 'Case.Claim' } });
    fireEvent.click(screen.getByTestId('audit-search'));
    expect(await screen.findByText('操作人 ID必须是正整数，例如 12。')).toBeTruthy();
    expect(screen.getByText(/操作只能包含小写字母/)).toBeTruthy();
    expect(bridge.callsOf('audit.list')).toHaveLength(1);

    fireEvent.change(screen.getByTestId('audit-filter-actorId'), { target: { value: '7' } });
    fireEvent.change(screen.getByTestId('audit-filter-action'), { target: { value: 'case.perform.*' } });
    fireEvent.change(screen.getByTestId('audit-filter-subjectType'), { target: { value: 'case' } });
    fireEvent.click(screen.getByTestId('audit-search'));
    await waitFor(() => expect(bridge.callsOf('audit.list')).toHaveLength(2));
    expect(bridge.callsOf('audit.list')[1]).toEqual({
      actorId: 7,
      action: 'case.perform.*',
      subjectType: 'case',
      limit: 50,
    });

    // Older entries with the same filter and the core's cursor, appended.
    fireEvent.click(await screen.findByTestId('audit-load-more'));
    await screen.findByTestId('audit-row-1');
    expect(bridge.callsOf('audit.list')[2]).toEqual({
      actorId: 7,
      action: 'case.perform.*',
      subjectType: 'case',
      limit: 50,
      cursor: 'older',
    });
    expect(screen.getByTestId('audit-row-3')).toBeTruthy();
    expect(screen.queryByTestId('audit-load-more')).toBeNull();
  });

  it('reads each entry as a sentence in the member’s language, the raw record only behind 详情 / Details', async () => {
    const entries: AuditEntry[] = [
      entry(4, 'case.perform.reject', {
        actorName: 'moderator',
        subjectId: 123,
        data: { kind: 'listing_review', body: { reason: 'contact_info', note: '' }, outcome: 'rejected' },
      }),
      entry(3, 'staff.set_roles', {
        actorName: 'admin',
        subjectType: 'user',
        subjectId: 9,
        data: { before: ['support'], after: ['support', 'finance'], version: 2 },
      }),
      entry(2, 'settings.update', {
        actorName: 'admin',
        subjectType: 'settings',
        subjectId: null,
        data: {
          patch: { payoutSecondApprovalFen: 600_000 },
          before: { payoutSecondApprovalFen: 500_000 },
          after: { payoutSecondApprovalFen: 600_000 },
        },
      }),
      entry(1, 'case.perform.resolve', {
        actorName: null,
        actorId: 5,
        subjectId: 77,
        data: {
          kind: 'dispute',
          body: { outcome: 'split', refundFen: 3_900, releaseFen: 10_000, note: '各担一半' },
        },
      }),
    ];
    const answer = (bridge: ScriptedBridge) =>
      bridge
        .answer('audit.list', () => ({ items: entries, nextCursor: null }))
        .answer('audit.verify', () => ({
          ok: true,
          checked: 4,
          firstBrokenId: null,
          reason: null,
          headHash: 'a'.repeat(64),
        }));

    const zh = renderWithConsole(<AuditScreen session={adminSession} />, {
      bridge: answer(new ScriptedBridge()),
    });
    expect((await screen.findByTestId('audit-sentence-4')).textContent).toMatch(
      /^moderator 驳回了 服务审核工单 #123：包含联系方式/,
    );
    expect(screen.getByTestId('audit-sentence-3').textContent).toBe(
      'admin 将 用户 #9 的角色从 客服 改为 客服、财务',
    );
    expect(screen.getByTestId('audit-sentence-2').textContent).toBe(
      'admin 修改了运营设置：提现双人审批门槛：¥5,000.00 → ¥6,000.00',
    );
    expect(screen.getByTestId('audit-sentence-1').textContent).toBe(
      '员工 #5 裁决了 纠纷工单 #77：按比例分配，退款 ¥39.00，放款 ¥100.00，各担一半',
    );
    // No codes and no JSON on the page until a row's details are opened.
    const table = screen.getByTestId('audit-table');
    for (const code of ['case.perform', 'staff.set_roles', 'contact_info', 'listing_review', '{']) {
      expect(table.textContent, code).not.toContain(code);
    }
    const toggle = screen.getByTestId('audit-details-toggle-4');
    expect(toggle.textContent).toBe('详情');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    const details = await screen.findByTestId('audit-details-4');
    expect(details.textContent).toContain('"action": "case.perform.reject"');
    expect(details.textContent).toContain('"reason": "contact_info"');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.textContent).toBe('收起详情');
    expect(screen.queryByTestId('audit-details-3')).toBeNull();
    fireEvent.click(toggle);
    await waitFor(() => expect(screen.queryByTestId('audit-details-4')).toBeNull());
    zh.unmount();

    renderWithConsole(<AuditScreen session={adminSession} />, {
      bridge: answer(new ScriptedBridge()),
      locale: 'en',
    });
    expect((await screen.findByTestId('audit-sentence-4')).textContent).toMatch(
      /^moderator rejected listing review case #123: Contains contact details/,
    );
    expect(screen.getByTestId('audit-sentence-3').textContent).toBe(
      'admin changed the roles of user #9 from Support to Support, Finance',
    );
    expect(screen.getByTestId('audit-sentence-2').textContent).toBe(
      'admin changed the settings: payout second-approval threshold: ¥5,000.00 → ¥6,000.00',
    );
    expect(screen.getByTestId('audit-details-toggle-1').textContent).toBe('Details');
  });
});
