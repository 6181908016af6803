import type { BridgeEventPayload, SyncStatus } from '@jiangxin/shared/bridge';
import type { NotificationConstructorOptions } from 'electron';

/**
 * What the shell shows outside the page — window title, tray tooltip, dock/taskbar badge, OS
 * notifications — computed from engine events. Pure, so the wording is tested without Electron.
 */

export const PRODUCT_NAME = '匠心运营台';
export const WINDOW_TITLE = `${PRODUCT_NAME} Jiangxin Console`;

export type Counts = BridgeEventPayload<'counts.changed'>;
export type NotifyPayload = BridgeEventPayload<'notify'>;

const SYNC_LABELS: Record<SyncStatus['state'], string> = {
  offline: '离线 offline',
  unavailable: '服务暂不可用 service unavailable',
  connecting: '连接中 connecting',
  syncing: '同步中 syncing',
  online: '在线 online',
};

/** The number on the dock/taskbar/launcher: everything waiting for the person. */
export function badgeCount(counts: Counts): number {
  return counts.assignedOpen + counts.unreadChats;
}

export function windowTitle(counts: Counts | null): string {
  const n = counts ? badgeCount(counts) : 0;
  return n > 0 ? `(${n}) ${WINDOW_TITLE}` : WINDOW_TITLE;
}

export function trayTooltip(counts: Counts | null, sync: SyncStatus | null): string {
  const lines = [PRODUCT_NAME];
  if (counts) lines.push(`待处理 ${counts.assignedOpen} · 未读消息 ${counts.unreadChats}`);
  if (sync) {
    const behind = sync.state === 'syncing' && sync.behindBy > 0 ? `（落后 ${sync.behindBy} 条）` : '';
    lines.push(`${SYNC_LABELS[sync.state]}${behind}`);
  }
  return lines.join('\n');
}

export function syncLabel(sync: SyncStatus | null): string {
  return `同步状态：${sync ? SYNC_LABELS[sync.state] : SYNC_LABELS.connecting}`;
}

/** The engine's `notify` event as an OS notification; a failed action is urgent where the OS supports it. */
export function notificationOptions(n: NotifyPayload): NotificationConstructorOptions {
  return {
    title: n.title,
    body: n.body,
    urgency: n.kind === 'action_failed' ? 'critical' : 'normal',
    silent: n.kind === 'chat_message',
  };
}
