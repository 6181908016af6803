import type { BridgeArgs } from '@jiangxin/shared/bridge';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { SupportMessage } from '@jiangxin/shared/ops/support';
import { Segmented } from 'antd';
import { useMemo, useState } from 'react';
import { useBridge, useBridgeEvent } from '../../bridge';
import { settle, useBridgeQuery } from '../../calls';
import { formatDateTime } from '../../format';
import { colon, useT } from '../../i18n';
import { CaseTitle } from '../../kit/case-title';
import { UserText, WithUserText } from '../../kit/UserText';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { useDebouncedTick } from './hooks';
import { customerNameOf, REREAD_DEBOUNCE_MS } from './model';
import { type SupportStrings, useSupportStrings } from './strings';

export type ChatTab = 'mine' | 'unassigned' | 'open' | 'resolved';
const TABS: readonly ChatTab[] = ['mine', 'unassigned', 'open', 'resolved'];

const TAB_LABELS: Record<ChatTab, Parameters<SupportStrings>[0]> = {
  mine: 'tabMine',
  unassigned: 'tabUnassigned',
  open: 'tabOpen',
  resolved: 'tabResolved',
};
const EMPTY_LABELS: Record<ChatTab, Parameters<SupportStrings>[0]> = {
  mine: 'listEmptyMine',
  unassigned: 'listEmptyUnassigned',
  open: 'listEmptyOpen',
  resolved: 'listEmptyResolved',
};
const STATUS_LABELS: Record<CaseSummary['status'], Parameters<SupportStrings>[0]> = {
  open: 'statusOpen',
  waiting: 'statusWaiting',
  resolved: 'statusResolved',
};

/** The engine's cache query behind each tab. */
function tabQuery(tab: ChatTab): BridgeArgs<'cases.list'> {
  const base = { kinds: ['support_chat' as const], limit: 200 };
  switch (tab) {
    case 'mine':
      return { ...base, statuses: ['open', 'waiting'], assignee: 'me', sort: 'sla' };
    case 'unassigned':
      return { ...base, statuses: ['open', 'waiting'], assignee: 'none', sort: 'sla' };
    case 'open':
      return { ...base, statuses: ['open', 'waiting'], sort: 'sla' };
    case 'resolved':
      return { ...base, statuses: ['resolved'], sort: '-created' };
  }
}

/**
 * The conversations (support_chat cases from the offline cache) by tab, each with the customer, the last
 * message, the unread count (chats I hold), status, holder and SLA. Re-read when the cache changes; a
 * live message moves its preview at once. j/k open the next/previous conversation.
 */
