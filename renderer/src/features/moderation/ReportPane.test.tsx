import type { ReportDetail } from '@jiangxin/shared/ops/moderation';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { field, offerOf, renderPane, staffSession } from '../../kit/testing';
import { parseDays, ReportPane } from './ReportPane';
import { hitIn } from './testing';

const LEAK = '平台抽成太高，加我VX：logo_studio88 私下交易';

const author = {
  id: 88,
  username: 'spam88',
  nickname: '小李设计',
  status: 'active' as const,
  suspendedUntil: null,
  createdAt: '2026-11-01T00:00:00.000Z',
  accountAgeDays: 25,
  listings: { total: 1, published: 1, rejected: 0, suspended: 0 },
  completedOrders: 0,
  sanctions: [],
};

const reports: ReportDetail['reports'] = [
  {
    id: 1,
    reporterId: null,
    reporterName: null,
    bySystem: true,
    reason: 'contact_info',
    reasonText: { zh: '留联系方式 / 引导站外交易', en: 'Contact details / dealing off the platform' },
    detail: '',
    createdAt: '2026-11-26T06:00:00.000Z',
  },
  {
    id: 2,
    reporterId: 90,
    reporterName: '王女士',
    bySystem: false,
    reason: 'contact_info',
    reasonText: { zh: '留联系方式 / 引导站外交易', en: 'Contact details / dealing off the platform' },
    detail: '对方要求私下转账',
    createdAt: '2026-11-26T06:05:00.000Z',
  },
];

const messageReport: ReportDetail = {
  targetType: 'message',
  target: {
    id: 501,
    conversationId: 40,
    senderId: 88,
    content: LEAK,
    hidden: false,
    thread: [
      {
        id: 500,
        senderId: 90,
        senderName: '王女士',
        type: 'text',
        content: '你好，想咨询LOGO设计',
        createdAt: '2026-11-26T05:59:00.000Z',
        reported: false,
        hidden: false,
      },
      {
        id: 501,
        senderId: 88,
        senderName: '小李设计',
        type: 'text',
        content: LEAK,
        createdAt: '2026-11-26T06:00:00.000Z',
        reported: true,
        hidden: false,
      },
      {
        id: 502,
        senderId: 88,
        senderName: '小李设计',
        type: 'text',
        content: '价格可以便宜一点',
        createdAt: '2026-11-26T06:01:00.000Z',
        reported: false,
        hidden: false,
      },
    ],
  },
  reports,
  hits: { content: [hitIn(LEAK, 'wechat', 'VX：logo_studio88')] },
  author,
};

const ACTIONS = [offerOf('dismiss'), offerOf('uphold')];

