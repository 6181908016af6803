import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { CASE_KIND_LABELS, CASE_STATUS_LABELS } from '@jiangxin/shared/ops/cases';
import {
  MONEY_MOVEMENT_LABELS,
  ORDER_ACTOR_LABELS,
  type OrderPage as OrderPageData,
  PACKAGE_TIER_LABELS,
  PAYMENT_PROVIDER_LABELS,
  PAYMENT_STATUS_LABELS,
} from '@jiangxin/shared/ops/drilldown';
import { LEDGER_JOURNAL_KIND_LABELS } from '@jiangxin/shared/ops/ledger';
import { ORDER_STATUS_LABELS, ORDER_TRANSITIONS, type OrderAction } from '@jiangxin/shared/orders';
import { Descriptions } from 'antd';
import { Link, useParams } from 'react-router-dom';
import { useBridgeQuery } from '../../calls';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import { CaseTitle } from '../../kit/case-title';
import { CustomerLink } from '../../kit/links';
import { UserText, WithUserText } from '../../kit/UserText';
import { CaseCell, PageState, Section } from './common';
import './customers.css';
import { type DrillStrings, useDrillStrings } from './strings';

type Row<K extends 'money' | 'payments' | 'cases'> = OrderPageData[K]['items'][number];
type Step = OrderPageData['timeline']['items'][number];

const ID = /^[1-9]\d{0,15}$/;

/** One step of the order's story as a sentence: who did what, and where it left the order. */
function sentence(s: DrillStrings, pick: (l: { zh: string; en: string }) => string, step: Step): string {
  const role = pick(ORDER_ACTOR_LABELS[step.actor.kind]);
  const who = step.actor.nickname ? s('actorNamed', { role, name: step.actor.nickname }) : role;
  if (step.action === 'created' || step.fromStatus === null) return s('timelineCreated', { who });
  const rule = ORDER_TRANSITIONS[step.action as OrderAction];
  const action = rule ? pick(rule.label) : s('otherStep');
  const to = pick(ORDER_STATUS_LABELS[step.toStatus]);
  if (step.fromStatus === step.toStatus) return s('timelineStay', { who, action, to });
  return s('timelineMove', { who, action, from: pick(ORDER_STATUS_LABELS[step.fromStatus]), to });
}

/**
 * `#/orders/:orderId`: one order — its header (parties linking to their customer pages), its timeline
 * as sentences, its money movements from the double-entry ledger (escrow in and out, the freelancer's
 * earning, refunds, the platform fee), its payments and the cases about it. Online only.
 */
