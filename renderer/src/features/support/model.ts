import { WORKSPACES } from '@jiangxin/shared/console/workspaces';
import { CASE_PRIORITY_LABELS, type CaseSummary } from '@jiangxin/shared/ops/cases';
import type { CannedReplyEffects, StaffSupportMessage } from '@jiangxin/shared/ops/support';
import type { SupportStrings } from './strings';

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

/** A priority's name in the person's language (低 / 普通 / 高 / 紧急), never the number. */
export function priorityName(priority: number, pick: (t: { zh: string; en: string }) => string): string {
  const label = CASE_PRIORITY_LABELS[priority];
  return label ? pick(label) : String(priority);
}

/**
 * What sending with a macro will do, as one line under the composer ("发送后：结束会话 · 优先级改为 高 ·
 * 添加标签 退款"); null for a canned reply that only fills in text.
 */
export function macroPreview(
  effects: CannedReplyEffects,
  s: SupportStrings,
  pick: (t: { zh: string; en: string }) => string,
): string | null {
  const parts = [
    effects.status === 'resolved' ? s('macroEndChat') : null,
    effects.status === 'waiting' ? s('macroWait') : null,
    effects.priority !== null ? s('macroPriority', { label: priorityName(effects.priority, pick) }) : null,
    effects.addTags.length ? s('macroTags', { tags: effects.addTags.join('、') }) : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? s('macroPreview', { list: parts.join(' · ') }) : null;
}

/** What a macro did, as the reply's result says (`result.macro` of the core's support reply). */
export interface MacroOutcome {
  status: 'waiting' | 'resolved';
  priority: { from: number; to: number } | null;
  addedTags: string[];
}

const isPriority = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** The macro's outcome in a reply's result, or null (a plain reply, a queued one, or an older core). */
export function macroOutcomeOf(result: Record<string, unknown>): MacroOutcome | null {
  const m = result['macro'];
  if (typeof m !== 'object' || m === null) return null;
  const { status, priority, addedTags } = m as Record<string, unknown>;
  if (status !== 'waiting' && status !== 'resolved') return null;
  const p = priority as { from?: unknown; to?: unknown } | undefined;
  return {
    status,
    priority: p && isPriority(p.from) && isPriority(p.to) ? { from: p.from, to: p.to } : null,
    addedTags: Array.isArray(addedTags) ? addedTags.filter((t): t is string => typeof t === 'string') : [],
  };
}

/** The toast after a macro: what it changed on the case, in the person's words. */
export function macroDone(
  outcome: MacroOutcome,
  s: SupportStrings,
  pick: (t: { zh: string; en: string }) => string,
): string {
  const parts = [
    outcome.status === 'resolved' ? s('macroDoneResolved') : null,
    outcome.priority
      ? s('macroDonePriority', {
          from: priorityName(outcome.priority.from, pick),
          to: priorityName(outcome.priority.to, pick),
        })
      : null,
    outcome.addedTags.length ? s('macroDoneTags', { tags: outcome.addedTags.join('、') }) : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? s('macroDone', { list: parts.join(' · ') }) : s('macroDoneNothing');
}