describe('report pane', () => {
  it('shows the reported message among its neighbours, the leak marked, and every report', () => {
    renderPane(ReportPane, { kind: 'report', detail: messageReport, actions: ACTIONS });
    expect(screen.getByTestId('report-target-type').textContent).toBe('消息');
    const items = within(screen.getByTestId('message-thread')).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    const reported = items.find((li) => li.getAttribute('data-reported') === 'true')!;
    expect(reported).toBe(items[1]);
    expect(reported.textContent).toContain('被举报的消息');
    expect(within(reported).getByTestId('scan-hit').textContent).toBe('VX：logo_studio88');
    expect(within(items[0]!).queryByTestId('scan-hit')).toBeNull();
    const list = screen.getByTestId('report-list');
    expect(list.textContent).toContain('系统自动检测');
    expect(list.textContent).toContain('王女士');
    expect(list.textContent).toContain('对方要求私下转账');
  });

  it('a review is shown with its rating and the listing it is about', () => {
    const detail: ReportDetail = {
      targetType: 'review',
      target: {
        id: 61,
        rating: 1,
        comment: '垃圾服务',
        authorId: 90,
        authorName: '王女士',
        serviceId: 31,
        serviceTitle: '品牌LOGO设计',
        orderId: 12,
        targetUserId: 88,
        createdAt: '2026-11-20T00:00:00.000Z',
        hidden: false,
      },
      reports,
      hits: {},
      author,
    };
    renderPane(ReportPane, { kind: 'report', detail, actions: ACTIONS });
    expect(screen.getByTestId('review-rating').textContent).toContain('1 / 5 星');
    expect(screen.getByTestId('review-listing').textContent).toContain('品牌LOGO设计');
  });

  it('uphold with a suspension requires a duration; with one it sends the sanction the core expects', async () => {
    const { bridge } = renderPane(ReportPane, { kind: 'report', detail: messageReport, actions: ACTIONS });
    fireEvent.change(field('处理说明'), { target: { value: '引导站外交易' } });
    fireEvent.click(screen.getByRole('checkbox', { name: /隐藏该内容/ }));
    fireEvent.change(screen.getByTestId('uphold-sanction'), { target: { value: 'suspend' } });
    fireEvent.click(screen.getByTestId('report-uphold'));
    expect((await screen.findByTestId('uphold-error')).textContent).toContain('限期封禁需要填写');
    fireEvent.change(screen.getByTestId('uphold-days'), { target: { value: '0' } });
    fireEvent.keyDown(window, { key: 'a' });
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    expect(screen.getByTestId('uphold-days').getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(screen.getByTestId('uphold-days'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('report-uphold'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]).toEqual({
      caseId: 701,
      version: 4,
      kind: 'report',
      action: 'uphold',
      fields: {
        note: '引导站外交易',
        takedown: true,
        sanction: { kind: 'suspend', days: 3, reason: 'contact_info', note: '引导站外交易' },
      },
    });
  });

  it('a warning carries no days; dismiss needs a note', async () => {
    const { bridge } = renderPane(ReportPane, { kind: 'report', detail: messageReport, actions: ACTIONS });
    fireEvent.click(screen.getByTestId('report-dismiss'));
    expect((await screen.findByTestId('dismiss-error')).textContent).toContain('请填写驳回举报的说明');
    expect(bridge.callsOf('cases.perform')).toEqual([]);
    fireEvent.change(field('驳回举报的说明'), { target: { value: '正常沟通，不构成违规' } });
    fireEvent.keyDown(window, { key: 'r' });
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(1));
    expect(bridge.callsOf('cases.perform')[0]).toMatchObject({
      action: 'dismiss',
      fields: { note: '正常沟通，不构成违规' },
    });

    fireEvent.change(field('处理说明'), { target: { value: '首次提醒' } });
    fireEvent.change(screen.getByTestId('uphold-sanction'), { target: { value: 'warn' } });
    expect(screen.queryByTestId('uphold-days')).toBeNull();
    fireEvent.click(screen.getByTestId('report-uphold'));
    await waitFor(() => expect(bridge.callsOf('cases.perform')).toHaveLength(2));
    expect(bridge.callsOf('cases.perform')[1]).toMatchObject({
      action: 'uphold',
      fields: { note: '首次提醒', takedown: false, sanction: { kind: 'warn', reason: 'contact_info' } },
    });
    expect((bridge.callsOf('cases.perform')[1]!.fields as { sanction: object }).sanction).not.toHaveProperty(
      'days',
    );
  });

  it('without the sanctions permission there is no sanction to choose; a reported user cannot be taken down', () => {
    const detail: ReportDetail = {
      targetType: 'user',
      target: {
        id: 88,
        username: 'spam88',
        nickname: '加微信abc_12345',
        status: 'active',
        bio: '',
        createdAt: '2026-11-01T00:00:00.000Z',
      },
      reports,
      hits: { nickname: [hitIn('加微信abc_12345', 'wechat', '微信abc_12345')] },
      author,
    };
    const session = {
      ...staffSession(7),
      permissions: staffSession(7).permissions.filter((p) => p !== 'sanctions.apply'),
    };
    renderPane(ReportPane, { kind: 'report', detail, actions: ACTIONS, session });
    expect(screen.queryByTestId('uphold-sanction')).toBeNull();
    expect(screen.queryByTestId('uphold-takedown')).toBeNull();
    expect(screen.getByTestId('reported-user').textContent).toContain('spam88');
    expect(screen.getByTestId('scan-hit').textContent).toBe('微信abc_12345');
  });
});

describe('parseDays', () => {
  it('takes whole days from 1 to 365 only', () => {
    expect(parseDays('3')).toBe(3);
    expect(parseDays(' 365 ')).toBe(365);
    for (const bad of ['', '0', '366', '1.5', '-2', 'abc', '1e2']) expect(parseDays(bad), bad).toBeNull();
  });
});
