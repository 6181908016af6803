import { type ActionReceipt, BridgeCallError, type ConsoleSession } from '@jiangxin/shared/bridge';
import {
  CASE_FLAG_LABELS,
  CASE_KIND_LABELS,
  CASE_PRIORITY_LABELS,
  CASE_STATUS_LABELS,
  type CaseDetail,
  type CaseKind,
} from '@jiangxin/shared/ops/cases';
import { Alert, App as AntApp, Button, Empty, Space, Spin, Tag } from 'antd';
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import { useBridge, useBridgeEvent } from '../../bridge';
import { useAction, useBridgeQuery } from '../../calls';
import { formatDateTime, formatFen } from '../../format';
import { colon, useT } from '../../i18n';
import { offerShortcut } from '../../kit/actions';
import { CaseTimeline } from '../../kit/CaseTimeline';
import { CaseTitleHeading } from '../../kit/case-title';
import { type CasePane, type CasePaneProps, performFor } from '../../kit/pane';
import { WithUserText } from '../../kit/UserText';
import { useViewing } from '../../kit/viewing';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { bySeverity } from './columns';
import { CASE_PANES } from './panes';
import { usePresence } from './presence';
import { SlaCountdown, useNow } from './sla';
import { useCaseStrings } from './strings';

interface CaseDetailViewProps {
  caseId: number;
  session: ConsoleSession;
  onClose: () => void;
  /**
   * Called as an action on the case is sent; the step it returns moves the queue on when the action turned
   * out to be a decision (the case resolved, left my hands, or the action was queued offline). The queue
   * owns the rule of where to (cases/movement.ts), the same for every kind.
   */
  onDecision: (caseId: number) => () => void;
}

/**
 * The open case, beside the queue: what every case has (title, status, priority, SLA countdown, who holds
 * it, who else is looking, claim and release, the history), and the kind's own pane with its facts and
 * actions. Re-read whenever the cache says the case changed, so a colleague's claim or a payout's
 * execution shows up without a click. Works offline on the cached copy; actions are then queued.
 */
