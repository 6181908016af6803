import { fieldLimits } from '@jiangxin/shared/forms';
import {
  type ListingReviewDetail,
  listingReviewDetailSchema,
  REJECT_REASON_LABELS,
  REJECT_REASONS,
  type RejectReason,
  rejectListingBodySchema,
  requestChangesBodySchema,
} from '@jiangxin/shared/ops/moderation';
import { Alert, Input, Tag } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useId, useMemo, useRef, useState } from 'react';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import { canRun, NoteDecisionForm, OfferButton, offerShortcut, usePerformAction } from '../../kit/actions';
import type { CasePaneProps } from '../../kit/pane';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { HighlightedText, HitLegend } from './HighlightedText';
import { useModerationStrings } from './strings';
import { UserHistory } from './UserHistory';

type S = ReturnType<typeof useModerationStrings>;
type TemplateKey = Parameters<S>[0];

/** The note templates a moderator may start from, per reject reason (the select fills the note). */
export const REJECT_NOTE_TEMPLATES: Record<RejectReason, readonly TemplateKey[]> = {
  contact_info: ['tplContact1', 'tplContact2'],
  prohibited_content: ['tplProhibited1', 'tplProhibited2'],
  misleading: ['tplMisleading1', 'tplMisleading2'],
  low_quality: ['tplLowQuality1', 'tplLowQuality2'],
  wrong_category: ['tplWrongCategory1'],
  ip_infringement: ['tplIp1', 'tplIp2'],
};

/** The core's limits on the decision notes, from the actions' own schemas. */
const REJECT_NOTE = fieldLimits(rejectListingBodySchema, 'note');
const CHANGES_NOTE = fieldLimits(requestChangesBodySchema, 'note');

const TIER_KEYS = { basic: 'tierBasic', standard: 'tierStandard', premium: 'tierPremium' } as const;

/**
 * A `listing_review` case: the listing as submitted (titles, description, packages, category) with the
 * scanner's hits marked in place, the seller and their history, and the decision — approve (a), reject
 * with a reason code and a note from templates (r), or request changes with a note (c).
 */
export function ListingReviewPane(props: CasePaneProps<'listing_review'>) {
  const s = useModerationStrings();
  const parsed = useMemo(
    () => listingReviewDetailSchema.safeParse(props.detail.detail),
    [props.detail.detail],
  );
  if (!parsed.success)
    return <Alert type="error" showIcon title={s('detailUnreadable')} data-testid="pane-unreadable" />;
  return <ListingReview key={props.detail.case.id} {...props} data={parsed.data} />;
}

