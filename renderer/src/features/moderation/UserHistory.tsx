import {
  type PastListingReview,
  REJECT_REASON_LABELS,
  SANCTION_KIND_LABELS,
  type UserHistory as UserHistoryData,
} from '@jiangxin/shared/ops/moderation';
import { Tag } from 'antd';
import { formatDateTime } from '../../format';
import { useT } from '../../i18n';
import { CustomerLink } from '../../kit/links';
import { UserText, WithUserText } from '../../kit/UserText';
import { useModerationStrings } from './strings';

type S = ReturnType<typeof useModerationStrings>;

const userStatus = (s: S, status: UserHistoryData['status']) =>
  ({ active: s('statusActive'), suspended: s('statusSuspended'), banned: s('statusBanned') })[status];

const sanctionStatus = (s: S, status: 'active' | 'expired' | 'revoked') =>
  ({ active: s('sanctionActive'), expired: s('sanctionExpired'), revoked: s('sanctionRevoked') })[status];

export const outcomeText = (s: S, outcome: string | null): string =>
  ({
    approved: s('outcomeApproved'),
    rejected: s('outcomeRejected'),
    changes_requested: s('outcomeChangesRequested'),
    withdrawn: s('outcomeWithdrawn'),
    suspended: s('outcomeSuspended'),
  })[outcome ?? ''] ??
  outcome ??
  '';

/**
 * The person behind the content: account age and state, how their listings fared, completed orders,
 * every sanction so far and (for sellers) the earlier listing reviews with their reject reasons.
 */
export function UserHistory({
  heading,
  user,
  pastReviews,
}: {
  heading: string;
  user: UserHistoryData | null;
  pastReviews?: readonly PastListingReview[];
}) {
  const { pick, locale } = useT();
  const s = useModerationStrings();
  return (
    <section className="pane-section" data-testid="user-history" aria-label={heading}>
      <h3 className="pane-subheading">{heading}</h3>
      {!user ? (
        <p className="muted">{s('userGone')}</p>
      ) : (
        <>
          <p className="user-line">
            <strong>
              <CustomerLink userId={user.id}>
                <WithUserText
                  text={s('userName', { nickname: user.nickname, username: user.username, id: user.id })}
                  parts={[user.nickname, user.username]}
                />
              </CustomerLink>
            </strong>{' '}
            <Tag color={user.status === 'active' ? 'default' : 'error'}>{userStatus(s, user.status)}</Tag>
            {user.suspendedUntil && (
              <span className="muted">
                {s('suspendedUntil', { time: formatDateTime(user.suspendedUntil, locale) })}
              </span>
            )}
          </p>
          <ul className="fact-list">
            <li>{s('accountAge', { n: user.accountAgeDays })}</li>
            <li>{s('listingsStats', user.listings)}</li>
            <li>{s('completedOrders', { n: user.completedOrders })}</li>
          </ul>
          <h4 className="pane-minorheading">{s('sanctionsHeading')}</h4>
          {user.sanctions.length === 0 ? (
            <p className="muted">{s('sanctionsNone')}</p>
          ) : (
            <ul className="history-list" data-testid="sanction-history">
              {user.sanctions.map((x) => (
                <li key={x.id}>
                  <Tag>{pick(SANCTION_KIND_LABELS[x.kind])}</Tag>
                  {pick(x.reasonText)}
                  {x.days !== null && ` · ${s('daysN', { n: x.days })}`}
                  {' · '}
                  {formatDateTime(x.startsAt, locale)}
                  {x.endsAt && ` ${s('sanctionUntil', { time: formatDateTime(x.endsAt, locale) })}`}
                  {' · '}
                  {sanctionStatus(s, x.status)}
                  {x.note && <span className="muted"> — {x.note}</span>}
                </li>
              ))}
            </ul>
          )}
          {pastReviews && (
            <>
              <h4 className="pane-minorheading">{s('pastReviewsHeading')}</h4>
              {pastReviews.length === 0 ? (
                <p className="muted">{s('pastReviewsNone')}</p>
              ) : (
                <ul className="history-list" data-testid="past-reviews">
                  {pastReviews.map((r) => (
                    <li key={r.caseId}>
                      <Tag color={r.outcome === 'rejected' ? 'error' : 'default'}>
                        {outcomeText(s, r.outcome)}
                      </Tag>
                      <UserText>{r.title}</UserText>
                      {r.rejectReason && (
                        <span className="muted"> — {pick(REJECT_REASON_LABELS[r.rejectReason])}</span>
                      )}
                      {r.resolvedAt && (
                        <span className="muted"> · {formatDateTime(r.resolvedAt, locale)}</span>
                      )}
                    </li>
                  ))}
                </ul>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}
