import { fieldLimits } from '@jiangxin/shared/forms';
import {
  approvePayoutBodySchema,
  closeFailedPayoutBodySchema,
  PAYOUT_STATUS_LABELS,
  type PayoutCaseDetail,
  type PayoutRiskSignal,
  payoutCaseDetailSchema,
  rejectPayoutBodySchema,
  WITHDRAWAL_CHANNEL_LABELS,
} from '@jiangxin/shared/ops/payouts';
import { Alert, Button, type GetRef, Input, Modal, Space, Tag } from 'antd';
import { useId, useRef, useState } from 'react';
import { formatDateTime, formatFen } from '../../format';
import { colon, useT } from '../../i18n';
import { offerShortcut, type Refusal, usePerformAction } from '../../kit/actions';
import { CustomerLink } from '../../kit/links';
import type { CasePaneProps } from '../../kit/pane';
import { UserText, WithUserText } from '../../kit/UserText';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { REAL_NAME_LABELS, RISK_LEVEL_ORDER, USER_STATUS_LABELS } from './labels';
import { usePayoutStrings } from './strings';
import './payouts.css';

type Strings = ReturnType<typeof usePayoutStrings>;
type Props = CasePaneProps<'payout'>;

/** The notes and the reason, as the actions' own schemas take them. */
const APPROVE_NOTE = fieldLimits(approvePayoutBodySchema, 'note');
const CLOSE_NOTE = fieldLimits(closeFailedPayoutBodySchema, 'note');
const REJECT_REASON = fieldLimits(rejectPayoutBodySchema, 'reason');

/**
 * A payout case: the withdrawal and where its transfer stands, who asked and what their account looks
 * like (risk signals, earlier withdrawals), the maker-checker state, and approve / reject (or, after a
 * failed transfer, close). The frame re-reads the case on `cases.changed`, so the execution state follows
 * the payout job live. What the core refuses (the withdrawer's own item, a second approval by the first
 * approver) is shown disabled with the core's reason.
 */
export function PayoutPane({ detail, stale, session, perform, offer }: Props) {
  const s = usePayoutStrings();
  const parsed = payoutCaseDetailSchema.safeParse(detail.detail);
  if (!parsed.success)
    return <Alert type="error" showIcon title={s('detailUnreadable')} data-testid="payout-unreadable" />;
  const d = parsed.data;
  return (
    <div className="payout-pane" data-testid="payout-pane">
      <Withdrawal d={d} />
      <Execution d={d} />
      <RiskSignals signals={d.riskSignals} />
      <MakerChecker d={d} userId={session.userId} />
      <PayoutActions d={d} stale={stale} perform={perform} offer={offer} />
      <Requester d={d} />
      <History d={d} />
    </div>
  );
}

function Fact({ label, children, testId }: { label: string; children: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}

function Withdrawal({ d }: { d: PayoutCaseDetail }) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const p = d.payout;
  const id = useId();
  return (
    <section aria-labelledby={id} className="payout-section">
      <h3 id={id}>{s('withdrawalTitle')}</h3>
      <dl className="payout-facts">
        <Fact label={s('amount')} testId="payout-amount">
          <strong className="payout-amount">{formatFen(p.amountFen)}</strong>
        </Fact>
        <Fact label={s('channel')}>{pick(WITHDRAWAL_CHANNEL_LABELS[p.channel])}</Fact>
        <Fact label={s('payee')}>
          <UserText>{p.account.name}</UserText>
        </Fact>
        <Fact label={s('payeeAccount')} testId="payout-account">
          <UserText>{p.account.numberMasked}</UserText>
        </Fact>
        {p.account.bankName && (
          <Fact label={s('bankName')}>
            <UserText>{p.account.bankName}</UserText>
          </Fact>
        )}
        <Fact label={s('payoutStatus')}>{pick(PAYOUT_STATUS_LABELS[p.status])}</Fact>
        <Fact label={s('requestedAt')}>{formatDateTime(p.createdAt, locale)}</Fact>
      </dl>
    </section>
  );
}

