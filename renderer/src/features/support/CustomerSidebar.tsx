import type { ConsoleSession } from '@jiangxin/shared/bridge';
import { fieldLimits } from '@jiangxin/shared/forms';
import { CASE_KIND_LABELS, CASE_STATUS_LABELS } from '@jiangxin/shared/ops/cases';
import {
  type CustomerContext,
  PII_FIELD_LABELS,
  type PiiField,
  revealBodySchema,
} from '@jiangxin/shared/ops/support';
import { ORDER_STATUS_LABELS, type OrderStatus } from '@jiangxin/shared/orders';
import { Button, type ButtonProps, Input, Modal } from 'antd';
import { useEffect, useId, useState } from 'react';
import { useBridge } from '../../bridge';
import { useBridgeQuery } from '../../calls';
import { formatDateTime, formatFen } from '../../format';
import { useT } from '../../i18n';
import { CaseTitle } from '../../kit/case-title';
import { CustomerLink, OrderLink } from '../../kit/links';
import { UserText, WithUserText } from '../../kit/UserText';
import { useDialogSubmit } from './hooks';
import { useSupportStrings } from './strings';

const USER_STATUS_LABELS: Record<CustomerContext['profile']['status'], { zh: string; en: string }> = {
  active: { zh: '正常', en: 'Active' },
  suspended: { zh: '已暂停', en: 'Suspended' },
  banned: { zh: '已封禁', en: 'Banned' },
};
const REAL_NAME_LABELS: Record<CustomerContext['profile']['realNameStatus'], { zh: string; en: string }> = {
  unverified: { zh: '未认证', en: 'Not verified' },
  pending: { zh: '审核中', en: 'Pending' },
  verified: { zh: '已认证', en: 'Verified' },
  rejected: { zh: '未通过', en: 'Rejected' },
};

/** The reason a reveal needs (the core audits it), as `revealBodySchema` takes it. */
const REVEAL_REASON = fieldLimits(revealBodySchema, 'reason');

/** Asks why, then reveals one masked field (`users.reveal`, audited by the core). */
function RevealDialog({
  userId,
  field,
  onClose,
  onRevealed,
}: {
  userId: number;
  field: PiiField | null;
  onClose: () => void;
  onRevealed: (field: PiiField, value: string | null) => void;
}) {
  const bridge = useBridge();
  const { pick } = useT();
  const s = useSupportStrings();
  const [reason, setReason] = useState('');
  const { problem, setProblem, busy, run } = useDialogSubmit();
  const reasonId = useId();

  const submit = () => {
    if (!field) return;
    const why = reason.trim();
    if (why.length < REVEAL_REASON.minLength) return setProblem(s('revealReasonShort'));
    run(
      () => bridge.call('users.reveal', { userId, field, reason: why }),
      (r) => {
        onRevealed(field, r.value);
        onClose();
      },
    );
  };

  const label = field ? pick(PII_FIELD_LABELS[field]) : '';
  return (
    <Modal
      open={field !== null}
      title={s('revealTitle', { field: label })}
      onCancel={onClose}
      onOk={submit}
      okText={s('reveal')}
      cancelText={s('cancel')}
      confirmLoading={busy}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'reveal-submit' } as ButtonProps}
    >
      <div className="support-form">
        <label htmlFor={reasonId}>{s('revealReason')}</label>
        <Input.TextArea
          id={reasonId}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={REVEAL_REASON.maxLength}
          rows={2}
          data-testid="reveal-reason"
        />
        {problem && (
          <p className="problem" role="alert" data-testid="reveal-problem">
            {problem}
          </p>
        )}
      </div>
    </Modal>
  );
}

/**
 * Who the customer is: the profile with personal data masked (a "查看" per field for staff with
 * `pii.reveal`, with a required reason the core audits), their orders, wallet and past cases.
 */
