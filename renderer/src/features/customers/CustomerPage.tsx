import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { DISPUTE_OUTCOME_LABELS } from '@jiangxin/shared/ops/disputes';
import {
  type CustomerPage as CustomerPageData,
  DISPUTE_STATUS_LABELS,
  ORDER_ROLE_LABELS,
  PAYMENT_PROVIDER_LABELS,
  PAYMENT_STATUS_LABELS,
  REPORT_TARGET_LABELS,
  SANCTION_STATUS_LABELS,
  SUPPORT_CHAT_STATUS_LABELS,
  USER_STATUS_LABELS,
} from '@jiangxin/shared/ops/drilldown';
import { SANCTION_KIND_LABELS } from '@jiangxin/shared/ops/moderation';
import { PAYOUT_STATUS_LABELS, WITHDRAWAL_CHANNEL_LABELS } from '@jiangxin/shared/ops/payouts';
import { ORDER_STATUS_LABELS } from '@jiangxin/shared/orders';
import { Descriptions } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useParams } from 'react-router-dom';
import { useBridgeQuery } from '../../calls';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import { CustomerLink, OrderLink } from '../../kit/links';
import { UserText, WithUserText } from '../../kit/UserText';
import { CaseCell, PageState, Section } from './common';
import { RevealPhone } from './RevealPhone';
import './customers.css';
import { useDrillStrings } from './strings';

type Row<K extends keyof CustomerPageData> = CustomerPageData[K] extends { items: (infer T)[] } ? T : never;

const ID = /^[1-9]\d{0,15}$/;

/**
 * `#/customers/:userId`: one customer on one page (Stripe-style) — profile with the phone masked, then
 * their orders on both sides, payments, payouts, disputes, reports by and against them, support chats
 * and sanctions, each with its count, statuses in words, amounts in yuan, and each row leading on (an
 * order to its page, a case into its queue). Read from the core: offline the page says so.
 */
