import type { SyncStatus } from '@jiangxin/shared/bridge';
import { describe, expect, it } from 'vitest';
import { menuTemplate } from './menu';
import { badgeCount, notificationOptions, trayTooltip, WINDOW_TITLE, windowTitle } from './presentation';

const sync = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  state: 'online',
  lastSeq: 10,
  headSeq: 10,
  behindBy: 0,
  snapshot: null,
  lastSyncedAt: null,
  problem: null,
  ...over,
});

describe('badge, title and tray', () => {
  it('counts assigned cases and unread chats', () => {
    expect(badgeCount({ assignedOpen: 3, unreadChats: 4 })).toBe(7);
    expect(windowTitle({ assignedOpen: 3, unreadChats: 4 })).toBe(`(7) ${WINDOW_TITLE}`);
    expect(windowTitle({ assignedOpen: 0, unreadChats: 0 })).toBe('匠心运营台 Jiangxin Console');
    expect(windowTitle(null)).toBe(WINDOW_TITLE);
  });

  it('shows the figures and the sync state in the tooltip', () => {
    expect(trayTooltip({ assignedOpen: 2, unreadChats: 5 }, sync())).toBe(
      '匠心运营台\n待处理 2 · 未读消息 5\n在线 online',
    );
    expect(trayTooltip(null, sync({ state: 'syncing', behindBy: 120 }))).toBe(
      '匠心运营台\n同步中 syncing（落后 120 条）',
    );
    expect(trayTooltip(null, null)).toBe('匠心运营台');
  });
});

describe('notificationOptions', () => {
  it('makes a refused action urgent and a chat message quiet', () => {
    const base = { title: '操作失败', body: '案件 #12 的认领被拒绝', caseId: 12 };
    expect(notificationOptions({ ...base, kind: 'action_failed' })).toEqual({
      title: '操作失败',
      body: '案件 #12 的认领被拒绝',
      urgency: 'critical',
      silent: false,
    });
    expect(notificationOptions({ ...base, kind: 'chat_message' })).toMatchObject({
      urgency: 'normal',
      silent: true,
    });
    expect(notificationOptions({ ...base, kind: 'case_assigned' })).toMatchObject({ silent: false });
  });
});

describe('menuTemplate', () => {
  const labels = (items: ReturnType<typeof menuTemplate>) => items.map((i) => i.label);
  const roles = (items: ReturnType<typeof menuTemplate>) =>
    items.flatMap((i) => (Array.isArray(i.submenu) ? i.submenu.map((s) => s.role) : []));
  const opts = { about: () => {}, openApiDocs: () => {} };

  it('has the Chinese menus, and an app menu on macOS only', () => {
    expect(labels(menuTemplate({ ...opts, isPackaged: true, platform: 'linux' }))).toEqual([
      '文件',
      '编辑',
      '视图',
      '窗口',
      '帮助',
    ]);
    expect(labels(menuTemplate({ ...opts, isPackaged: true, platform: 'darwin' }))[0]).toBe('匠心运营台');
  });

  it('offers DevTools only in development', () => {
    expect(roles(menuTemplate({ ...opts, isPackaged: false, platform: 'win32' }))).toContain(
      'toggleDevTools',
    );
    expect(roles(menuTemplate({ ...opts, isPackaged: true, platform: 'win32' }))).not.toContain(
      'toggleDevTools',
    );
  });
});
