import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { StaffSupportMessage } from '@jiangxin/shared/ops/support';

/** The workspace's route (`/support/chats`); an open conversation is `<path>/<caseId>`. */
export const CHATS_PATH = WORKSPACES.find((w) => w.id === 'chats')?.path ?? '/support/chats';

/** How long after the customer's last keystroke event "typing…" stays up. */
export const TYPING_SHOWN_MS = 5_000;
/** The agent's own typing is told to the customer at most this often. */
export const TYPING_SEND_EVERY_MS = 3_000;
/** Bursts of cache changes and unread moves are folded into one re-read. */
export const REREAD_DEBOUNCE_MS = 200;

/** The customer's nickname of a chat row (set by the core when the chat opened). */
export function customerNameOf(c: Pick<CaseSummary, 'summary' | 'title'>): string {
  const name = c.summary['customerNickname'];
  return typeof name === 'string' && name ? name : c.title;
}

export function orderNumberOf(c: Pick<CaseSummary, 'summary'>): string | null {
  const n = c.summary['orderNumber'];
  return typeof n === 'string' && n ? n : null;
}

/** Messages merged by id, oldest first (the engine's offline copy and the core page differ in order). */
export function mergeMessages(
  current: readonly StaffSupportMessage[],
  incoming: readonly StaffSupportMessage[],
): StaffSupportMessage[] {
  if (incoming.length === 0) return current as StaffSupportMessage[];
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}