function ListingReview({
  detail,
  perform,
  offer,
  data,
}: CasePaneProps<'listing_review'> & { data: ListingReviewDetail }) {
  const { locale } = useT();
  const s = useModerationStrings();
  const { listing, hits, seller, pastReviews } = data;
  const resubmission = detail.case.summary['resubmission'] === true;

  return (
    <div className="mod-pane" data-testid="listing-review-pane">
      <section className="pane-section" aria-labelledby="listing-heading">
        <h3 id="listing-heading" className="pane-subheading">
          {s('listingHeading')} {resubmission && <Tag color="processing">{s('resubmission')}</Tag>}
        </h3>
        {!listing ? (
          <p className="muted">{s('listingGone')}</p>
        ) : (
          <>
            <dl className="facts" data-testid="listing-facts">
              <div>
                <dt>{s('titleZh')}</dt>
                <dd data-testid="listing-title-zh">
                  <HighlightedText text={listing.titleZh} hits={hits['titleZh']} />
                </dd>
              </div>
              <div>
                <dt>{s('titleEn')}</dt>
                <dd data-testid="listing-title-en">
                  <HighlightedText text={listing.title} hits={hits['title']} />
                </dd>
              </div>
              <div>
                <dt>{s('category')}</dt>
                <dd>{locale === 'en' ? listing.category.name : listing.category.nameZh}</dd>
              </div>
              {listing.submittedAt && (
                <div>
                  <dt>{s('submittedAt')}</dt>
                  <dd>{formatDateTime(listing.submittedAt, locale)}</dd>
                </div>
              )}
            </dl>
            <h4 className="pane-minorheading">{s('description')}</h4>
            <p className="listing-description" data-testid="listing-description">
              <HighlightedText text={listing.description} hits={hits['description']} />
            </p>
            <h4 className="pane-minorheading">{s('packagesHeading')}</h4>
            <table className="pane-table" data-testid="listing-packages">
              <thead>
                <tr>
                  <th scope="col">{s('pkgTier')}</th>
                  <th scope="col">{s('pkgTitle')}</th>
                  <th scope="col">{s('pkgPrice')}</th>
                  <th scope="col">{s('pkgDays')}</th>
                  <th scope="col">{s('pkgRevisions')}</th>
                </tr>
              </thead>
              <tbody>
                {listing.packages.map((p) => (
                  <tr key={p.tier} data-tier={p.tier}>
                    <th scope="row">{s(TIER_KEYS[p.tier])}</th>
                    <td>
                      <div className="pkg-title">
                        <HighlightedText text={p.title} hits={hits[`packages.${p.tier}.title`]} />
                      </div>
                      <div className="pkg-description">
                        <HighlightedText text={p.description} hits={hits[`packages.${p.tier}.description`]} />
                      </div>
                    </td>
                    <td className="num">{formatFen(p.priceFen)}</td>
                    <td className="num">{s('daysN', { n: p.deliveryDays })}</td>
                    <td className="num">{s('timesN', { n: p.revisions })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
        <HitLegend hits={hits} headingLevel={4} />
      </section>
      <UserHistory heading={s('sellerHeading')} user={seller} pastReviews={pastReviews} />
      <ListingDecision perform={perform} offer={offer} />
    </div>
  );
}

/** Approve, reject (reason + note from templates) and request changes, with their shortcuts. */
function ListingDecision({ perform, offer }: Pick<CasePaneProps<'listing_review'>, 'perform' | 'offer'>) {
  const { pick } = useT();
  const s = useModerationStrings();
  const ids = { reason: useId(), template: useId(), note: useId() };
  const { busy, run } = usePerformAction(perform);
  const [reason, setReason] = useState<RejectReason | ''>('');
  const [template, setTemplate] = useState('');
  const [note, setNote] = useState('');
  const [changes, setChanges] = useState('');
  const [rejectError, setRejectError] = useState<string | null>(null);
  const [changesError, setChangesError] = useState<string | null>(null);
  const reasonRef = useRef<HTMLSelectElement>(null);
  const changesRef = useRef<TextAreaRef>(null);

  const approveOffer = offer('approve');
  const rejectOffer = offer('reject');
  const changesOffer = offer('request_changes');

  const approve = () => {
    if (!canRun(approveOffer) || busy) return;
    void run('approve', {});
  };
  const reject = () => {
    if (!canRun(rejectOffer) || busy) return;
    if (!reason) {
      setRejectError(s('rejectReasonRequired'));
      reasonRef.current?.focus();
      return;
    }
    const max = REJECT_NOTE.maxLength ?? Number.POSITIVE_INFINITY;
    if (note.trim().length > max) {
      setRejectError(s('noteTooLong', { n: max }));
      return;
    }
    setRejectError(null);
    void run('reject', { reason, note: note.trim() });
  };
  const requestChanges = () => {
    if (!canRun(changesOffer) || busy) return;
    const text = changes.trim();
    if (text.length < CHANGES_NOTE.minLength) {
      setChangesError(s('changesNoteRequired'));
      changesRef.current?.focus();
      return;
    }
    const max = CHANGES_NOTE.maxLength ?? Number.POSITIVE_INFINITY;
    if (text.length > max) {
      setChangesError(s('noteTooLong', { n: max }));
      return;
    }
    setChangesError(null);
    void run('request_changes', { note: text });
  };

  const paneKey = { priority: SHORTCUT_PRIORITY.pane };
  useShortcut(
    'a',
    approve,
    { zh: '通过该服务', en: 'Approve the listing' },
    { ...paneKey, ...offerShortcut(approveOffer) },
  );
  useShortcut(
    'r',
    reject,
    { zh: '驳回（需选择原因）', en: 'Reject (a reason is required)' },
    { ...paneKey, ...offerShortcut(rejectOffer) },
  );
  useShortcut(
    'c',
    requestChanges,
    { zh: '要求修改（需填写说明）', en: 'Request changes (a note is required)' },
    { ...paneKey, ...offerShortcut(changesOffer) },
  );

  if (!approveOffer && !rejectOffer && !changesOffer) return null;
  const templates = reason ? REJECT_NOTE_TEMPLATES[reason] : [];

  return (
    <section className="pane-section decision" aria-labelledby="listing-decision-heading">
      <h3 id="listing-decision-heading" className="pane-subheading">
        {s('decisionHeading')}
      </h3>
      {approveOffer && (
        <div className="decision-row">
          <OfferButton
            offer={approveOffer}
            type="primary"
            onClick={approve}
            loading={busy}
            data-testid="listing-approve"
            aria-keyshortcuts="a"
          >
            {s('approve')} <kbd>A</kbd>
          </OfferButton>
        </div>
      )}
      {rejectOffer && (
        <form
          className="decision-form"
          aria-label={s('rejectLegend')}
          data-testid="listing-reject-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            reject();
          }}
        >
          <fieldset>
            <legend>{s('rejectLegend')}</legend>
            <label htmlFor={ids.reason}>{s('rejectReason')}</label>
            <select
              id={ids.reason}
              ref={reasonRef}
              className="native-select"
              data-testid="reject-reason"
              value={reason}
              aria-invalid={rejectError !== null && !reason}
              aria-describedby={rejectError ? `${ids.reason}-error` : undefined}
              onChange={(e) => {
                setReason(e.target.value as RejectReason | '');
                setTemplate('');
                if (e.target.value) setRejectError(null);
              }}
            >
              <option value="">{s('chooseReason')}</option>
              {REJECT_REASONS.map((r) => (
                <option key={r} value={r}>
                  {pick(REJECT_REASON_LABELS[r])}
                </option>
              ))}
            </select>
            <label htmlFor={ids.template}>{s('noteTemplate')}</label>
            <select
              id={ids.template}
              className="native-select"
              data-testid="reject-template"
              value={template}
              disabled={templates.length === 0}
              onChange={(e) => {
                setTemplate(e.target.value);
                if (e.target.value) setNote(s(e.target.value as TemplateKey));
              }}
            >
              <option value="">{s('chooseTemplate')}</option>
              {templates.map((k) => (
                <option key={k} value={k}>
                  {s(k)}
                </option>
              ))}
            </select>
            <label htmlFor={ids.note}>{s('rejectNote')}</label>
            <Input.TextArea
              id={ids.note}
              data-testid="reject-note"
              value={note}
              maxLength={REJECT_NOTE.maxLength}
              showCount
              rows={3}
              onChange={(e) => setNote(e.target.value)}
            />
            {rejectError && (
              <p id={`${ids.reason}-error`} className="form-error" role="alert" data-testid="reject-error">
                {rejectError}
              </p>
            )}
            <OfferButton
              offer={rejectOffer}
              danger
              htmlType="submit"
              loading={busy}
              data-testid="listing-reject"
              aria-keyshortcuts="r"
            >
              {s('reject')} <kbd>R</kbd>
            </OfferButton>
          </fieldset>
        </form>
      )}
      {changesOffer && (
        <NoteDecisionForm
          legend={s('changesLegend')}
          label={s('changesNote')}
          formTestId="listing-changes-form"
          noteTestId="changes-note"
          errorTestId="changes-error"
          submitTestId="listing-request-changes"
          noteRef={changesRef}
          note={changes}
          maxLength={CHANGES_NOTE.maxLength}
          onNote={(text) => {
            setChanges(text);
            if (text.trim()) setChangesError(null);
          }}
          error={changesError}
          offer={changesOffer}
          busy={busy}
          shortcut="c"
          submitLabel={s('requestChanges')}
          onSubmit={requestChanges}
        />
      )}
    </section>
  );
}
