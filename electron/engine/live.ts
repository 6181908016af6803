import {
  EVENT_PAYLOADS,
  type EventEnvelope,
  type EventPayload,
  type EventType,
} from '@jiangxin/shared/events';
import type { CacheChanges } from './cache/cases';
import type { EngineContext } from './context';
import type { EngineSession } from './session';
import type { Sessions } from './sessions';

/** An event's payload checked against its type's schema in shared/events.ts (null, and a log line, if not). */
function payloadOf<T extends EventType>(
  ctx: EngineContext,
  event: EventEnvelope,
  type: T,
): EventPayload<T> | null {
  if (event.type !== type) return null;
  const parsed = EVENT_PAYLOADS[type].safeParse(event.payload);
  if (parsed.success) return parsed.data as EventPayload<T>;
  ctx.log(`dropped a malformed ${type} event (seq ${event.seq})`);
  return null;
}

/**
 * What live changes mean to the person: the renderer re-reads what it shows, the set of cases I hold
 * stays current, and a case newly assigned to me by someone else is a notification — only for live
 * changes (a snapshot or catch-up is not news) and not for my own claims.
 */
export async function casesChanged(
  ctx: EngineContext,
  sessions: Sessions,
  session: EngineSession,
  changes: CacheChanges,
  live: boolean,
): Promise<void> {
  ctx.emit('cases.changed', { upserted: changes.upserted, removed: changes.removed });
  const held = new Map((await session.cache.heldAmong(changes.upserted)).map((c) => [c.id, c.title]));
  for (const id of changes.upserted) {
    const title = held.get(id);
    if (title === undefined) {
      session.mine.delete(id);
      continue;
    }
    if (live && !session.mine.has(id) && !session.recentlyActedOn(id)) {
      ctx.emit('notify', {
        kind: 'case_assigned',
        title: ctx.say({ zh: '新工单已分配给你', en: 'A case was assigned to you' }),
        body: `#${id} ${title}`,
        caseId: id,
      });
    }
    session.mine.add(id);
  }
  for (const id of changes.removed) session.mine.delete(id);
  await sessions.publishCounts();
}

/**
 * Support chat events: new messages reach the open conversation and the badge; read receipts move.
 * Team events: a member's online/away change reaches the screens that show it.
 */
export async function liveEvent(
  ctx: EngineContext,
  sessions: Sessions,
  session: EngineSession,
  event: EventEnvelope,
): Promise<void> {
  const message = payloadOf(ctx, event, 'support.message_created');
  if (message) {
    sessions.refreshUnread(session);
    if (message.caseId === null) return;
    try {
      const page = await session.client.call('listSupportMessages', {
        params: { caseId: message.caseId },
        query: { limit: 20 },
      });
      await session.cache.putChatMessages(message.caseId, page.items);
      const shown = page.items.find((m) => m.id === message.messageId) ?? page.items.at(-1);
      if (shown) ctx.emit('chat.message', { caseId: message.caseId, message: shown });
    } catch {
      // Offline between the event and the fetch: the chat is re-read when it is opened.
    }
    if (message.senderKind === 'user' && session.mine.has(message.caseId)) {
      ctx.emit('notify', {
        kind: 'chat_message',
        title: ctx.say({ zh: '客户新消息', en: 'New customer message' }),
        body: message.preview,
        caseId: message.caseId,
      });
    }
    return;
  }
  const presence = payloadOf(ctx, event, 'team.presence_changed');
  if (presence) {
    ctx.emit('team.presence', presence);
    return;
  }
  const read = payloadOf(ctx, event, 'support.read');
  if (read) {
    sessions.refreshUnread(session);
    if (read.caseId !== null)
      ctx.emit('chat.read', {
        caseId: read.caseId,
        side: read.side === 'user' ? 'customer' : 'agent',
        upToMessageId: read.upToMessageId,
      });
  }
}
