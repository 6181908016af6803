import { Notification } from 'electron';
import { type NotifyPayload, notificationOptions } from './presentation';

/**
 * OS notifications for the engine's `notify` event (a case assigned to the person, a customer's chat
 * message, a queued action the core refused) — only while the window is not focused: in front of the
 * person the page shows it itself. Clicking one brings the window forward and opens the case.
 */
export function createNotifier(opts: {
  isWindowFocused(): boolean;
  openCase(caseId: number | null): void;
}): (payload: NotifyPayload) => void {
  // Kept referenced until closed: a garbage-collected Notification loses its click handler.
  const shown = new Set<Notification>();
  return (payload) => {
    if (opts.isWindowFocused() || !Notification.isSupported()) return;
    const notification = new Notification(notificationOptions(payload));
    shown.add(notification);
    notification.on('click', () => opts.openCase(payload.caseId));
    notification.on('close', () => shown.delete(notification));
    notification.show();
  };
}