export function OrderPage({ session }: { session: ConsoleSession }) {
  const { orderId: raw = '' } = useParams();
  const s = useDrillStrings();
  const { pick, locale } = useT();
  const valid = ID.test(raw);
  const read = useBridgeQuery('orders.get', valid ? { orderId: Number(raw) } : null);
  const page = read.problem ? null : read.data;
  const when = (iso: string) => formatDateTime(iso, locale);
  const perms = session.permissions;

  if (!valid)
    return (
      <main className="drill-page" data-testid="order-page">
        <p role="alert">{s('badId', { input: raw })}</p>
      </main>
    );

  const o = page?.order;
  return (
    <main className="drill-page" data-testid="order-page">
      <h1>
        <WithUserText
          text={s('orderTitle', { number: o ? o.orderNumber : `#${raw}` })}
          parts={[o?.orderNumber]}
        />
      </h1>
      <PageState
        s={s}
        loading={read.loading && !page}
        problem={read.problem}
        error={read.error}
        onRetry={read.reload}
      />
      {page && o && (
        <>
          <section className="drill-section" aria-labelledby="drill-header-title" data-testid="drill-header">
            <h2 id="drill-header-title">{s('header')}</h2>
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, md: 2, xl: 3 }}
              items={[
                { key: 'service', label: s('service'), children: <UserText>{o.serviceTitle}</UserText> },
                { key: 'tier', label: s('tier'), children: pick(PACKAGE_TIER_LABELS[o.tier]) },
                {
                  key: 'status',
                  label: s('status'),
                  children: (
                    <span data-testid="drill-order-status">{pick(ORDER_STATUS_LABELS[o.status])}</span>
                  ),
                },
                {
                  key: 'client',
                  label: s('client'),
                  children: (
                    <CustomerLink userId={o.client.id}>
                      <UserText>{o.client.nickname}</UserText>
                    </CustomerLink>
                  ),
                },
                {
                  key: 'freelancer',
                  label: s('freelancer'),
                  children: (
                    <CustomerLink userId={o.freelancer.id}>
                      <UserText>{o.freelancer.nickname}</UserText>
                    </CustomerLink>
                  ),
                },
                { key: 'amount', label: s('amount'), children: formatFen(o.amountFen) },
                {
                  key: 'fee',
                  label: s('fee'),
                  children: o.platformFeeFen === null ? s('none') : formatFen(o.platformFeeFen),
                },
                { key: 'created', label: s('created'), children: when(o.createdAt) },
                { key: 'paid', label: s('paid'), children: o.paidAt ? when(o.paidAt) : s('none') },
                {
                  key: 'deadline',
                  label: s('deadline'),
                  children: o.deliveryDeadline ? when(o.deliveryDeadline) : s('none'),
                },
                {
                  key: 'revisions',
                  label: s('revisions'),
                  children: s('revisionsValue', { used: o.revisionsUsed, allowed: o.revisionsAllowed }),
                },
              ]}
            />
          </section>

          <section
            className="drill-section"
            aria-labelledby="drill-timeline-title"
            data-testid="drill-timeline"
          >
            <h2 id="drill-timeline-title">
              {s('sectionCount', { title: s('timeline'), n: page.timeline.total })}
            </h2>
            <ol className="drill-timeline">
              {page.timeline.items.map((step) => (
                <li key={step.id} data-testid={`drill-step-${step.id}`}>
                  <time dateTime={step.at}>{when(step.at)}</time>{' '}
                  <WithUserText text={sentence(s, pick, step)} parts={[step.actor.nickname]} />
                  {step.note && (
                    <span className="muted">
                      {' · '}
                      <WithUserText text={s('timelineNote', { note: step.note })} parts={[step.note]} />
                    </span>
                  )}
                </li>
              ))}
            </ol>
          </section>

          <Section<Row<'money'> & { id: number }>
            s={s}
            id="money"
            title={s('money')}
            total={page.money.total}
            rows={page.money.items.map((j) => ({ ...j, id: j.journalId }))}
            columns={[
              { title: s('colTime'), key: 'time', render: (_, j) => when(j.at) },
              {
                title: s('colDirection'),
                key: 'kind',
                render: (_, j) => {
                  const label = LEDGER_JOURNAL_KIND_LABELS[j.kind];
                  return label ? pick(label) : j.kind;
                },
              },
              {
                title: s('colAmount'),
                key: 'lines',
                render: (_, j) =>
                  j.lines
                    .map((l) =>
                      s('moneyLine', {
                        movement: pick(MONEY_MOVEMENT_LABELS[l.movement]),
                        amount: formatFen(l.amountFen),
                      }),
                    )
                    .join('；'),
              },
            ]}
          />
          <p className="muted" data-testid="drill-escrow">
            {s('escrowNow', { amount: formatFen(page.money.escrowFen) })}
            {perms.includes('ledger.view') && (
              <>
                {' · '}
                <Link to={`/finance/ledger?orderId=${o.id}`}>{s('ledgerLink')}</Link>
              </>
            )}
          </p>

          <Section<Row<'payments'>>
            s={s}
            id="payments"
            title={s('payments')}
            total={page.payments.total}
            rows={page.payments.items}
            columns={[
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

          <Section<Row<'cases'>>
            s={s}
            id="cases"
            title={s('cases')}
            total={page.cases.total}
            rows={page.cases.items}
            columns={[
              {
                title: s('colCase'),
                key: 'case',
                render: (_, c) => <CaseCell s={s} c={c} permissions={perms} />,
              },
              { title: s('colDirection'), key: 'kind', render: (_, c) => pick(CASE_KIND_LABELS[c.kind]) },
              {
                title: s('colTitle'),
                key: 'title',
                render: (_, c) =>
                  c.title === null ? (
                    s('titleHidden')
                  ) : (
                    <CaseTitle c={{ ...c, title: c.title }} locale={locale} />
                  ),
              },
              { title: s('colStatus'), key: 'status', render: (_, c) => pick(CASE_STATUS_LABELS[c.status]) },
              { title: s('colTime'), key: 'time', render: (_, c) => when(c.createdAt) },
            ]}
          />
        </>
      )}
    </main>
  );
}