export function CaseDetailView({ caseId, session, onClose, onDecision }: CaseDetailViewProps) {
  const bridge = useBridge();
  const { pick, locale } = useT();
  const s = useCaseStrings();
  const { message } = AntApp.useApp();
  const now = useNow(15_000);
  const presence = usePresence();
  // A new case starts clean: the read is keyed by the case, and the last action's words are dropped.
  const read = useBridgeQuery('cases.get', { caseId });
  const action = useAction((call: () => Promise<ActionReceipt>) => call());
  const [notice, setNotice] = useState<string | null>(null);
  const { reset } = action;
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset on a new case id
  useEffect(() => {
    reset();
    setNotice(null);
  }, [caseId]);

  // Tell colleagues this case is open here (and that it no longer is).
  useViewing(caseId);

  useBridgeEvent('cases.changed', (changes) => {
    if (changes.upserted.includes(caseId) || changes.removed.includes(caseId)) read.reload();
  });
  // Offline the case comes from the cache (or, never opened here, not at all): once the engine reaches the
  // core again the case is read afresh, so the offline words clear by themselves.
  const reachable = useRef<boolean | null>(null);
  useBridgeEvent('sync.status', (status) => {
    const now = status.state === 'online' || status.state === 'syncing';
    // Unknown before the first event: a detail from the cache means the core was out of reach.
    const back = now && reachable.current !== true;
    reachable.current = now;
    if (back && (read.data?.detail == null || read.data.stale)) read.reload();
  });

  const loaded = read.data ?? null;
  const detail = loaded?.detail ?? null;
  const mine = detail?.case.assigneeId === session.userId;
  const busy = action.busy;

  const afterAction = useCallback(
    (receipt: ActionReceipt, advance: boolean | undefined, moveOn: () => void) => {
      const text = receipt.queued ? s('actionQueued') : s('actionDone');
      setNotice(text);
      // A toast too: it stays visible when the queue moves on to the next case.
      message.success(<span data-testid="action-toast">{text}</span>);
      read.reload();
      const moved =
        receipt.queued ||
        (receipt.case !== null &&
          (receipt.case.status !== 'open' || receipt.case.assigneeId !== session.userId));
      if (advance ?? moved) moveOn();
    },
    [s, session.userId, message, read.reload],
  );

  /** One of the case's operations with its current version; a refusal is shown here and rejects. */
  const run = async (
    call: (d: CaseDetail) => Promise<ActionReceipt>,
    advance?: boolean,
  ): Promise<ActionReceipt> => {
    if (!detail) throw new Error('no case loaded');
    // The queue's order as the action is taken: "next" is the case below this one now.
    const moveOn = advance === false ? () => {} : onDecision(caseId);
    const outcome = await action.run(() => call(detail));
    if (!outcome.ok) throw new BridgeCallError(outcome.problem);
    afterAction(outcome.value, advance, moveOn);
    return outcome.value;
  };

  const claim = () =>
    run((d) => bridge.call('cases.claim', { caseId, version: d.case.version }), false).catch(() => {});
  const release = () =>
    run((d) => bridge.call('cases.release', { caseId, version: d.case.version }), false).catch(() => {});

  const canClaim = detail?.actions.find((a) => a.action === 'claim');
  const canRelease = detail?.actions.find((a) => a.action === 'release');
  useShortcut(
    'Escape',
    onClose,
    { zh: '关闭详情', en: 'Close the case' },
    { priority: SHORTCUT_PRIORITY.pane },
  );
  useShortcut(
    'shift+c',
    () => !busy && claim(),
    { zh: '认领当前工单', en: 'Claim the open case' },
    { priority: SHORTCUT_PRIORITY.pane, ...offerShortcut(canClaim, detail?.case.assigneeId === null) },
  );

  if (read.error && !loaded)
    return (
      <section className="case-detail" aria-label={s('openCase')}>
        <Alert
          type="error"
          showIcon
          message={read.error}
          action={<Button onClick={read.reload}>{s('retry')}</Button>}
        />
      </section>
    );
  if (!loaded)
    return (
      <section className="case-detail centered-pane" aria-busy="true" aria-label={s('openCase')}>
        <Spin /> <span className="muted">{s('detailLoading')}</span>
      </section>
    );
  if (!detail)
    return (
      <section className="case-detail" aria-label={s('openCase')} data-testid="case-detail-offline">
        <Empty description={s('detailMissing')} />
      </section>
    );

  const c = detail.case;
  const viewers = (presence.get(caseId) ?? []).filter((v) => v.userId !== session.userId);
  const offer = (name: string) => detail.actions.find((a) => a.action === name);
  const pane = kindPane(c.kind, {
    detail,
    stale: loaded.stale,
    mine,
    session,
    offer,
    perform: (call, options) =>
      run((d) => bridge.call('cases.perform', { caseId, version: d.case.version, ...call }), options.advance),
  });

  return (
    <section
      className="case-detail"
      aria-labelledby="case-detail-title"
      data-testid="case-detail"
      data-case-id={c.id}
    >
      <header className="case-detail-head">
        <div className="case-detail-titles">
          <span className="muted">
            #{c.id} · {pick(CASE_KIND_LABELS[c.kind])}
          </span>
          <CaseTitleHeading id="case-detail-title" c={c} locale={locale} />
        </div>
        <Button onClick={onClose} aria-label={s('closeCase')} data-testid="case-detail-close">
          {s('close')}
        </Button>
      </header>
      <div className="case-facts">
        <Tag data-testid="case-detail-status">{pick(CASE_STATUS_LABELS[c.status])}</Tag>
        <span className={`priority priority-${c.priority}`}>
          {s('colPriority')}
          {colon(locale)}
          {pick(CASE_PRIORITY_LABELS[c.priority] ?? CASE_PRIORITY_LABELS[0])}
        </span>
        {c.amountFen !== null && (
          <span>
            {s('colAmount')}
            {colon(locale)}
            {formatFen(c.amountFen)}
          </span>
        )}
        {c.status !== 'resolved' && (
          <span>
            SLA{colon(locale)}
            <SlaCountdown dueAt={c.slaDueAt} breached={c.slaBreached} now={now} locale={locale} />
          </span>
        )}
        {c.resolvedAt && <span>{s('resolvedAt', { time: formatDateTime(c.resolvedAt, locale) })}</span>}
        {bySeverity(c.flags).map((f) => (
          <Tag key={f} className={`flag flag-${f}`}>
            {pick(CASE_FLAG_LABELS[f])}
          </Tag>
        ))}
      </div>
      <div className="case-claim" data-testid="case-detail-claim">
        <span data-testid="case-detail-holder">
          {c.assigneeId === null ? (
            s('unclaimed')
          ) : mine ? (
            s('heldByMe')
          ) : (
            <WithUserText
              text={s('heldBy', { name: c.assigneeName ?? `#${c.assigneeId}` })}
              parts={[c.assigneeName]}
            />
          )}
        </span>
        {viewers.length > 0 && (
          <span className="viewers" data-testid="case-detail-viewers">
            <WithUserText
              text={s('viewing', {
                names: viewers.map((v) => v.nickname).join(locale === 'en' ? ', ' : '、'),
              })}
              parts={viewers.map((v) => v.nickname)}
            />
          </span>
        )}
        <Space>
          {canClaim && c.assigneeId === null && (
            <Button
              type="primary"
              onClick={claim}
              disabled={!canClaim.available || busy}
              title={canClaim.reason ? pick(canClaim.reason) : undefined}
              data-testid="case-detail-claim-button"
            >
              {s('claim')}
            </Button>
          )}
          {canRelease && mine && (
            <Button
              onClick={release}
              disabled={!canRelease.available || busy}
              data-testid="case-detail-release"
            >
              {s('release')}
            </Button>
          )}
        </Space>
      </div>
      {loaded.stale && (
        <Alert
          type="warning"
          showIcon
          message={s('detailStale', {
            time: loaded.cachedAt ? formatDateTime(loaded.cachedAt, locale) : '—',
          })}
        />
      )}
      {action.error && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={action.error}
          data-testid="case-action-error"
          closable
          onClose={reset}
        />
      )}
      {notice && !action.error && (
        <Alert
          type="success"
          showIcon
          message={notice}
          data-testid="case-action-notice"
          closable
          onClose={() => setNotice(null)}
        />
      )}
      <div className="case-pane">{pane ?? <GenericSummary detail={detail} />}</div>
      <section className="case-history" aria-labelledby="case-history-title">
        <h3 id="case-history-title">{s('history')}</h3>
        <CaseTimeline caseId={detail.case.id} kind={detail.case.kind} history={detail.history} />
      </section>
    </section>
  );
}

/**
 * The pane registered for `kind`, its `perform` typed for that kind (the frame sends whatever call the
 * pane built, with the case's id and version); null when the kind has none.
 */
function kindPane<K extends CaseKind>(
  kind: K,
  props: Omit<CasePaneProps<K>, 'perform'> & {
    perform: Parameters<typeof performFor>[1];
  },
): ReactNode {
  const Pane: CasePane<K> | undefined = CASE_PANES[kind];
  if (!Pane) return null;
  return <Pane {...props} perform={performFor(kind, props.perform)} />;
}

/** A kind without its own pane: the summary facts as a definition list. */
function GenericSummary({ detail }: { detail: CaseDetail }) {
  const s = useCaseStrings();
  const entries = Object.entries(detail.case.summary).filter(([, v]) => typeof v !== 'object' || v === null);
  return (
    <section aria-labelledby="case-summary-title">
      <h3 id="case-summary-title">{s('summary')}</h3>
      <dl className="facts">
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{String(v ?? '—')}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