export function CustomerSidebar({
  userId,
  caseId,
  session,
}: {
  userId: number | null;
  caseId: number | null;
  session: ConsoleSession;
}) {
  const { pick, locale } = useT();
  const s = useSupportStrings();
  const read = useBridgeQuery('users.context', userId === null ? null : { userId });
  // While the context is (re-)read the sidebar says so rather than showing the last answer.
  const context: CustomerContext | null = read.loading ? null : (read.data ?? null);
  const problem = read.loading ? null : read.error;
  const [revealing, setRevealing] = useState<PiiField | null>(null);
  const [revealed, setRevealed] = useState<Partial<Record<PiiField, string | null>>>({});
  const mayReveal = session.permissions.includes('pii.reveal');

  // What was revealed belongs to this customer and this reading.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset whenever the context is read afresh
  useEffect(() => {
    setRevealed({});
    setRevealing(null);
  }, [userId, read.data]);

  if (userId === null) return null;

  const p = context?.profile;
  const piiRow = (field: PiiField, masked: string | null, extra?: string) => {
    const clear = revealed[field];
    const shown = clear !== undefined ? clear : masked;
    return (
      <div className="support-dl-row" key={field}>
        <dt>{pick(PII_FIELD_LABELS[field])}</dt>
        <dd data-testid={`pii-${field}`}>
          {shown ?? s('none')}
          {extra}
          {clear !== undefined ? (
            <span className="small muted"> {s('revealed')}</span>
          ) : (
            mayReveal &&
            masked !== null && (
              <Button
                size="small"
                type="link"
                onClick={() => setRevealing(field)}
                aria-label={s('revealLabel', { field: pick(PII_FIELD_LABELS[field]) })}
                data-testid={`reveal-${field}`}
              >
                {s('reveal')}
              </Button>
            )
          )}
        </dd>
      </div>
    );
  };

  return (
    <aside
      className="support-customer"
      aria-labelledby="support-customer-title"
      data-testid="customer-sidebar"
    >
      <h2 id="support-customer-title">{s('customerLabel')}</h2>
      {problem && (
        <div role="alert">
          <p className="problem">{problem}</p>
          <Button size="small" onClick={read.reload}>
            {s('retry')}
          </Button>
        </div>
      )}
      {!context && !problem && <p className="muted">{s('contextLoading')}</p>}
      {context && p && (
        <>
          <section aria-labelledby="support-profile-title">
            <h3 id="support-profile-title">{s('profile')}</h3>
            <dl className="support-dl">
              <div className="support-dl-row">
                <dt>{s('nickname')}</dt>
                <dd>
                  <CustomerLink userId={p.id}>
                    <UserText>{p.nickname}</UserText>
                  </CustomerLink>
                </dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('username')}</dt>
                <dd>
                  <UserText>{p.username}</UserText> <span className="muted small">ID {p.id}</span>
                </dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('userStatus')}</dt>
                <dd>{pick(USER_STATUS_LABELS[p.status])}</dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('userRoles')}</dt>
                <dd>
                  {[p.isClient && s('roleClient'), p.isFreelancer && s('roleFreelancer')]
                    .filter(Boolean)
                    .join('、') || s('none')}
                </dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('registered')}</dt>
                <dd>{formatDateTime(p.createdAt, locale)}</dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('realNameStatus')}</dt>
                <dd>{pick(REAL_NAME_LABELS[p.realNameStatus])}</dd>
              </div>
              {piiRow('phone', p.phone, p.phone && p.phoneVerified ? ` ${s('phoneVerified')}` : undefined)}
              {piiRow('realName', p.realName)}
              {piiRow('idNumber', p.idNumber)}
            </dl>
          </section>
          <section aria-labelledby="support-wallet-title">
            <h3 id="support-wallet-title">{s('wallet')}</h3>
            <dl className="support-dl" data-testid="customer-wallet">
              <div className="support-dl-row">
                <dt>{s('walletAvailable')}</dt>
                <dd className="num">{formatFen(context.wallet.availableFen)}</dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('walletPayoutPending')}</dt>
                <dd className="num">{formatFen(context.wallet.payoutPendingFen)}</dd>
              </div>
              <div className="support-dl-row">
                <dt>{s('walletEscrow')}</dt>
                <dd className="num">{formatFen(context.wallet.escrowAsClientFen)}</dd>
              </div>
            </dl>
          </section>
          <section aria-labelledby="support-orders-title">
            <h3 id="support-orders-title">{s('orders')}</h3>
            {context.orders.length === 0 ? (
              <p className="muted small">{s('ordersEmpty')}</p>
            ) : (
              <ul className="support-mini-list" data-testid="customer-orders">
                {context.orders.map((o) => (
                  <li key={o.id}>
                    <div>
                      <strong>
                        <OrderLink orderId={o.id}>{o.orderNumber}</OrderLink>
                      </strong>{' '}
                      · <UserText>{o.serviceTitle}</UserText>
                    </div>
                    <div className="small muted">
                      {ORDER_STATUS_LABELS[o.status as OrderStatus]
                        ? pick(ORDER_STATUS_LABELS[o.status as OrderStatus])
                        : o.status}
                      {' · '}
                      {formatFen(o.amountFen)}
                      {' · '}
                      {o.role === 'client' ? s('orderRoleClient') : s('orderRoleFreelancer')}
                      {' · '}
                      <WithUserText
                        text={s('orderWith', { name: o.counterpart.nickname })}
                        parts={[o.counterpart.nickname]}
                      />
                      {' · '}
                      {formatDateTime(o.createdAt, locale)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="support-cases-title">
            <h3 id="support-cases-title">{s('pastCases')}</h3>
            {context.cases.filter((c) => c.id !== caseId).length === 0 ? (
              <p className="muted small">{s('pastCasesEmpty')}</p>
            ) : (
              <ul className="support-mini-list" data-testid="customer-cases">
                {context.cases
                  .filter((c) => c.id !== caseId)
                  .map((c) => (
                    <li key={c.id}>
                      <div>
                        #{c.id} {pick(CASE_KIND_LABELS[c.kind])} ·{' '}
                        {c.title === null ? (
                          s('hiddenCase')
                        ) : (
                          <CaseTitle c={{ ...c, title: c.title }} locale={locale} />
                        )}
                      </div>
                      <div className="small muted">
                        {pick(CASE_STATUS_LABELS[c.status])}
                        {c.outcome && ` · ${c.outcome}`}
                        {' · '}
                        {formatDateTime(c.createdAt, locale)}
                      </div>
                    </li>
                  ))}
              </ul>
            )}
          </section>
          <RevealDialog
            key={revealing ?? 'closed'}
            userId={p.id}
            field={revealing}
            onClose={() => setRevealing(null)}
            onRevealed={(field, value) => setRevealed((r) => ({ ...r, [field]: value }))}
          />
        </>
      )}
    </aside>
  );
}
