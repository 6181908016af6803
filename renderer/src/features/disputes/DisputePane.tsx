import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import { fieldLimits } from '@jiangxin/shared/forms';
import {
  DISPUTE_DECISION_STEP_LABELS,
  DISPUTE_OUTCOME_LABELS,
  type DisputeCaseDetail,
  disputeApproveBodySchema,
  disputeCaseDetailSchema,
  disputeRejectBodySchema,
} from '@jiangxin/shared/ops/disputes';
import { ORDER_STATUS_LABELS, ORDER_TRANSITIONS } from '@jiangxin/shared/orders';
import { Alert, Input, Tag } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { type ReactNode, useId, useMemo, useRef, useState } from 'react';
import { FileOpener } from '../../files/StoredFile';
import { formatDateTime, formatFen } from '../../format';
import { paren, useT } from '../../i18n';
import { canRun, OfferButton, offerShortcut, usePerformAction } from '../../kit/actions';
import { CustomerLink, OrderLink } from '../../kit/links';
import type { CasePaneProps } from '../../kit/pane';
import { UserText, WithUserText } from '../../kit/UserText';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { ResolveForm } from './ResolveForm';
import { useDisputeStrings } from './strings';
import './disputes.css';

type S = ReturnType<typeof useDisputeStrings>;
type Side = 'client' | 'freelancer';

/** The second reviewer's note: optional to approve, required to reject (the actions' own schemas). */
const APPROVE_NOTE = fieldLimits(disputeApproveBodySchema, 'note');
const REJECT_NOTE = fieldLimits(disputeRejectBodySchema, 'note');
const REVIEW_NOTE_MAX = Math.min(
  APPROVE_NOTE.maxLength ?? Number.POSITIVE_INFINITY,
  REJECT_NOTE.maxLength ?? Number.POSITIVE_INFINITY,
);

/** Files by name: a picture opens in a preview, anything else is saved under its original name. */
function FileList({ files, s }: { files: readonly StoredFileInfo[]; s: S }) {
  if (files.length === 0) return <span className="muted">{s('noFiles')}</span>;
  return (
    <ul className="file-list" aria-label={s('files')}>
      {files.map((f) => (
        <li key={f.id} data-testid="dispute-file" data-file-id={f.id}>
          <FileOpener file={f} />
        </li>
      ))}
    </ul>
  );
}

/**
 * A `dispute` case on one screen: the overview (order, escrow, parties, reason, deadlines), the order's
 * timeline (every state change, delivery with its files, revision request), the parties' chat, the
 * evidence, and the resolution — the resolve form (refund / release / split validated to the escrow) or,
 * above the threshold, the proposal awaiting a second member of staff, who approves (a) or rejects (r).
 */
export function DisputePane(props: CasePaneProps<'dispute'>) {
  const s = useDisputeStrings();
  const parsed = useMemo(() => disputeCaseDetailSchema.safeParse(props.detail.detail), [props.detail.detail]);
  if (!parsed.success)
    return <Alert type="error" showIcon title={s('detailUnreadable')} data-testid="pane-unreadable" />;
  return <Dispute key={props.detail.case.id} {...props} data={parsed.data} />;
}