export function ConversationList({
  openCaseId,
  onOpen,
}: {
  openCaseId: number | null;
  onOpen: (caseId: number) => void;
}) {
  const bridge = useBridge();
  const { locale } = useT();
  const s = useSupportStrings();
  const [tab, setTab] = useState<ChatTab>('mine');
  const [previews, setPreviews] = useState<ReadonlyMap<number, SupportMessage>>(new Map());
  const [listTick, bumpList] = useDebouncedTick(REREAD_DEBOUNCE_MS);
  const [unreadTick, bumpUnread] = useDebouncedTick(REREAD_DEBOUNCE_MS);

  // The tab's chats from the cache (the last list stays while the next is read), then their previews.
  const read = useBridgeQuery('cases.list', tabQuery(tab), {
    key: [tab, listTick],
    keepPreviousData: true,
    onData: (result) => {
      if (result.items.length === 0) return;
      // Previews need the core (or the engine's cached messages); without them the row still works.
      void settle(bridge.call('chat.previews', { caseIds: result.items.map((c) => c.id) })).then((p) => {
        if (!p.ok) return;
        setPreviews((old) => {
          const next = new Map(old);
          for (const item of p.value.items) {
            const known = next.get(item.caseId);
            if (!known || known.id <= item.lastMessage.id) next.set(item.caseId, item.lastMessage);
          }
          return next;
        });
      });
    },
  });
  const list = read.data?.items ?? null;
  const error = read.error;
  // Offline: the last counts stay until the core answers again.
  const counts = useBridgeQuery('chat.unread', {}, { key: unreadTick, keepPreviousData: true }).data;
  const unread: ReadonlyMap<number, number> = useMemo(
    () => new Map(counts?.items.map((i) => [i.caseId, i.unread]) ?? []),
    [counts],
  );

  useBridgeEvent('cases.changed', bumpList);
  useBridgeEvent('counts.changed', bumpUnread);
  useBridgeEvent('chat.read', bumpUnread);
  useBridgeEvent('chat.message', ({ caseId, message }) => {
    if (!message.isNote) {
      const { isNote: _n, cannedReplyId: _c, ...visible } = message;
      setPreviews((old) => {
        const known = old.get(caseId);
        if (known && known.id > visible.id) return old;
        return new Map(old).set(caseId, visible);
      });
    }
    bumpUnread();
  });

  const items = list ?? [];
  const at = items.findIndex((c) => c.id === openCaseId);
  const step = (delta: number) => {
    const next = items[at === -1 ? 0 : at + delta];
    if (next) onOpen(next.id);
  };
  useShortcut(
    'j',
    () => step(1),
    { zh: '下一个会话', en: 'Next conversation' },
    {
      priority: SHORTCUT_PRIORITY.screen,
    },
  );
  useShortcut(
    'k',
    () => step(-1),
    { zh: '上一个会话', en: 'Previous conversation' },
    {
      priority: SHORTCUT_PRIORITY.screen,
    },
  );

  const previewText = (m: SupportMessage | undefined) => {
    if (!m) return s('noPreview');
    const content = m.content.trim();
    const text = content ? <UserText>{content}</UserText> : m.files.length > 0 ? s('previewFiles') : '';
    return m.senderKind === 'agent' && m.sender ? (
      <>
        <UserText>{m.sender.nickname}</UserText>
        {colon(locale)}
        {text}
      </>
    ) : (
      text
    );
  };

  return (
    <section className="support-list" aria-labelledby="support-list-title">
      <div className="support-list-head">
        <h2 id="support-list-title">{s('listLabel')}</h2>
        <Segmented<ChatTab>
          block
          size="small"
          aria-label={s('tabsLabel')}
          value={tab}
          onChange={(value) => setTab(value)}
          options={TABS.map((t) => ({ value: t, label: s(TAB_LABELS[t]) }))}
          data-testid="chat-tabs"
        />
      </div>
      {error && (
        <p className="problem" role="alert">
          {error}
        </p>
      )}
      {list === null && !error && <p className="muted support-pad">{s('listLoading')}</p>}
      {list?.length === 0 && (
        <p className="muted support-pad" data-testid="chat-list-empty">
          {s(EMPTY_LABELS[tab])}
        </p>
      )}
      <ul className="chat-list" data-testid="chat-list" aria-label={s(TAB_LABELS[tab])}>
        {items.map((c) => {
          const count = unread.get(c.id) ?? 0;
          const open = c.id === openCaseId;
          return (
            <li key={c.id}>
              <button
                type="button"
                className={`chat-item${open ? ' chat-item-open' : ''}`}
                aria-current={open ? 'true' : undefined}
                onClick={() => onOpen(c.id)}
                data-testid={`chat-item-${c.id}`}
              >
                <span className="chat-item-top">
                  <strong className="chat-item-name">
                    <UserText>{customerNameOf(c)}</UserText>
                  </strong>
                  {count > 0 && (
                    <span className="chat-unread" data-testid={`chat-unread-${c.id}`}>
                      {s('unreadBadge', { n: count })}
                    </span>
                  )}
                </span>
                <span className="chat-item-subject">
                  #{c.id} <CaseTitle c={c} locale={locale} />
                </span>
                <span className="chat-item-preview" data-testid={`chat-preview-${c.id}`}>
                  {previewText(previews.get(c.id))}
                </span>
                <span className="chat-item-meta">
                  <span>{s(STATUS_LABELS[c.status])}</span>
                  <span>
                    {c.assigneeName ? (
                      <WithUserText text={s('assignee', { name: c.assigneeName })} parts={[c.assigneeName]} />
                    ) : (
                      s('unassigned')
                    )}
                  </span>
                  {c.status !== 'resolved' && c.slaDueAt && (
                    <span className={c.slaBreached ? 'sla-breached' : undefined}>
                      {s('slaDue', { time: formatDateTime(c.slaDueAt, locale) })}
                      {c.slaBreached && ` · ${s('slaBreached')}`}
                    </span>
                  )}
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
