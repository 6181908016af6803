import { type ActionReceipt, BridgeCallError, type ConsoleSession } from '@jiangxin/shared/bridge';
import { CASE_HANDLE_PERMISSION, type CaseDetail, mergeTags } from '@jiangxin/shared/ops/cases';
import {
  type StaffSupportMessage,
  type SupportChatDetail,
  supportChatDetailSchema,
} from '@jiangxin/shared/ops/support';
import { App as AntApp, Button, Tag } from 'antd';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useBridge, useBridgeEvent } from '../../bridge';
import { currentVersionOf, settle, useAction, useBridgeQuery } from '../../calls';
import { formatDateTime } from '../../format';
import { colon, useT } from '../../i18n';
import { CaseTitle } from '../../kit/case-title';
import { CustomerLink, OrderLink } from '../../kit/links';
import { UserText, WithUserText } from '../../kit/UserText';
import { useViewing } from '../../kit/viewing';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { Composer, type ComposerSend } from './Composer';
import { type Colleague, ResolveDialog, TransferDialog } from './dialogs';
import { useDebouncedTick, usePageVisible } from './hooks';
import { MessageList, type PendingMessage } from './MessageList';
import {
  customerNameOf,
  macroDone,
  macroOutcomeOf,
  mergeMessages,
  orderNumberOf,
  REREAD_DEBOUNCE_MS,
  TYPING_SHOWN_MS,
} from './model';
import { useSupportStrings } from './strings';

let pendingSeq = 0;

/**
 * One support chat: its messages (newest page first, older on scroll-up or "load earlier"), live
 * messages, the customer's typing and read receipts, who else is viewing, the composer (reply or note,
 * canned replies, macros) and the case actions (claim, transfer, resolve, reopen) as the core offers them.
 * The case's tags show in the header; a macro that adds some shows them at once and says what it did.
 */