/** Where the money stands: not sent yet, at the gateway, paid, failed or rejected. Announced when it changes. */
function Execution({ d }: { d: PayoutCaseDetail }) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const p = d.payout;
  const id = useId();
  const state: Record<
    PayoutCaseDetail['payout']['status'],
    { text: string; type: 'info' | 'success' | 'warning' | 'error' }
  > = {
    pending_review: { text: s('executionNotYet'), type: 'info' },
    approved: { text: s('executionWaiting'), type: 'info' },
    processing: { text: s('executionProcessing', { n: Math.max(p.attempts, 1) }), type: 'warning' },
    paid: {
      text: s('executionPaid', { time: p.paidAt ? formatDateTime(p.paidAt, locale) : '—' }),
      type: 'success',
    },
    failed: { text: s('executionFailed'), type: 'error' },
    rejected: { text: s('executionRejected'), type: 'warning' },
  };
  const now = state[p.status];
  return (
    <section aria-labelledby={id} className="payout-section">
      <h3 id={id}>{s('executionTitle')}</h3>
      <div data-testid="payout-execution" data-status={p.status} aria-live="polite">
        <Alert
          type={now.type}
          showIcon
          role="note"
          title={`${pick(PAYOUT_STATUS_LABELS[p.status])} · ${now.text}`}
          description={
            p.status === 'failed' && p.failureReason ? (
              <>
                {s('failureReason')}
                {colon(locale)}
                <UserText>{p.failureReason}</UserText>
              </>
            ) : p.status === 'rejected' && p.rejectionReason ? (
              <>
                {s('rejectionReason')}
                {colon(locale)}
                <UserText>{p.rejectionReason}</UserText>
              </>
            ) : undefined
          }
        />
      </div>
      {(p.outBizNo || p.gatewayRef || p.attempts > 0 || p.lastError) && (
        <dl className="payout-facts">
          {p.outBizNo && (
            <Fact label={s('outBizNo')}>
              <UserText>{p.outBizNo}</UserText>
            </Fact>
          )}
          {p.gatewayRef && (
            <Fact label={s('gatewayRef')}>
              <UserText>{p.gatewayRef}</UserText>
            </Fact>
          )}
          {p.attempts > 0 && <Fact label={s('attempts')}>{p.attempts}</Fact>}
          {p.lastError && p.status !== 'failed' && (
            <Fact label={s('lastError')}>
              <UserText>{p.lastError}</UserText>
            </Fact>
          )}
        </dl>
      )}
    </section>
  );
}

function riskLevelText(s: Strings, level: PayoutRiskSignal['level']): string {
  return level === 'high' ? s('riskHigh') : level === 'medium' ? s('riskMedium') : s('riskInfo');
}

