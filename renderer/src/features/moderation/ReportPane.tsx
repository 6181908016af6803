import { fieldLimits } from '@jiangxin/shared/forms';
import {
  dismissReportBodySchema,
  type FieldHits,
  REPORT_REASON_LABELS,
  REPORT_REASONS,
  type ReportDetail,
  type ReportReason,
  type ReportTarget,
  reportDetailSchema,
  SANCTION_KIND_LABELS,
  sanctionInputSchema,
  upholdReportBodySchema,
} from '@jiangxin/shared/ops/moderation';
import { Alert, Checkbox, Input, Tag } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useId, useMemo, useRef, useState } from 'react';
import { formatDateTime } from '../../format';
import { paren, useT } from '../../i18n';
import { canRun, NoteDecisionForm, OfferButton, offerShortcut, usePerformAction } from '../../kit/actions';
import { CustomerLink } from '../../kit/links';
import type { CasePaneProps } from '../../kit/pane';
import { UserText } from '../../kit/UserText';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { HighlightedText, HitLegend } from './HighlightedText';
import { useModerationStrings } from './strings';
import { UserHistory } from './UserHistory';

/** The core's limits, from the actions' own schemas. */
const UPHOLD_NOTE = fieldLimits(upholdReportBodySchema, 'note');
const DISMISS_NOTE = fieldLimits(dismissReportBodySchema, 'note');
const DAYS = fieldLimits(sanctionInputSchema, 'days');
const DAYS_MIN = DAYS.minimum ?? 1;
const DAYS_MAX = DAYS.maximum ?? 365;
/** The sanctions a moderator applies by hand; a takedown is the checkbox (it removes the content). */
const HAND_SANCTIONS = ['warn', 'suspend', 'ban'] as const;
type HandSanction = (typeof HAND_SANCTIONS)[number];

const TARGET_KEYS = {
  listing: 'targetListing',
  review: 'targetReview',
  message: 'targetMessage',
  user: 'targetUser',
} as const;

const LISTING_STATUS_KEYS = {
  draft: 'statusDraft',
  pending_review: 'statusPendingReview',
  published: 'statusPublished',
  rejected: 'statusRejected',
  suspended: 'statusListingSuspended',
} as const;

const USER_STATUS_KEYS = {
  active: 'statusActive',
  suspended: 'statusSuspended',
  banned: 'statusBanned',
} as const;

/**
 * Days of a suspension as typed: a whole number from 1 to 365, or null. Pure, so the rule is tested on
 * its own; the core checks the same (`sanctionInputSchema`).
 */
export function parseDays(input: string): number | null {
  const t = input.trim();
  if (!/^\d{1,3}$/.test(t)) return null;
  const n = Number(t);
  return n >= DAYS_MIN && n <= DAYS_MAX ? n : null;
}

/**
 * A `report` case: the reported listing, review (with its rating), message (with its neighbours) or user
 * in context, with the scanner's hits marked; every report about it; the author's history; and the
 * decision — uphold (a) with an optional takedown and sanction (suspend needs days), or dismiss (r).
 */
export function ReportPane(props: CasePaneProps<'report'>) {
  const s = useModerationStrings();
  const parsed = useMemo(() => reportDetailSchema.safeParse(props.detail.detail), [props.detail.detail]);
  if (!parsed.success)
    return <Alert type="error" showIcon title={s('detailUnreadable')} data-testid="pane-unreadable" />;
  return <Report key={props.detail.case.id} {...props} data={parsed.data} />;
}

function Report({ perform, offer, session, data }: CasePaneProps<'report'> & { data: ReportDetail }) {
  const { pick, locale } = useT();
  const s = useModerationStrings();
  return (
    <div className="mod-pane" data-testid="report-pane" data-target-type={data.targetType}>
      <section className="pane-section" aria-labelledby="report-target-heading">
        <h3 id="report-target-heading" className="pane-subheading">
          {s('reportHeading')} <Tag data-testid="report-target-type">{s(TARGET_KEYS[data.targetType])}</Tag>
        </h3>
        <ReportedContent context={data} hits={data.hits} />
        <HitLegend hits={data.hits} headingLevel={4} />
      </section>
      <section className="pane-section" aria-labelledby="report-list-heading">
        <h3 id="report-list-heading" className="pane-subheading">
          {s('reportsHeading', { n: data.reports.length })}
        </h3>
        <ul className="history-list" data-testid="report-list">
          {data.reports.map((r) => (
            <li key={r.id}>
              <strong>
                {r.bySystem ? (
                  s('bySystem')
                ) : r.reporterName ? (
                  <UserText>{r.reporterName}</UserText>
                ) : (
                  s('reporterUnknown', { id: r.reporterId ?? '—' })
                )}
              </strong>
              {' · '}
              <Tag>{pick(r.reasonText)}</Tag>
              <span className="muted">{formatDateTime(r.createdAt, locale)}</span>
              <div className={r.detail ? undefined : 'muted'}>
                {r.detail ? <UserText>{r.detail}</UserText> : s('noDetail')}
              </div>
            </li>
          ))}
        </ul>
      </section>
      <UserHistory heading={s('authorHeading')} user={data.author} />
      <ReportDecision
        perform={perform}
        offer={offer}
        targetType={data.targetType}
        firstReason={data.reports[0]?.reason}
        mayApplySanction={session.permissions.includes('sanctions.apply')}
      />
    </div>
  );
}