export function Conversation({
  caseId,
  session,
  onCustomer,
  onFirstAction,
}: {
  caseId: number;
  session: ConsoleSession;
  /** The customer behind the chat, for the sidebar (null until known). */
  onCustomer: (userId: number | null) => void;
  /** A user gesture happened (the page may ask for notification permission then). */
  onFirstAction: () => void;
}) {
  const bridge = useBridge();
  const { pick, locale } = useT();
  const s = useSupportStrings();
  const { message } = AntApp.useApp();
  const visible = usePageVisible();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [chat, setChat] = useState<SupportChatDetail['conversation']>(null);
  const [tags, setTags] = useState<string[]>([]);
  const [stale, setStale] = useState(false);
  const [messages, setMessages] = useState<StaffSupportMessage[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [offline, setOffline] = useState(false);
  const [pending, setPending] = useState<PendingMessage[]>([]);
  const [customerRead, setCustomerRead] = useState(0);
  const [agentRead, setAgentRead] = useState(0);
  const [typingUntil, setTypingUntil] = useState(0);
  const [viewers, setViewers] = useState<Colleague[]>([]);
  const [actionProblem, setActionProblem] = useState<string | null>(null);
  const acting = useAction((run: () => Promise<unknown>) => run());
  const earlier = useAction((cursor: string) => bridge.call('chat.messages', { caseId, cursor }));
  const loadingEarlier = earlier.busy;
  const [dialog, setDialog] = useState<'transfer' | 'resolve' | null>(null);
  const [detailTick, bumpDetail] = useDebouncedTick(REREAD_DEBOUNCE_MS);
  const scroller = useRef<HTMLDivElement>(null);
  const stickToBottom = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const markedUpTo = useRef(0);

  // A new chat: forget the last one.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on caseId only
  useEffect(() => {
    setDetail(null);
    setChat(null);
    setTags([]);
    setMessages([]);
    setNextCursor(null);
    setPending([]);
    setCustomerRead(0);
    setAgentRead(0);
    setTypingUntil(0);
    setViewers([]);
    setActionProblem(null);
    setDialog(null);
    stickToBottom.current = true;
    markedUpTo.current = 0;
  }, [caseId]);

  // The case (claim state, version, offers, the chat's facts) and the newest page of messages, merged
  // into what the chat already shows (live messages, older pages, a receipt's newer version).
  const detailRead = useBridgeQuery(
    'cases.get',
    { caseId },
    {
      onData: (r) => {
        setStale(r.stale);
        if (!r.detail) return;
        setDetail(r.detail);
        const parsed = supportChatDetailSchema.safeParse(r.detail.detail);
        if (parsed.success) setTags(parsed.data.tags);
        if (parsed.success && parsed.data.conversation) {
          const c = parsed.data.conversation;
          setChat(c);
          setCustomerRead((n) => Math.max(n, c.userLastReadMessageId));
          setAgentRead((n) => Math.max(n, c.agentLastReadMessageId));
        }
      },
    },
  );
  const messagesRead = useBridgeQuery(
    'chat.messages',
    { caseId },
    {
      onData: (page) => {
        setMessages((old) => mergeMessages(old, page.items));
        setOffline(page.offline);
        // Keep an older cursor already reached by scrolling up; the first read sets it.
        setNextCursor((old) => old ?? page.nextCursor);
      },
    },
  );
  const { reload: rereadDetail } = detailRead;
  const { reload: rereadMessages } = messagesRead;
  useEffect(() => {
    if (detailTick === 0) return;
    rereadDetail();
    rereadMessages();
  }, [detailTick, rereadDetail, rereadMessages]);
  const notCached = detailRead.data !== undefined && detailRead.data.detail === null;
  const loadProblem = notCached ? s('notCached') : (detailRead.error ?? messagesRead.error);

  useBridgeEvent('cases.changed', ({ upserted, removed }) => {
    if (upserted.includes(caseId) || removed.includes(caseId)) bumpDetail();
  });
  useBridgeEvent('chat.message', (e) => {
    if (e.caseId !== caseId) return;
    setMessages((old) => mergeMessages(old, [e.message]));
    if (e.message.senderKind === 'user') setTypingUntil(0);
  });
  useBridgeEvent('chat.typing', (e) => {
    if (e.caseId === caseId && e.side === 'customer') setTypingUntil(Date.now() + TYPING_SHOWN_MS);
  });
  useBridgeEvent('chat.read', (e) => {
    if (e.caseId !== caseId) return;
    if (e.side === 'customer') setCustomerRead((n) => Math.max(n, e.upToMessageId));
    else setAgentRead((n) => Math.max(n, e.upToMessageId));
  });
  useBridgeEvent('presence', (p) => {
    if (p.caseId !== caseId) return;
    setViewers(p.viewers.filter((v) => v.userId !== session.userId));
  });
  useBridgeEvent('outbox.changed', ({ items }) => {
    setPending((list) =>
      list.flatMap((p) => {
        if (p.outboxId === null) return [p];
        const item = items.find((i) => i.id === p.outboxId);
        // Gone from the outbox: sent (the live message replaces it) or dismissed.
        if (!item) return [];
        return [
          {
            ...p,
            state: item.state === 'failed' ? ('failed' as const) : ('pending' as const),
            problem: item.problem ? pick(item.problem.message) : null,
          },
        ];
      }),
    );
  });

  // "Typing…" goes away by itself.
  useEffect(() => {
    if (typingUntil === 0) return;
    const timer = setTimeout(() => setTypingUntil(0), Math.max(0, typingUntil - Date.now()));
    return () => clearTimeout(timer);
  }, [typingUntil]);

  // Presence: colleagues see I have this chat open.
  useViewing(caseId);

  const summary = detail?.case ?? null;
  const customerId = chat?.customer.id ?? summary?.userId ?? null;
  useEffect(() => onCustomer(customerId), [onCustomer, customerId]);
  const mine = summary?.assigneeId === session.userId;
  const mayHandle = session.permissions.includes(CASE_HANDLE_PERMISSION.support_chat);
  const offer = (action: string) => detail?.actions.find((a) => a.action === action);

  // Messages shown to the holder while the page is in front of them are read.
  const newestCustomer = messages.reduce((n, m) => (m.senderKind === 'user' && m.id > n ? m.id : n), 0);
  useEffect(() => {
    if (!mine || !visible || offline || newestCustomer === 0) return;
    if (newestCustomer <= agentRead || newestCustomer <= markedUpTo.current) return;
    markedUpTo.current = newestCustomer;
    bridge.call('chat.markRead', { caseId, upToMessageId: newestCustomer }).then(
      () => setAgentRead((n) => Math.max(n, newestCustomer)),
      () => {
        markedUpTo.current = 0;
      },
    );
  }, [bridge, caseId, mine, visible, offline, newestCustomer, agentRead]);

  // Scrolling: new messages keep the view at the bottom (when it was there); older ones keep the place.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after the list changes
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (keepFromBottom.current !== null) {
      el.scrollTop = el.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (stickToBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [messages, pending]);

  const loadEarlier = async () => {
    if (!nextCursor || loadingEarlier) return;
    const outcome = await earlier.run(nextCursor);
    if (!outcome.ok) return setActionProblem(pick(outcome.problem.message));
    const el = scroller.current;
    if (el) keepFromBottom.current = el.scrollHeight - el.scrollTop;
    setMessages((old) => mergeMessages(old, outcome.value.items));
    setNextCursor(outcome.value.nextCursor);
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 40 && nextCursor) void loadEarlier();
  };

  /** Applies a receipt's case (the newer version) at once; the cache's change event re-reads the rest. */
  const adopt = (receipt: ActionReceipt) => {
    const c = receipt.case;
    if (c) setDetail((d) => (d && c.version >= d.case.version ? { ...d, case: c } : d));
  };

  /** A case action with the version we know; a chat message retries once on a version moved meanwhile. */
  const act = async (
    run: (version: number) => Promise<ActionReceipt>,
    { retryOnVersion = false } = {},
  ): Promise<ActionReceipt> => {
    const version = detail?.case.version;
    if (version === undefined) throw new Error('not loaded');
    try {
      const receipt = await run(version);
      adopt(receipt);
      return receipt;
    } catch (err) {
      const moved = currentVersionOf(err);
      if (!retryOnVersion || moved === null) throw err;
      const receipt = await run(moved);
      adopt(receipt);
      return receipt;
    }
  };

  /** A case action named `label` in its refusal; rejects when refused (a dialog then stays open). */
  const doAction = async (label: string, run: () => Promise<unknown>) => {
    onFirstAction();
    setActionProblem(null);
    const outcome = await acting.run(run);
    if (outcome.ok) return;
    setActionProblem(`${label}：${pick(outcome.problem.message)}`);
    throw new BridgeCallError(outcome.problem);
  };

  const claim = () =>
    doAction(s('claim'), () => act((version) => bridge.call('cases.claim', { caseId, version }))).catch(
      () => {},
    );
  const reopen = () =>
    doAction(s('reopen'), () =>
      act((version) =>
        bridge.call('cases.perform', { caseId, version, kind: 'support_chat', action: 'reopen', fields: {} }),
      ),
    ).catch(() => {});

  /** After a macro: say what it did, show the tags it added now, and re-read the case for the rest. */
  const macroApplied = (receipt: ActionReceipt, macro: boolean) => {
    if (!macro) return;
    if (receipt.queued) {
      message.info(s('macroQueued'));
      return;
    }
    const outcome = macroOutcomeOf(receipt.result);
    if (!outcome) return;
    if (outcome.addedTags.length) setTags((old) => mergeTags(old, outcome.addedTags));
    message.success(macroDone(outcome, s, pick));
    rereadDetail();
  };

  const send = async ({ mode, content, cannedReplyId, macro }: ComposerSend) => {
    onFirstAction();
    stickToBottom.current = true;
    const key = ++pendingSeq;
    setPending((p) => [
      ...p,
      { key, content, isNote: mode === 'note', state: 'sending', outboxId: null, problem: null },
    ]);
    try {
      const receipt = await act(
        (version) =>
          mode === 'note'
            ? bridge.call('chat.note', { caseId, version, content })
            : bridge.call('chat.send', {
                caseId,
                version,
                content,
                ...(cannedReplyId !== null ? { cannedReplyId } : {}),
              }),
        { retryOnVersion: true },
      );
      macroApplied(receipt, mode === 'reply' && macro);
      if (receipt.queued) {
        setPending((list) =>
          list.map((p) => (p.key === key ? { ...p, state: 'pending', outboxId: receipt.outboxId } : p)),
        );
        return;
      }
      setPending((list) => list.filter((p) => p.key !== key));
      // The live event brings the message too; reading the newest page does not wait for it.
      void settle(bridge.call('chat.messages', { caseId })).then(
        (page) => page.ok && setMessages((old) => mergeMessages(old, page.value.items)),
      );
    } catch (err) {
      setPending((list) => list.filter((p) => p.key !== key));
      throw err;
    }
  };

  const dismiss = (p: PendingMessage) => {
    if (p.outboxId === null) return setPending((list) => list.filter((x) => x.key !== p.key));
    void settle(bridge.call('outbox.dismiss', { id: p.outboxId })).then((outcome) => {
      if (outcome.ok) setPending((list) => list.filter((x) => x.key !== p.key));
      else setActionProblem(pick(outcome.problem.message));
    });
  };

  const claimOffer = offer('claim');
  const canClaim = mayHandle && summary?.assigneeId === null && summary.status !== 'resolved' && claimOffer;
  useShortcut(
    'c',
    claim,
    { zh: '认领当前会话', en: 'Claim this chat' },
    {
      enabled: Boolean(canClaim && claimOffer?.available && !acting.busy),
      priority: SHORTCUT_PRIORITY.pane,
    },
  );

  if (loadProblem && !detail) {
    return (
      <section className="support-chat" aria-labelledby="support-chat-title">
        <h2 id="support-chat-title">#{caseId}</h2>
        <p className="problem" role="alert">
          {loadProblem}
        </p>
        <Button onClick={bumpDetail}>{s('retry')}</Button>
      </section>
    );
  }
  if (!detail || !summary) {
    return (
      <section className="support-chat" aria-labelledby="support-chat-title" aria-busy="true">
        <h2 id="support-chat-title">{s('loadingChat')}</h2>
      </section>
    );
  }

  const customerName = chat?.customer.nickname ?? customerNameOf(summary);
  const orderNumber = chat?.orderNumber ?? orderNumberOf(summary);
  const resolveOffer = offer('resolve');
  const reopenOffer = offer('reopen');
  const assignOffer = offer('assign');
  const replyOffer = offer('reply');
  const typing = typingUntil > Date.now();

  return (
    <section className="support-chat" aria-labelledby="support-chat-title" data-testid="chat-pane">
      <header className="support-chat-head">
        <div className="support-chat-title">
          <h2 id="support-chat-title">
            <CustomerLink userId={customerId}>
              <WithUserText text={s('chatHeading', { name: customerName })} parts={[customerName]} />
            </CustomerLink>
          </h2>
          <div className="small muted">
            #{summary.id} <CaseTitle c={summary} locale={locale} />
            {orderNumber && ' · '}
            {orderNumber && (
              <OrderLink orderId={chat?.orderId ?? summary.orderId}>
                <WithUserText text={s('orderLabel', { number: orderNumber })} parts={[orderNumber]} />
              </OrderLink>
            )}
            {' · '}
            {summary.assigneeName ? (
              <WithUserText
                text={s('assignee', { name: summary.assigneeName })}
                parts={[summary.assigneeName]}
              />
            ) : (
              s('unassigned')
            )}
            {summary.status !== 'resolved' && summary.slaDueAt && (
              <span className={summary.slaBreached ? 'sla-breached' : undefined}>
                {' · '}
                {s('slaDue', { time: formatDateTime(summary.slaDueAt, locale) })}
                {summary.slaBreached && ` · ${s('slaBreached')}`}
              </span>
            )}
          </div>
          {tags.length > 0 && (
            <div className="small support-tags" data-testid="chat-tags">
              <span className="muted">
                {s('tagsLabel')}
                {colon(locale)}
              </span>
              {tags.map((t) => (
                <Tag key={t} color="processing">
                  <UserText>{t}</UserText>
                </Tag>
              ))}
            </div>
          )}
          {viewers.length > 0 && (
            <div className="small support-viewers" data-testid="chat-viewers">
              👀{' '}
              <WithUserText
                text={s('alsoViewing', {
                  names: viewers.map((v) => v.nickname).join(locale === 'en' ? ', ' : '、'),
                })}
                parts={viewers.map((v) => v.nickname)}
              />
            </div>
          )}
        </div>
        <div className="support-chat-actions">
          {mayHandle && assignOffer && summary.status !== 'resolved' && (
            <Button
              onClick={() => setDialog('transfer')}
              disabled={!assignOffer.available || acting.busy}
              title={assignOffer.reason ? pick(assignOffer.reason) : undefined}
              data-testid="chat-transfer"
            >
              {s('transfer')}
            </Button>
          )}
          {resolveOffer && summary.status !== 'resolved' && (
            <Button
              onClick={() => setDialog('resolve')}
              disabled={!resolveOffer.available || acting.busy}
              title={resolveOffer.reason ? pick(resolveOffer.reason) : undefined}
              data-testid="chat-resolve"
            >
              {s('resolve')}
            </Button>
          )}
          {reopenOffer && summary.status === 'resolved' && (
            <Button
              onClick={reopen}
              disabled={!reopenOffer.available || acting.busy}
              title={reopenOffer.reason ? pick(reopenOffer.reason) : undefined}
              data-testid="chat-reopen"
            >
              {s('reopen')}
            </Button>
          )}
        </div>
      </header>
      {(stale || offline) && <output className="support-offline small">{s('offlineCopy')}</output>}
      {actionProblem && (
        <p className="problem small" role="alert" data-testid="chat-problem">
          {actionProblem}
        </p>
      )}
      <div
        className="support-messages"
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label={s('messagesLabel')}
        // The log is scrollable: keyboard users reach it to scroll.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable
        tabIndex={0}
        data-testid="chat-messages"
      >
        <div className="support-earlier">
          {nextCursor ? (
            <Button
              size="small"
              onClick={loadEarlier}
              loading={loadingEarlier}
              data-testid="chat-load-earlier"
            >
              {loadingEarlier ? s('loadingEarlier') : s('loadEarlier')}
            </Button>
          ) : (
            messages.length > 0 && <span className="small muted">{s('noEarlier')}</span>
          )}
        </div>
        <MessageList messages={messages} pending={pending} customerRead={customerRead} onDismiss={dismiss} />
      </div>
      <div className="support-typing small muted" aria-live="polite" data-testid="chat-typing">
        {typing ? s('typing') : ''}
      </div>
      {mayHandle &&
        (summary.status === 'resolved' ? (
          <p className="support-bar">{s('resolvedHint')}</p>
        ) : summary.assigneeId === null ? (
          <div className="support-bar">
            <span>{s('claimHint')}</span>
            {claimOffer && (
              <Button
                type="primary"
                onClick={claim}
                loading={acting.busy}
                disabled={!claimOffer.available}
                title={claimOffer.reason ? pick(claimOffer.reason) : undefined}
                data-testid="chat-claim"
              >
                {s('claim')}
              </Button>
            )}
          </div>
        ) : !mine ? (
          <p className="support-bar" data-testid="chat-held">
            {s('heldBy', { name: summary.assigneeName ?? `#${summary.assigneeId}` })}
          </p>
        ) : replyOffer && !replyOffer.available && replyOffer.reason ? (
          <p className="support-bar">{pick(replyOffer.reason)}</p>
        ) : (
          <Composer
            caseId={caseId}
            values={{ customerNickname: customerName, orderNumber, agentNickname: session.nickname }}
            onSend={send}
          />
        ))}
      <TransferDialog
        open={dialog === 'transfer'}
        caseId={caseId}
        selfId={session.userId}
        viewers={viewers}
        onClose={() => setDialog(null)}
        onTransfer={(assigneeId, note) =>
          doAction(s('transfer'), () =>
            act((version) =>
              bridge.call('cases.assign', { caseId, version, assigneeId, ...(note ? { note } : {}) }),
            ),
          ).then(() => {})
        }
      />
      <ResolveDialog
        open={dialog === 'resolve'}
        onClose={() => setDialog(null)}
        onResolve={(note) =>
          doAction(s('resolve'), () =>
            act((version) =>
              bridge.call('cases.perform', {
                caseId,
                version,
                kind: 'support_chat',
                action: 'resolve',
                fields: note ? { note } : {},
              }),
            ),
          ).then(() => {})
        }
      />
    </section>
  );
}