function RiskSignals({ signals }: { signals: PayoutCaseDetail['riskSignals'] }) {
  const s = usePayoutStrings();
  const { pick } = useT();
  const id = useId();
  const sorted = [...signals].sort((a, b) => RISK_LEVEL_ORDER[a.level] - RISK_LEVEL_ORDER[b.level]);
  return (
    <section aria-labelledby={id} className="payout-section" data-testid="payout-risk">
      <h3 id={id}>{s('riskTitle', { n: signals.length })}</h3>
      {sorted.length === 0 ? (
        <p className="muted">{s('riskNone')}</p>
      ) : (
        <ul className="payout-risk-list">
          {sorted.map((r) => (
            <li key={r.code} className={`payout-risk payout-risk-${r.level}`} data-code={r.code}>
              <Tag
                className="payout-risk-level"
                color={r.level === 'high' ? 'error' : r.level === 'medium' ? 'warning' : 'default'}
              >
                {riskLevelText(s, r.level)}
              </Tag>
              <span>{pick(r)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MakerChecker({ d, userId }: { d: PayoutCaseDetail; userId: number }) {
  const s = usePayoutStrings();
  const { locale } = useT();
  const id = useId();
  const n = d.payout.requiredApprovals;
  const done = d.approvals.length;
  const awaiting = d.payout.status === 'pending_review';
  const iApproved = d.approvals.some((a) => a.staffId === userId);
  let state: string;
  if (!awaiting && done < n) state = s('approvalClosed');
  else if (done >= n) state = s('approvalComplete', { done, n });
  else if (done === 0) state = s('approvalNone');
  else state = s('approvalWaitingSecond', { done, n });
  return (
    <section aria-labelledby={id} className="payout-section" data-testid="payout-maker-checker">
      <h3 id={id}>{s('approvalTitle')}</h3>
      <p>{n > 1 ? s('approvalDouble', { n }) : s('approvalSingle')}</p>
      {done > 0 && (
        <ol className="payout-approvals">
          {d.approvals.map((a, i) => (
            <li key={`${a.staffId}-${a.at}`}>
              <WithUserText
                text={s('approvalEntry', { i: i + 1, name: a.staffName, time: formatDateTime(a.at, locale) })}
                parts={[a.staffName]}
              />
              {a.note && (
                <span className="muted">
                  {' · '}
                  <UserText>{a.note}</UserText>
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      <p className="payout-approval-state" data-testid="payout-approval-state">
        <strong>{state}</strong>
        {awaiting && iApproved && done < n && <span> · {s('approvalYouApproved')}</span>}
      </p>
    </section>
  );
}

function Requester({ d }: { d: PayoutCaseDetail }) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const id = useId();
  const u = d.user;
  return (
    <section aria-labelledby={id} className="payout-section">
      <h3 id={id}>{s('requesterTitle')}</h3>
      <dl className="payout-facts">
        <Fact label={s('requester')} testId="payout-requester">
          <CustomerLink userId={u.id}>
            <UserText>{u.nickname}</UserText>
          </CustomerLink>
          {locale === 'en' ? ' (' : '（'}
          <UserText>{u.username}</UserText> · #{u.id}
          {locale === 'en' ? ')' : '）'}
        </Fact>
        <Fact label={s('registered')}>
          {formatDateTime(u.createdAt, locale)} · {s('accountAge', { n: u.accountAgeDays })}
        </Fact>
        <Fact label={s('realName')}>{pick(REAL_NAME_LABELS[u.realNameStatus])}</Fact>
        <Fact label={s('accountStatus')}>{pick(USER_STATUS_LABELS[u.status])}</Fact>
        <Fact label={s('available')}>{formatFen(d.wallet.availableFen)}</Fact>
        <Fact label={s('payoutPending')}>{formatFen(d.wallet.payoutPendingFen)}</Fact>
      </dl>
    </section>
  );
}

function History({ d }: { d: PayoutCaseDetail }) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const id = useId();
  const rows = d.payoutHistory;
  return (
    <section aria-labelledby={id} className="payout-section" data-testid="payout-history">
      <h3 id={id}>{s('historyTitle', { n: rows.length })}</h3>
      {rows.length === 0 ? (
        <p className="muted">{s('historyNone')}</p>
      ) : (
        <table className="payout-history">
          <thead>
            <tr>
              <th scope="col">{s('historyDate')}</th>
              <th scope="col">{s('amount')}</th>
              <th scope="col">{s('payeeAccount')}</th>
              <th scope="col">{s('historyResult')}</th>
              <th scope="col">{s('historyReason')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr key={h.id} data-status={h.status}>
                <td>{formatDateTime(h.createdAt, locale)}</td>
                <td className="num">{formatFen(h.amountFen)}</td>
                <td>
                  {pick(WITHDRAWAL_CHANNEL_LABELS[h.channel])} <UserText>{h.accountMasked}</UserText>
                </td>
                <td>
                  {pick(PAYOUT_STATUS_LABELS[h.status])}
                  {h.paidAt && (
                    <span className="muted">
                      {' '}
                      · {s('historyPaidAt', { time: formatDateTime(h.paidAt, locale) })}
                    </span>
                  )}
                </td>
                <td>
                  {h.rejectionReason || h.failureReason ? (
                    <UserText>{h.rejectionReason ?? h.failureReason}</UserText>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Approve (a), reject with a reason (r), close a failed transfer (c): each only when the core offers it. */
function PayoutActions({
  d,
  stale,
  perform,
  offer,
}: {
  d: PayoutCaseDetail;
  stale: boolean;
  perform: Props['perform'];
  offer: Props['offer'];
}) {
  const s = usePayoutStrings();
  const { pick } = useT();
  const id = useId();
  const { busy, run, attempt } = usePerformAction(perform);
  const [note, setNote] = useState('');
  const [closeNote, setCloseNote] = useState('');
  const [rejecting, setRejecting] = useState(false);
  // Money that needs two approvers, and the second approval that sends it, is confirmed first.
  const [confirming, setConfirming] = useState(false);
  const approve = offer('approve_payout');
  const reject = offer('reject_payout');
  const closeFailed = offer('close_failed');
  const offered = [approve, reject, closeFailed].filter((o) => o !== undefined);

  // One line per distinct reason the core gives (the same reason often covers approve and reject).
  const reasons: { key: string; text: Refusal }[] = [];
  for (const o of offered)
    if (!o.available && o.reason && !reasons.some((r) => r.key === o.reason!.zh))
      reasons.push({ key: o.reason.zh, text: o.reason });
  const reasonId = (o: typeof approve) => {
    const i = o && !o.available && o.reason ? reasons.findIndex((r) => r.key === o.reason!.zh) : -1;
    return i >= 0 ? `${id}-reason-${i}` : undefined;
  };

  const canApprove = Boolean(approve?.available) && !busy;
  const canReject = Boolean(reject?.available) && !busy;
  const canClose = Boolean(closeFailed?.available) && !busy;
  const second = d.approvals.length > 0 && d.approvals.length < d.payout.requiredApprovals;
  /** At or above the maker-checker threshold the core asks two approvers (`requiredApprovals` 2). */
  const large = d.payout.requiredApprovals > 1;
  const sendApproval = () => {
    setConfirming(false);
    const trimmed = note.trim();
    void run('approve_payout', trimmed ? { note: trimmed } : {}).then((ok) => ok && setNote(''));
  };
  const doApprove = () => {
    if (!canApprove) return;
    if (large || second) setConfirming(true);
    else sendApproval();
  };
  const doClose = () => {
    if (!canClose) return;
    const trimmed = closeNote.trim();
    void run('close_failed', trimmed ? { note: trimmed } : {});
  };
  useShortcut(
    'a',
    doApprove,
    { zh: '批准提现', en: 'Approve the payout' },
    { priority: SHORTCUT_PRIORITY.pane, ...offerShortcut(approve) },
  );
  useShortcut(
    'r',
    () => canReject && setRejecting(true),
    { zh: '驳回提现', en: 'Reject the payout' },
    { priority: SHORTCUT_PRIORITY.pane, ...offerShortcut(reject) },
  );
  useShortcut(
    'c',
    doClose,
    { zh: '确认打款失败并关闭', en: 'Acknowledge the failed transfer' },
    { priority: SHORTCUT_PRIORITY.pane, ...offerShortcut(closeFailed) },
  );

  if (offered.length === 0) return null;
  return (
    <section aria-labelledby={id} className="payout-section payout-actions">
      <h3 id={id}>{s('actionsTitle')}</h3>
      {stale && <p className="muted">{s('staleNote')}</p>}
      {approve && (
        <div className="payout-action-row">
          <Input
            className="payout-note"
            aria-label={s('approveNote')}
            placeholder={s('approveNote')}
            value={note}
            maxLength={APPROVE_NOTE.maxLength}
            disabled={!approve.available}
            onChange={(e) => setNote(e.target.value)}
            onPressEnter={doApprove}
          />
          <Button
            type="primary"
            onClick={doApprove}
            disabled={!canApprove}
            loading={busy}
            aria-describedby={reasonId(approve)}
            aria-keyshortcuts="a"
            data-testid="payout-approve"
          >
            {second ? s('approveSecond') : s('approve')} (A)
          </Button>
          {reject && (
            <Button
              danger
              onClick={() => setRejecting(true)}
              disabled={!canReject}
              aria-describedby={reasonId(reject)}
              aria-keyshortcuts="r"
              data-testid="payout-reject"
            >
              {s('reject')} (R)
            </Button>
          )}
        </div>
      )}
      {!approve && reject && (
        <div className="payout-action-row">
          <Button
            danger
            onClick={() => setRejecting(true)}
            disabled={!canReject}
            aria-describedby={reasonId(reject)}
            data-testid="payout-reject"
          >
            {s('reject')} (R)
          </Button>
        </div>
      )}
      {closeFailed && (
        <div className="payout-action-row">
          <Input
            className="payout-note"
            aria-label={s('closeFailedNote')}
            placeholder={s('closeFailedNote')}
            value={closeNote}
            maxLength={CLOSE_NOTE.maxLength}
            disabled={!closeFailed.available}
            onChange={(e) => setCloseNote(e.target.value)}
          />
          <Button
            onClick={doClose}
            disabled={!canClose}
            aria-describedby={reasonId(closeFailed)}
            aria-keyshortcuts="c"
            data-testid="payout-close-failed"
          >
            {s('closeFailed')} (C)
          </Button>
        </div>
      )}
      {reasons.map((r, i) => (
        <p
          key={r.key}
          id={`${id}-reason-${i}`}
          className="payout-unavailable"
          data-testid="payout-unavailable"
        >
          {s('unavailable', { reason: pick(r.text) })}
        </p>
      ))}
      <Modal
        open={confirming}
        title={second ? s('confirmSecondTitle') : s('confirmTitle')}
        onCancel={() => setConfirming(false)}
        onOk={sendApproval}
        okText={s('confirmOk', { amount: formatFen(d.payout.amountFen) })}
        cancelText={s('cancel')}
        okButtonProps={{ loading: busy, ...{ 'data-testid': 'payout-approve-confirm' } }}
        cancelButtonProps={{ ...{ 'data-testid': 'payout-approve-cancel' } }}
        destroyOnHidden
      >
        <div data-testid="payout-approve-confirmation">
          <p>
            <strong>
              {s('confirmBody', {
                amount: formatFen(d.payout.amountFen),
                payee: d.payout.account.name,
                account: d.payout.account.numberMasked,
              })}
            </strong>
          </p>
          <p>{second ? s('confirmSecond') : s('confirmLarge')}</p>
        </div>
      </Modal>
      <RejectDialog
        open={rejecting}
        busy={busy}
        onClose={() => setRejecting(false)}
        onSubmit={async (reason) => {
          const outcome = await attempt('reject_payout', { reason });
          if (!outcome.ok) return outcome.problem.message;
          setRejecting(false);
          return null;
        }}
      />
    </section>
  );
}

/** The reason is required (the user reads it): an empty one is refused here and nothing is sent. */
function RejectDialog({
  open,
  busy,
  onClose,
  onSubmit,
}: {
  open: boolean;
  /** The refusal or the answer is on its way. */
  busy: boolean;
  onClose: () => void;
  onSubmit: (reason: string) => Promise<Refusal | null>;
}) {
  const s = usePayoutStrings();
  const { pick } = useT();
  const id = useId();
  const [reason, setReason] = useState('');
  const [invalid, setInvalid] = useState(false);
  const [problem, setProblem] = useState<Refusal | null>(null);
  const field = useRef<GetRef<typeof Input.TextArea>>(null);
  const templates = [s('rejectTemplate1'), s('rejectTemplate2'), s('rejectTemplate3')];

  const submit = async () => {
    const trimmed = reason.trim();
    if (trimmed.length < REJECT_REASON.minLength) {
      setInvalid(true);
      field.current?.focus();
      return;
    }
    const refused = await onSubmit(trimmed);
    setProblem(refused);
    if (!refused) {
      setReason('');
      setInvalid(false);
    }
  };

  return (
    <Modal
      open={open}
      title={s('rejectTitle')}
      onCancel={onClose}
      onOk={() => void submit()}
      okText={s('rejectSubmit')}
      cancelText={s('cancel')}
      okButtonProps={{ danger: true, loading: busy, ...{ 'data-testid': 'payout-reject-submit' } }}
      afterOpenChange={(visible) => visible && field.current?.focus()}
      destroyOnHidden
    >
      <div className="payout-reject-form">
        <label htmlFor={`${id}-reason`}>{s('rejectReason')}</label>
        <Input.TextArea
          id={`${id}-reason`}
          ref={field}
          rows={3}
          maxLength={REJECT_REASON.maxLength}
          value={reason}
          status={invalid ? 'error' : undefined}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-error` : undefined}
          onChange={(e) => {
            setReason(e.target.value);
            if (e.target.value.trim()) setInvalid(false);
          }}
          data-testid="payout-reject-reason"
        />
        {invalid && (
          <p id={`${id}-error`} role="alert" className="payout-field-error">
            {s('rejectReasonRequired')}
          </p>
        )}
        <fieldset className="payout-templates">
          <legend>{s('rejectTemplates')}</legend>
          <Space wrap>
            {templates.map((t) => (
              <Button
                key={t}
                size="small"
                onClick={() => {
                  setReason(t);
                  setInvalid(false);
                }}
              >
                {t}
              </Button>
            ))}
          </Space>
        </fieldset>
        {problem && <Alert type="error" showIcon role="alert" title={pick(problem)} />}
      </div>
    </Modal>
  );
}