/** The reported thing as the reporter saw it, hits marked in place. */
function ReportedContent({ context, hits }: { context: ReportTarget; hits: FieldHits }) {
  const { locale } = useT();
  const s = useModerationStrings();
  if (!context.target) return <p className="muted">{s('targetGone')}</p>;
  switch (context.targetType) {
    case 'listing': {
      const l = context.target;
      return (
        <div data-testid="reported-listing">
          <dl className="facts">
            <div>
              <dt>{s('titleZh')}</dt>
              <dd>
                <HighlightedText text={l.titleZh} hits={hits['titleZh']} />{' '}
                <span className="muted">#{l.id}</span>
              </dd>
            </div>
            <div>
              <dt>{s('titleEn')}</dt>
              <dd>
                <HighlightedText text={l.title} hits={hits['title']} />
              </dd>
            </div>
            <div>
              <dt>{s('listingStatus')}</dt>
              <dd>{s(LISTING_STATUS_KEYS[l.status])}</dd>
            </div>
          </dl>
          <h4 className="pane-minorheading">{s('description')}</h4>
          <p className="listing-description">
            <HighlightedText text={l.description} hits={hits['description']} />
          </p>
        </div>
      );
    }
    case 'review': {
      const r = context.target;
      const stars = Math.max(0, Math.min(5, r.rating));
      return (
        <div data-testid="reported-review">
          <dl className="facts">
            <div>
              <dt>{s('rating')}</dt>
              <dd data-testid="review-rating">
                <span className="stars" aria-hidden="true">
                  {'★'.repeat(stars)}
                  {'☆'.repeat(5 - stars)}
                </span>{' '}
                {s('ratingValue', { n: r.rating })}
                {r.hidden && <Tag className="tag-hidden">{s('hiddenTag')}</Tag>}
              </dd>
            </div>
            <div>
              <dt>{s('reviewOf')}</dt>
              <dd data-testid="review-listing">
                {r.serviceTitle} <span className="muted">#{r.serviceId}</span>
              </dd>
            </div>
            <div>
              <dt>{s('reviewAuthor')}</dt>
              <dd>
                {r.authorName} <span className="muted">· {formatDateTime(r.createdAt, locale)}</span>
              </dd>
            </div>
          </dl>
          <h4 className="pane-minorheading">{s('comment')}</h4>
          <p className="listing-description">
            <HighlightedText text={r.comment} hits={hits['comment']} />
          </p>
        </div>
      );
    }
    case 'message': {
      const m = context.target;
      return (
        <div data-testid="reported-message">
          <h4 className="pane-minorheading">{s('threadHeading')}</h4>
          <ol className="thread" data-testid="message-thread">
            {m.thread.map((x) => (
              <li
                key={x.id}
                className={x.reported ? 'thread-item reported' : 'thread-item'}
                data-reported={x.reported || undefined}
                aria-current={x.reported ? 'true' : undefined}
              >
                <div className="thread-meta">
                  <strong>{x.senderName ? <UserText>{x.senderName}</UserText> : `#${x.senderId}`}</strong>
                  <span className="muted"> · {formatDateTime(x.createdAt, locale)}</span>
                  {x.reported && (
                    <Tag color="error" className="tag-reported">
                      {s('reportedTag')}
                    </Tag>
                  )}
                  {x.hidden && <Tag className="tag-hidden">{s('hiddenTag')}</Tag>}
                </div>
                <div className="thread-content">
                  {x.type !== 'text' ? (
                    s('nonText', { type: s(x.type === 'image' ? 'messageImage' : 'messageFile') })
                  ) : (
                    <HighlightedText text={x.content} hits={x.reported ? hits['content'] : undefined} />
                  )}
                </div>
              </li>
            ))}
          </ol>
        </div>
      );
    }
    case 'user': {
      const u = context.target;
      return (
        <dl className="facts" data-testid="reported-user">
          <div>
            <dt>{s('nickname')}</dt>
            <dd>
              <CustomerLink userId={u.id}>
                <HighlightedText text={u.nickname} hits={hits['nickname']} />
              </CustomerLink>{' '}
              <span className="muted">
                @<UserText>{u.username}</UserText> · #{u.id}
              </span>{' '}
              <Tag>{s(USER_STATUS_KEYS[u.status])}</Tag>
            </dd>
          </div>
          <div>
            <dt>{s('bio')}</dt>
            <dd>
              <HighlightedText text={u.bio} hits={hits['bio']} />
            </dd>
          </div>
        </dl>
      );
    }
  }
}