function Dispute({ data, perform, offer, session }: CasePaneProps<'dispute'> & { data: DisputeCaseDetail }) {
  const { pick, locale } = useT();
  const s = useDisputeStrings();
  const { dispute, order, parties, escrow, deadlines, resolution } = data;

  const sideOf = (userId: number | null): Side | null =>
    userId === order.clientId ? 'client' : userId === order.freelancerId ? 'freelancer' : null;
  const nameOf = (userId: number | null): string => {
    if (userId === null) return s('bySystem');
    const side = sideOf(userId);
    const p = side ? parties[side] : null;
    return p ? `${p.nickname}${paren(locale, s(side!))}` : `#${userId}`;
  };
  /** The parties' names, where a sentence names them (marked as user content). */
  const names = [parties.client?.nickname, parties.freelancer?.nickname];
  const when = (iso: string | null) => (iso ? formatDateTime(iso, locale) : s('noDeadline'));

  const timeline = (() => {
    const entries: { at: string; key: string; kind: 'event' | 'delivery' | 'revision'; body: ReactNode }[] =
      [];
    order.timeline.forEach((e, i) => {
      const label = e.action === 'created' ? s('created') : pick(ORDER_TRANSITIONS[e.action].label);
      entries.push({
        at: e.createdAt,
        key: `e${i}`,
        kind: 'event',
        body: (
          <>
            <strong>{label}</strong>
            {e.fromStatus && (
              <span className="muted">
                {' '}
                ·{' '}
                {s('statusChange', {
                  from: pick(ORDER_STATUS_LABELS[e.fromStatus]),
                  to: pick(ORDER_STATUS_LABELS[e.toStatus]),
                })}
              </span>
            )}
            <span className="muted">
              {' · '}
              <WithUserText text={s('byActor', { name: nameOf(e.actorUserId) })} parts={names} />
            </span>
            {e.note && (
              <div className="entry-text" data-user-content="">
                {e.note}
              </div>
            )}
          </>
        ),
      });
    });
    for (const d of order.deliveries)
      entries.push({
        at: d.createdAt,
        key: `d${d.id}`,
        kind: 'delivery',
        body: (
          <>
            <div className="entry-text" data-user-content="">
              {d.message}
            </div>
            <FileList files={d.files} s={s} />
          </>
        ),
      });
    for (const r of order.revisions)
      entries.push({
        at: r.createdAt,
        key: `r${r.id}`,
        kind: 'revision',
        body: (
          <div className="entry-text" data-user-content="">
            {r.message}
          </div>
        ),
      });
    // Oldest first; at the same instant the status change before what it carried.
    const rank = { event: 0, delivery: 1, revision: 2 };
    return entries.sort((a, b) => a.at.localeCompare(b.at) || rank[a.kind] - rank[b.kind]);
  })();

  const kindLabel = { event: s('kindEvent'), delivery: s('kindDelivery'), revision: s('kindRevision') };
  const heldDiffers = escrow.heldFen !== escrow.orderAmountFen && dispute.status === 'open';

  return (
    <div className="dispute-pane" data-testid="dispute-pane" data-state={resolution.state}>
      <section className="pane-section" aria-labelledby="dispute-overview-heading">
        <h3 id="dispute-overview-heading" className="pane-subheading">
          {s('overviewHeading')}
        </h3>
        <div className="escrow-figure" data-testid="dispute-escrow" data-fen={escrow.orderAmountFen}>
          <span className="muted">{s('escrow')}</span>
          <strong>{formatFen(escrow.orderAmountFen)}</strong>
        </div>
        {heldDiffers && (
          <Alert type="warning" showIcon title={s('escrowHeld', { amount: formatFen(escrow.heldFen) })} />
        )}
        <dl className="facts">
          <div>
            <dt>{s('order')}</dt>
            <dd>
              <OrderLink orderId={order.id}>{order.orderNumber}</OrderLink> ·{' '}
              <UserText>{order.serviceTitle}</UserText>
            </dd>
          </div>
          <div>
            <dt>{s('orderStatus')}</dt>
            <dd>{pick(ORDER_STATUS_LABELS[order.status])}</dd>
          </div>
          <div>
            <dt>{s('client')}</dt>
            <dd data-testid="dispute-client">
              {parties.client ? (
                <CustomerLink userId={parties.client.id}>
                  <WithUserText
                    text={s('partyLine', {
                      nickname: parties.client.nickname,
                      username: parties.client.username,
                      id: parties.client.id,
                    })}
                    parts={[parties.client.nickname, parties.client.username]}
                  />
                </CustomerLink>
              ) : (
                s('partyMissing')
              )}
            </dd>
          </div>
          <div>
            <dt>{s('freelancer')}</dt>
            <dd data-testid="dispute-freelancer">
              {parties.freelancer ? (
                <CustomerLink userId={parties.freelancer.id}>
                  <WithUserText
                    text={s('partyLine', {
                      nickname: parties.freelancer.nickname,
                      username: parties.freelancer.username,
                      id: parties.freelancer.id,
                    })}
                    parts={[parties.freelancer.nickname, parties.freelancer.username]}
                  />
                </CustomerLink>
              ) : (
                s('partyMissing')
              )}
            </dd>
          </div>
          <div>
            <dt>{s('openedBy')}</dt>
            <dd>
              <WithUserText text={nameOf(dispute.openedBy)} parts={names} /> ·{' '}
              {formatDateTime(dispute.createdAt, locale)}
            </dd>
          </div>
          <div>
            <dt>{s('reason')}</dt>
            <dd className="entry-text" data-testid="dispute-reason">
              <UserText>{dispute.reason}</UserText>
            </dd>
          </div>
          {dispute.files.length > 0 && (
            <div>
              <dt>{s('openingFiles')}</dt>
              <dd>
                <FileList files={dispute.files} s={s} />
              </dd>
            </div>
          )}
        </dl>
        <h4 className="pane-minorheading">{s('deadlinesHeading')}</h4>
        <dl className="facts" data-testid="dispute-deadlines">
          <div>
            <dt>{s('evidenceUntil')}</dt>
            <dd>
              {when(deadlines.evidenceUntil)}{' '}
              <Tag color={deadlines.evidenceOpen ? 'processing' : 'default'}>
                {deadlines.evidenceOpen ? s('evidenceOpen') : s('evidenceClosed')}
              </Tag>
            </dd>
          </div>
          <div>
            <dt>{s('slaDue')}</dt>
            <dd>{when(deadlines.slaDueAt)}</dd>
          </div>
          <div>
            <dt>{s('deliveryDeadline')}</dt>
            <dd>{when(deadlines.deliveryDeadline)}</dd>
          </div>
        </dl>
      </section>

      <section className="pane-section" aria-labelledby="dispute-timeline-heading">
        <h3 id="dispute-timeline-heading" className="pane-subheading">
          {s('timelineHeading')}
        </h3>
        {timeline.length === 0 ? (
          <p className="muted">{s('timelineEmpty')}</p>
        ) : (
          <ol className="dispute-timeline" data-testid="dispute-timeline">
            {timeline.map((e) => (
              <li key={e.key} data-kind={e.kind}>
                <span className="muted">{formatDateTime(e.at, locale)}</span>{' '}
                <Tag className={`entry-kind entry-${e.kind}`}>{kindLabel[e.kind]}</Tag> {e.body}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section className="pane-section" aria-labelledby="dispute-chat-heading">
        <h3 id="dispute-chat-heading" className="pane-subheading">
          {s('chatHeading', { n: data.messages.length })}
        </h3>
        {data.messages.length === 0 ? (
          <p className="muted">{s('chatEmpty')}</p>
        ) : (
          // A scrolling region must be reachable by keyboard (axe: scrollable-region-focusable).
          <section
            className="dispute-chat-scroll"
            aria-labelledby="dispute-chat-heading"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the focusable scroll container of the chat
            tabIndex={0}
          >
            <ol className="dispute-chat" data-testid="dispute-chat">
              {data.messages.map((m) => {
                const side = sideOf(m.senderId);
                return (
                  <li key={m.id} className={`chat-line side-${side ?? 'other'}`}>
                    <div className="chat-meta">
                      <strong>{m.senderName ? <UserText>{m.senderName}</UserText> : `#${m.senderId}`}</strong>
                      {side && <Tag>{s(side)}</Tag>}
                      <span className="muted">{formatDateTime(m.createdAt, locale)}</span>
                    </div>
                    {m.file ? (
                      <FileList files={[m.file]} s={s} />
                    ) : (
                      <div className="entry-text" data-user-content="">
                        {m.content}
                      </div>
                    )}
                  </li>
                );
              })}
            </ol>
          </section>
        )}
      </section>

      <section className="pane-section" aria-labelledby="dispute-evidence-heading">
        <h3 id="dispute-evidence-heading" className="pane-subheading">
          {s('evidenceHeading', { n: data.evidence.length })}
        </h3>
        {data.evidence.length === 0 ? (
          <p className="muted">{s('evidenceEmpty')}</p>
        ) : (
          <ul className="evidence-list" data-testid="dispute-evidence">
            {data.evidence.map((e) => (
              <li key={e.id} data-side={e.side}>
                <div className="chat-meta">
                  <Tag>{s(e.side)}</Tag>
                  <strong>
                    <UserText>{e.authorName}</UserText>
                  </strong>
                  <span className="muted">{formatDateTime(e.createdAt, locale)}</span>
                </div>
                <div className="entry-text" data-user-content="">
                  {e.note}
                </div>
                <FileList files={e.files} s={s} />
              </li>
            ))}
          </ul>
        )}
      </section>

      <Resolution data={data} perform={perform} offer={offer} userId={session.userId} />
    </div>
  );
}

/** The resolution: the form, the proposal awaiting a second approval, or what was decided. */
function Resolution({
  data,
  perform,
  offer,
  userId,
}: Pick<CasePaneProps<'dispute'>, 'perform' | 'offer'> & { data: DisputeCaseDetail; userId: number }) {
  const { pick, locale } = useT();
  const s = useDisputeStrings();
  const { resolution, escrow } = data;
  const { busy, run } = usePerformAction(perform);
  const noteId = useId();
  const noteRef = useRef<TextAreaRef>(null);
  const [reviewNote, setReviewNote] = useState('');
  const [reviewError, setReviewError] = useState<string | null>(null);

  const resolveOffer = offer('resolve');
  const approveOffer = offer('approve_resolution');
  const rejectOffer = offer('reject_resolution');
  const awaiting = resolution.state === 'awaiting_second_approval' && resolution.proposal !== null;
  const proposal = resolution.proposal;
  const mineProposal = proposal?.proposedBy === userId;

  const approve = () => {
    if (!awaiting || !canRun(approveOffer) || busy) return;
    const note = reviewNote.trim();
    if (note.length > REVIEW_NOTE_MAX) return;
    void run('approve_resolution', note ? { note } : {});
  };
  const reject = () => {
    if (!awaiting || !canRun(rejectOffer) || busy) return;
    const note = reviewNote.trim();
    if (note.length < REJECT_NOTE.minLength) {
      setReviewError(s('rejectNoteRequired'));
      noteRef.current?.focus();
      return;
    }
    setReviewError(null);
    void run('reject_resolution', { note });
  };
  const paneKey = { priority: SHORTCUT_PRIORITY.pane };
  useShortcut(
    'a',
    approve,
    { zh: '复核通过并执行', en: 'Approve and execute' },
    { ...paneKey, ...offerShortcut(approveOffer, awaiting) },
  );
  useShortcut(
    'r',
    reject,
    { zh: '驳回方案（需填写复核意见）', en: 'Reject the proposal (a note is required)' },
    { ...paneKey, ...offerShortcut(rejectOffer, awaiting) },
  );

  const stateLabel = {
    open: s('stateOpen'),
    awaiting_second_approval: s('stateAwaiting'),
    resolved: s('stateResolved'),
  }[resolution.state];
  const amount = (fen: number | null) => formatFen(fen ?? 0);

  return (
    <section className="pane-section decision" aria-labelledby="dispute-resolution-heading">
      <h3 id="dispute-resolution-heading" className="pane-subheading">
        {s('resolutionHeading')} <Tag data-testid="dispute-state">{stateLabel}</Tag>
      </h3>

      {resolution.state === 'open' && resolveOffer && (
        <ResolveForm
          escrowFen={escrow.orderAmountFen}
          platformFeeBps={escrow.platformFeeBps}
          needsSecondApproval={resolution.needsSecondApproval}
          secondApprovalThresholdFen={resolution.secondApprovalThresholdFen}
          offer={resolveOffer}
          busy={busy}
          onResolve={(fields) => void run('resolve', fields)}
        />
      )}

      {awaiting && proposal && (
        <div className="proposal" data-testid="dispute-proposal" data-proposed-by={proposal.proposedBy ?? ''}>
          <h4 className="pane-minorheading">{s('proposalHeading')}</h4>
          <p>
            <strong>
              {s('proposalLine', {
                name: proposal.proposedByName ?? `#${proposal.proposedBy ?? '—'}`,
                time: proposal.proposedAt ? formatDateTime(proposal.proposedAt, locale) : '—',
                outcome: pick(proposal.label),
              })}
            </strong>
          </p>
          <p data-testid="dispute-proposal-amounts">
            {s('proposalAmounts', {
              refund: amount(proposal.refundFen),
              release: amount(proposal.releaseFen),
            })}
          </p>
          {proposal.note && (
            <p className="entry-text">
              <WithUserText text={s('proposalNote', { note: proposal.note })} parts={[proposal.note]} />
            </p>
          )}
          {mineProposal ? (
            <Alert type="info" showIcon title={s('waitingForOther')} data-testid="dispute-waiting" />
          ) : (
            !approveOffer && (
              <Alert type="info" showIcon title={s('waitingForChecker')} data-testid="dispute-waiting" />
            )
          )}
          {(approveOffer || rejectOffer) && (
            <form
              className="decision-form"
              aria-label={s('proposalHeading')}
              noValidate
              onSubmit={(e) => {
                e.preventDefault();
                approve();
              }}
            >
              <label htmlFor={noteId}>{s('reviewNote')}</label>
              <Input.TextArea
                id={noteId}
                ref={noteRef}
                data-testid="dispute-review-note"
                value={reviewNote}
                maxLength={REVIEW_NOTE_MAX}
                showCount
                rows={3}
                aria-invalid={reviewError !== null}
                aria-describedby={reviewError ? `${noteId}-error` : undefined}
                onChange={(e) => setReviewNote(e.target.value)}
              />
              {reviewError && (
                <p
                  id={`${noteId}-error`}
                  className="form-error"
                  role="alert"
                  data-testid="dispute-review-error"
                >
                  {reviewError}
                </p>
              )}
              <div className="decision-row">
                <OfferButton
                  offer={approveOffer}
                  type="primary"
                  htmlType="submit"
                  loading={busy}
                  data-testid="dispute-approve"
                  aria-keyshortcuts="a"
                >
                  {s('approve')} <kbd>A</kbd>
                </OfferButton>
                <OfferButton
                  offer={rejectOffer}
                  danger
                  onClick={reject}
                  loading={busy}
                  data-testid="dispute-reject"
                  aria-keyshortcuts="r"
                >
                  {s('rejectProposal')} <kbd>R</kbd>
                </OfferButton>
              </div>
            </form>
          )}
        </div>
      )}

      {resolution.final && (
        <div className="final" data-testid="dispute-final">
          <p>
            <strong>
              {s('finalLine', {
                outcome: pick(DISPUTE_OUTCOME_LABELS[resolution.final.outcome]),
                refund: formatFen(resolution.final.refundFen),
                release: formatFen(resolution.final.releaseFen),
                fee: formatFen(resolution.final.feeFen),
              })}
            </strong>
          </p>
          {resolution.final.note && (
            <p className="entry-text" data-user-content="">
              {resolution.final.note}
            </p>
          )}
          <p className="muted">
            {s('finalAt', { time: formatDateTime(resolution.final.resolvedAt, locale) })}
          </p>
        </div>
      )}

      {resolution.approvals.length > 0 && (
        <>
          <h4 className="pane-minorheading">{s('decisionsHeading')}</h4>
          <ol className="history-list" data-testid="dispute-decisions">
            {resolution.approvals.map((a) => (
              <li key={a.id}>
                <WithUserText
                  text={s('decisionLine', {
                    step: pick(DISPUTE_DECISION_STEP_LABELS[a.step]),
                    name: a.actorName,
                    outcome: pick(DISPUTE_OUTCOME_LABELS[a.outcome]),
                    refund: formatFen(a.refundFen),
                    release: formatFen(a.releaseFen),
                  })}
                  parts={[a.actorName]}
                />
                <span className="muted"> · {formatDateTime(a.at, locale)}</span>
                {a.note && (
                  <div className="entry-text" data-user-content="">
                    {a.note}
                  </div>
                )}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