export function CustomerPage({ session }: { session: ConsoleSession }) {
  const { userId: raw = '' } = useParams();
  const s = useDrillStrings();
  const { pick, locale } = useT();
  const valid = ID.test(raw);
  const read = useBridgeQuery('customers.get', valid ? { userId: Number(raw) } : null);
  const page = read.problem ? null : read.data;
  const when = (iso: string) => formatDateTime(iso, locale);
  const perms = session.permissions;
  const caseCol = <T extends { case: Row<'payouts'>['case'] }>(): ColumnsType<T>[number] => ({
    title: s('colCase'),
    key: 'case',
    render: (_, r) => <CaseCell s={s} c={r.case} permissions={perms} />,
  });
  const orderCol = <
    T extends { orderId: number | null; orderNumber: string | null },
  >(): ColumnsType<T>[number] => ({
    title: s('colOrder'),
    key: 'order',
    render: (_, r) =>
      r.orderNumber ? <OrderLink orderId={r.orderId}>{r.orderNumber}</OrderLink> : s('none'),
  });

  if (!valid)
    return (
      <main className="drill-page" data-testid="customer-page">
        <p role="alert">{s('badId', { input: raw })}</p>
      </main>
    );

  return (
    <main className="drill-page" data-testid="customer-page">
      <h1>
        <WithUserText
          text={s('customerTitle', { name: page ? page.profile.nickname : `#${raw}` })}
          parts={[page?.profile.nickname]}
        />
      </h1>
      <PageState
        s={s}
        loading={read.loading && !page}
        problem={read.problem}
        error={read.error}
        onRetry={read.reload}
      />
      {page && (
        <>
          <section
            className="drill-section"
            aria-labelledby="drill-profile-title"
            data-testid="drill-profile"
          >
            <h2 id="drill-profile-title">{s('profile')}</h2>
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                {
                  key: 'nickname',
                  label: s('nickname'),
                  children: <UserText>{page.profile.nickname}</UserText>,
                },
                {
                  key: 'username',
                  label: s('username'),
                  children: <UserText>{page.profile.username}</UserText>,
                },
                {
                  key: 'roles',
                  label: s('roles'),
                  children:
                    [
                      page.profile.isClient ? pick(ORDER_ROLE_LABELS.client) : null,
                      page.profile.isFreelancer ? pick(ORDER_ROLE_LABELS.freelancer) : null,
                      page.profile.isStaff ? s('staffAccount') : null,
                    ]
                      .filter(Boolean)
                      .join('、') || s('noRole'),
                },
                { key: 'joined', label: s('joined'), children: when(page.profile.createdAt) },
                {
                  key: 'phone',
                  label: s('phone'),
                  children: page.profile.phone ? (
                    <span data-testid="drill-phone">
                      {page.profile.phone}
                      <span className="muted">
                        {s('phoneNote', {
                          masked: s('maskedHint'),
                          verified: page.profile.phoneVerified ? s('phoneVerified') : s('phoneUnverified'),
                        })}
                      </span>
                      {perms.includes('pii.reveal') && <RevealPhone s={s} userId={page.profile.id} />}
                    </span>
                  ) : (
                    s('phoneNone')
                  ),
                },
                {
                  key: 'status',
                  label: s('accountStatus'),
                  children: (
                    <span data-testid="drill-account-status">
                      {pick(USER_STATUS_LABELS[page.profile.status])}
                      {page.profile.suspendedUntil &&
                        ` ${s('until', { time: when(page.profile.suspendedUntil) })}`}
                    </span>
                  ),
                },
              ]}
            />
          </section>

          <Section<Row<'orders'>>
            s={s}
            id="orders"
            title={s('orders')}
            total={page.orders.total}
            rows={page.orders.items}
            columns={[
              {
                title: s('colOrder'),
                key: 'order',
                render: (_, o) => <OrderLink orderId={o.id}>{o.orderNumber}</OrderLink>,
              },
              {
                title: s('colService'),
                key: 'service',
                render: (_, o) => <UserText>{o.serviceTitle}</UserText>,
              },
              { title: s('colRole'), key: 'role', render: (_, o) => pick(ORDER_ROLE_LABELS[o.role]) },
              {
                title: s('colCounterpart'),
                key: 'counterpart',
                render: (_, o) => (
                  <CustomerLink userId={o.counterpart.id}>
                    <UserText>{o.counterpart.nickname}</UserText>
                  </CustomerLink>
                ),
              },
              {
                title: s('colAmount'),
                key: 'amount',
                align: 'right',
                render: (_, o) => formatFen(o.amountFen),
              },
              { title: s('colStatus'), key: 'status', render: (_, o) => pick(ORDER_STATUS_LABELS[o.status]) },
              { title: s('colTime'), key: 'time', render: (_, o) => when(o.createdAt) },
            ]}
          />

          <Section<Row<'payments'>>
            s={s}
            id="payments"
            title={s('payments')}
            total={page.payments.total}
            rows={page.payments.items}
            columns={[
              orderCol(),
              {
                title: s('colChannel'),
                key: 'provider',
                render: (_, p) => pick(PAYMENT_PROVIDER_LABELS[p.provider]),
              },
              {
                title: s('colAmount'),
                key: 'amount',
                align: 'right',
                render: (_, p) => formatFen(p.amountFen),
              },
              {
                title: s('colStatus'),
                key: 'status',
                render: (_, p) => pick(PAYMENT_STATUS_LABELS[p.status]),
              },
              { title: s('colTime'), key: 'time', render: (_, p) => when(p.paidAt ?? p.createdAt) },
            ]}
          />

          <Section<Row<'payouts'>>
            s={s}
            id="payouts"
            title={s('payouts')}
            total={page.payouts.total}
            rows={page.payouts.items}
            columns={[
              {
                title: s('colAmount'),
                key: 'amount',
                align: 'right',
                render: (_, p) => formatFen(p.amountFen),
              },
              {
                title: s('colChannel'),
                key: 'channel',
                render: (_, p) => pick(WITHDRAWAL_CHANNEL_LABELS[p.channel]),
              },
              {
                title: s('colStatus'),
                key: 'status',
                render: (_, p) => pick(PAYOUT_STATUS_LABELS[p.status]),
              },
              { title: s('colTime'), key: 'time', render: (_, p) => when(p.createdAt) },
              caseCol(),
            ]}
          />

          <Section<Row<'disputes'>>
            s={s}
            id="disputes"
            title={s('disputes')}
            total={page.disputes.total}
            rows={page.disputes.items}
            columns={[
              orderCol(),
              { title: s('colRole'), key: 'role', render: (_, d) => pick(ORDER_ROLE_LABELS[d.role]) },
              {
                title: s('colOpenedBy'),
                key: 'openedBy',
                render: (_, d) => (d.openedByCustomer ? s('openedBySelf') : s('openedByOther')),
              },
              {
                title: s('colStatus'),
                key: 'status',
                render: (_, d) =>
                  d.resolution
                    ? s('resolvedAs', {
                        status: pick(DISPUTE_STATUS_LABELS[d.status]),
                        outcome: pick(DISPUTE_OUTCOME_LABELS[d.resolution]),
                      })
                    : pick(DISPUTE_STATUS_LABELS[d.status]),
              },
              { title: s('colTime'), key: 'time', render: (_, d) => when(d.createdAt) },
              caseCol(),
            ]}
          />

          <Section<Row<'reports'>>
            s={s}
            id="reports"
            title={s('reports')}
            total={page.reports.total}
            rows={page.reports.items}
            columns={[
              {
                title: s('colDirection'),
                key: 'direction',
                render: (_, r) => (r.direction === 'by' ? s('reportBy') : s('reportAgainst')),
              },
              {
                title: s('colTarget'),
                key: 'target',
                render: (_, r) => pick(REPORT_TARGET_LABELS[r.targetType]),
              },
              { title: s('colReason'), key: 'reason', render: (_, r) => pick(r.reasonText) },
              {
                title: s('colCounterpart'),
                key: 'counterpart',
                render: (_, r) =>
                  r.counterpart ? (
                    <CustomerLink userId={r.counterpart.id}>
                      <UserText>{r.counterpart.nickname}</UserText>
                    </CustomerLink>
                  ) : (
                    s('scanner')
                  ),
              },
              { title: s('colTime'), key: 'time', render: (_, r) => when(r.createdAt) },
              caseCol(),
            ]}
          />

          <Section<Row<'supportChats'>>
            s={s}
            id="chats"
            title={s('supportChats')}
            total={page.supportChats.total}
            rows={page.supportChats.items}
            columns={[
              { title: s('colSubject'), key: 'subject', render: (_, c) => <UserText>{c.subject}</UserText> },
              orderCol(),
              {
                title: s('colStatus'),
                key: 'status',
                render: (_, c) => pick(SUPPORT_CHAT_STATUS_LABELS[c.status]),
              },
              { title: s('colTime'), key: 'time', render: (_, c) => when(c.updatedAt) },
              caseCol(),
            ]}
          />

          <Section<Row<'sanctions'>>
            s={s}
            id="sanctions"
            title={s('sanctions')}
            total={page.sanctions.total}
            rows={page.sanctions.items}
            columns={[
              { title: s('colKind'), key: 'kind', render: (_, x) => pick(SANCTION_KIND_LABELS[x.kind]) },
              {
                title: s('colStatus'),
                key: 'status',
                render: (_, x) => pick(SANCTION_STATUS_LABELS[x.status]),
              },
              { title: s('colReason'), key: 'reason', render: (_, x) => pick(x.reasonText) },
              {
                title: s('colPeriod'),
                key: 'period',
                render: (_, x) =>
                  x.days !== null ? s('days', { n: x.days }) : x.kind === 'ban' ? s('permanent') : s('none'),
              },
              { title: s('colTime'), key: 'time', render: (_, x) => when(x.startsAt) },
              caseCol(),
            ]}
          />
        </>
      )}
    </main>
  );
}