function ReportDecision({
  perform,
  offer,
  targetType,
  firstReason,
  mayApplySanction,
}: Pick<CasePaneProps<'report'>, 'perform' | 'offer'> & {
  targetType: ReportTarget['targetType'];
  firstReason: string | undefined;
  mayApplySanction: boolean;
}) {
  const { pick, locale } = useT();
  const s = useModerationStrings();
  const ids = { uphold: useId(), sanction: useId(), days: useId(), reason: useId() };
  const { busy, run } = usePerformAction(perform);
  const [dismissNote, setDismissNote] = useState('');
  const [upholdNote, setUpholdNote] = useState('');
  const [takedown, setTakedown] = useState(false);
  const [sanction, setSanction] = useState<HandSanction | ''>('');
  const [days, setDays] = useState('');
  const [reason, setReason] = useState<ReportReason>(
    REPORT_REASONS.includes(firstReason as ReportReason) ? (firstReason as ReportReason) : 'other',
  );
  const [dismissError, setDismissError] = useState<string | null>(null);
  const [upholdError, setUpholdError] = useState<{ field: 'note' | 'days'; text: string } | null>(null);
  const dismissRef = useRef<TextAreaRef>(null);
  const upholdRef = useRef<TextAreaRef>(null);
  const daysRef = useRef<HTMLInputElement>(null);

  const dismissOffer = offer('dismiss');
  const upholdOffer = offer('uphold');

  const dismiss = () => {
    if (!canRun(dismissOffer) || busy) return;
    const note = dismissNote.trim();
    if (note.length < DISMISS_NOTE.minLength) {
      setDismissError(s('dismissNoteRequired'));
      dismissRef.current?.focus();
      return;
    }
    setDismissError(null);
    void run('dismiss', { note });
  };

  const uphold = () => {
    if (!canRun(upholdOffer) || busy) return;
    const note = upholdNote.trim();
    if (note.length < UPHOLD_NOTE.minLength) {
      setUpholdError({ field: 'note', text: s('upholdNoteRequired') });
      upholdRef.current?.focus();
      return;
    }
    const parsedDays = sanction === 'suspend' ? parseDays(days) : null;
    if (sanction === 'suspend' && parsedDays === null) {
      setUpholdError({ field: 'days', text: s('daysRequired') });
      daysRef.current?.focus();
      return;
    }
    const fields = {
      note,
      takedown: targetType !== 'user' && takedown,
      ...(sanction
        ? {
            sanction: {
              kind: sanction,
              ...(parsedDays !== null ? { days: parsedDays } : {}),
              reason,
              note,
            },
          }
        : {}),
    };
    // The core's own schema as the last word, so nothing it would refuse is sent.
    const check = upholdReportBodySchema.safeParse(fields);
    if (!check.success) {
      const onDays = check.error.issues.some((i) => i.path.includes('days'));
      setUpholdError(
        onDays
          ? { field: 'days', text: s('daysRequired') }
          : { field: 'note', text: s('upholdNoteRequired') },
      );
      return;
    }
    setUpholdError(null);
    void run('uphold', fields);
  };

  const paneKey = { priority: SHORTCUT_PRIORITY.pane };
  useShortcut(
    'a',
    uphold,
    { zh: '举报成立并处理（需填写说明）', en: 'Uphold the report (a note is required)' },
    { ...paneKey, ...offerShortcut(upholdOffer) },
  );
  useShortcut(
    'r',
    dismiss,
    { zh: '驳回举报（需填写说明）', en: 'Dismiss the report (a note is required)' },
    { ...paneKey, ...offerShortcut(dismissOffer) },
  );

  if (!dismissOffer && !upholdOffer) return null;
  const errorId = `${ids.uphold}-error`;

  return (
    <section className="pane-section decision" aria-labelledby="report-decision-heading">
      <h3 id="report-decision-heading" className="pane-subheading">
        {s('actionsHeading')}
      </h3>
      {upholdOffer && (
        <form
          className="decision-form"
          aria-label={s('upholdLegend')}
          data-testid="report-uphold-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            uphold();
          }}
        >
          <fieldset>
            <legend>{s('upholdLegend')}</legend>
            <label htmlFor={ids.uphold}>{s('upholdNote')}</label>
            <Input.TextArea
              id={ids.uphold}
              ref={upholdRef}
              data-testid="uphold-note"
              value={upholdNote}
              maxLength={UPHOLD_NOTE.maxLength}
              showCount
              rows={3}
              aria-invalid={upholdError?.field === 'note'}
              aria-describedby={upholdError?.field === 'note' ? errorId : undefined}
              onChange={(e) => setUpholdNote(e.target.value)}
            />
            {targetType !== 'user' && (
              <Checkbox
                checked={takedown}
                onChange={(e) => setTakedown(e.target.checked)}
                data-testid="uphold-takedown"
              >
                {targetType === 'listing' ? s('takedownListing') : s('takedownContent')}
                {paren(locale, pick(SANCTION_KIND_LABELS.takedown))}
              </Checkbox>
            )}
            {mayApplySanction ? (
              <>
                <label htmlFor={ids.sanction}>{s('sanctionLabel')}</label>
                <select
                  id={ids.sanction}
                  className="native-select"
                  data-testid="uphold-sanction"
                  value={sanction}
                  onChange={(e) => {
                    setSanction(e.target.value as HandSanction | '');
                    if (upholdError?.field === 'days') setUpholdError(null);
                  }}
                >
                  <option value="">{s('sanctionNone')}</option>
                  {HAND_SANCTIONS.map((k) => (
                    <option key={k} value={k}>
                      {pick(SANCTION_KIND_LABELS[k])}
                    </option>
                  ))}
                </select>
                {sanction === 'suspend' && (
                  <>
                    <label htmlFor={ids.days}>{s('sanctionDays')}</label>
                    <input
                      id={ids.days}
                      ref={daysRef}
                      className="days-input"
                      type="number"
                      inputMode="numeric"
                      min={DAYS_MIN}
                      max={DAYS_MAX}
                      step={1}
                      data-testid="uphold-days"
                      value={days}
                      aria-invalid={upholdError?.field === 'days'}
                      aria-describedby={upholdError?.field === 'days' ? errorId : undefined}
                      onChange={(e) => setDays(e.target.value)}
                    />
                  </>
                )}
                {sanction && (
                  <>
                    <label htmlFor={ids.reason}>{s('sanctionReason')}</label>
                    <select
                      id={ids.reason}
                      className="native-select"
                      data-testid="uphold-sanction-reason"
                      value={reason}
                      onChange={(e) => setReason(e.target.value as ReportReason)}
                    >
                      {REPORT_REASONS.map((r) => (
                        <option key={r} value={r}>
                          {pick(REPORT_REASON_LABELS[r])}
                        </option>
                      ))}
                    </select>
                  </>
                )}
              </>
            ) : (
              <p className="muted">{s('noSanctionPermission')}</p>
            )}
            {upholdError && (
              <p id={errorId} className="form-error" role="alert" data-testid="uphold-error">
                {upholdError.text}
              </p>
            )}
            <OfferButton
              offer={upholdOffer}
              type="primary"
              danger
              htmlType="submit"
              loading={busy}
              data-testid="report-uphold"
              aria-keyshortcuts="a"
            >
              {s('uphold')} <kbd>A</kbd>
            </OfferButton>
          </fieldset>
        </form>
      )}
      {dismissOffer && (
        <NoteDecisionForm
          legend={s('dismissLegend')}
          label={s('dismissNote')}
          formTestId="report-dismiss-form"
          noteTestId="dismiss-note"
          errorTestId="dismiss-error"
          submitTestId="report-dismiss"
          noteRef={dismissRef}
          note={dismissNote}
          maxLength={DISMISS_NOTE.maxLength}
          onNote={setDismissNote}
          error={dismissError}
          offer={dismissOffer}
          busy={busy}
          shortcut="r"
          submitLabel={s('dismiss')}
          onSubmit={dismiss}
        />
      )}
    </section>
  );
}
