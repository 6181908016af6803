import { fieldLimits } from '@jiangxin/shared/forms';
import {
  RECONCILIATION_MOVEMENT_LABELS,
  RECONCILIATION_PROBLEM_LABELS,
  type ReconciliationMismatchDetail,
  reconciliationMismatchDetailSchema,
  resolveMismatchBodySchema,
} from '@jiangxin/shared/ops/payouts';
import { Alert, Button, type GetRef, Input } from 'antd';
import { useId, useRef, useState } from 'react';
import { formatDateTime, formatFen } from '../../format';
import { colon, paren, useT } from '../../i18n';
import { offerShortcut, usePerformAction } from '../../kit/actions';
import { CustomerLink, OrderLink } from '../../kit/links';
import type { CasePaneProps } from '../../kit/pane';
import { UserText } from '../../kit/UserText';
import { SHORTCUT_PRIORITY, useShortcut } from '../../shortcuts';
import { LEDGER_RECORD_LABELS, PROVIDER_LABELS, REFERENCE_NAMES, recordStatusLabel } from './labels';
import { usePayoutStrings } from './strings';
import './payouts.css';

/**
 * A reconciliation mismatch: one money movement as the platform's ledger and the gateway's statement of
 * that day each record it, side by side, with what the platform holds under the reference; resolved with
 * a note saying what was found and done.
 */
export function ReconciliationPane({
  detail,
  stale,
  perform,
  offer,
}: CasePaneProps<'reconciliation_mismatch'>) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const titleId = useId();
  const parsed = reconciliationMismatchDetailSchema.safeParse(detail.detail);
  if (!parsed.success)
    return <Alert type="error" showIcon title={s('detailUnreadable')} data-testid="recon-unreadable" />;
  const { mismatch: m, ledgerRecord } = parsed.data;
  const referenceName = pick(REFERENCE_NAMES[m.kind]);
  const difference =
    m.ledgerAmountFen !== null && m.gatewayAmountFen !== null ? m.gatewayAmountFen - m.ledgerAmountFen : null;

  return (
    <div className="payout-pane" data-testid="recon-pane">
      <section aria-labelledby={titleId} className="payout-section">
        <h3 id={titleId}>{s('mismatchTitle')}</h3>
        <Alert
          type="warning"
          showIcon
          role="note"
          data-testid="recon-problem"
          title={`${s('problem')}${colon(locale)}${pick(RECONCILIATION_PROBLEM_LABELS[m.problem])}`}
        />
        <dl className="payout-facts">
          <div>
            <dt>{s('statementDay')}</dt>
            <dd>{m.day}</dd>
          </div>
          <div>
            <dt>{s('provider')}</dt>
            <dd>{pick(PROVIDER_LABELS[m.provider])}</dd>
          </div>
          <div>
            <dt>{s('movement')}</dt>
            <dd>{pick(RECONCILIATION_MOVEMENT_LABELS[m.kind])}</dd>
          </div>
          <div>
            <dt>
              {s('reference')}
              {paren(locale, referenceName)}
            </dt>
            <dd className="payout-mono" data-testid="recon-reference">
              <UserText>{m.reference}</UserText>
            </dd>
          </div>
          <div>
            <dt>{s('foundAt')}</dt>
            <dd>{formatDateTime(m.createdAt, locale)}</dd>
          </div>
        </dl>
      </section>
      <div className="recon-sides">
        <LedgerSide m={m} record={ledgerRecord} />
        <GatewaySide m={m} referenceName={referenceName} />
      </div>
      {difference !== null && (
        <p className="recon-difference" data-testid="recon-difference">
          <strong>{s('difference', { amount: formatFen(difference) })}</strong>
        </p>
      )}
      <ResolveForm stale={stale} perform={perform} offer={offer} />
    </div>
  );
}

type Mismatch = ReconciliationMismatchDetail['mismatch'];

function LedgerSide({ m, record }: { m: Mismatch; record: ReconciliationMismatchDetail['ledgerRecord'] }) {
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const id = useId();
  return (
    <section aria-labelledby={id} className="recon-side" data-testid="recon-ledger">
      <h4 id={id}>{s('ledgerSide')}</h4>
      <dl className="payout-facts">
        <div>
          <dt>{s('sideAmount')}</dt>
          <dd className="num">
            {m.ledgerAmountFen === null ? s('sideMissing') : formatFen(m.ledgerAmountFen)}
          </dd>
        </div>
        <div>
          <dt>{s('ledgerRecord')}</dt>
          <dd>
            {record ? `${pick(LEDGER_RECORD_LABELS[record.type])} #${record.id}` : s('ledgerRecordNone')}
          </dd>
        </div>
        {record && (
          <>
            <div>
              <dt>{s('recordStatus')}</dt>
              <dd>{pick(recordStatusLabel(record))}</dd>
            </div>
            {record.amountFen !== m.ledgerAmountFen && (
              <div>
                <dt>{s('amount')}</dt>
                <dd className="num">{formatFen(record.amountFen)}</dd>
              </div>
            )}
            {record.orderId !== null && (
              <div>
                <dt>{s('recordOrder')}</dt>
                <dd>
                  <OrderLink orderId={record.orderId}>#{record.orderId}</OrderLink>
                </dd>
              </div>
            )}
            {record.userId !== null && (
              <div>
                <dt>{s('recordUser')}</dt>
                <dd>
                  <CustomerLink userId={record.userId}>#{record.userId}</CustomerLink>
                </dd>
              </div>
            )}
            <div>
              <dt>{s('recordCreated')}</dt>
              <dd>{formatDateTime(record.createdAt, locale)}</dd>
            </div>
            <div>
              <dt>{s('recordSettled')}</dt>
              <dd>{record.settledAt ? formatDateTime(record.settledAt, locale) : '—'}</dd>
            </div>
          </>
        )}
      </dl>
    </section>
  );
}

function GatewaySide({ m, referenceName }: { m: Mismatch; referenceName: string }) {
  const s = usePayoutStrings();
  const { pick } = useT();
  const id = useId();
  const amount =
    m.gatewayAmountFen !== null
      ? formatFen(m.gatewayAmountFen)
      : m.problem === 'status_differs'
        ? s('sideFailed')
        : s('sideMissing');
  return (
    <section aria-labelledby={id} className="recon-side" data-testid="recon-gateway">
      <h4 id={id}>{s('gatewaySide')}</h4>
      <dl className="payout-facts">
        <div>
          <dt>{s('sideAmount')}</dt>
          <dd className="num">{amount}</dd>
        </div>
        <div>
          <dt>{s('provider')}</dt>
          <dd>{pick(PROVIDER_LABELS[m.provider])}</dd>
        </div>
        <div>
          <dt>{referenceName}</dt>
          <dd className="payout-mono">
            <UserText>{m.reference}</UserText>
          </dd>
        </div>
        <div>
          <dt>{s('statementDay')}</dt>
          <dd>{s('statementOf', { day: m.day })}</dd>
        </div>
      </dl>
    </section>
  );
}

/** The `resolve` action's note, as its schema takes it. */
const NOTE = fieldLimits(resolveMismatchBodySchema, 'note');

/** Resolve with a required note: an empty note is refused here and nothing is sent. */
function ResolveForm({
  stale,
  perform,
  offer,
}: Pick<CasePaneProps<'reconciliation_mismatch'>, 'stale' | 'perform' | 'offer'>) {
  const s = usePayoutStrings();
  const { pick } = useT();
  const id = useId();
  const [note, setNote] = useState('');
  const [invalid, setInvalid] = useState(false);
  const { busy, run } = usePerformAction(perform);
  const field = useRef<GetRef<typeof Input.TextArea>>(null);
  const resolve = offer('resolve');
  const canResolve = Boolean(resolve?.available) && !busy;

  const submit = async () => {
    if (!canResolve) return;
    const trimmed = note.trim();
    if (trimmed.length < NOTE.minLength) {
      setInvalid(true);
      field.current?.focus();
      return;
    }
    // A refusal is shown by the frame; the note stays for another try.
    if (await run('resolve', { note: trimmed })) setNote('');
  };
  useShortcut(
    'c',
    () => void submit(),
    { zh: '处理完毕', en: 'Resolve the mismatch' },
    { priority: SHORTCUT_PRIORITY.pane, ...offerShortcut(resolve) },
  );

  if (!resolve) return null;
  return (
    <section aria-labelledby={id} className="payout-section payout-actions">
      <h3 id={id}>{s('actionsTitle')}</h3>
      {stale && <p className="muted">{s('staleNote')}</p>}
      <label htmlFor={`${id}-note`}>{s('resolveNote')}</label>
      <Input.TextArea
        id={`${id}-note`}
        ref={field}
        rows={3}
        maxLength={NOTE.maxLength}
        value={note}
        disabled={!resolve.available}
        status={invalid ? 'error' : undefined}
        aria-invalid={invalid}
        aria-describedby={invalid ? `${id}-error` : undefined}
        onChange={(e) => {
          setNote(e.target.value);
          if (e.target.value.trim()) setInvalid(false);
        }}
        data-testid="recon-note"
      />
      {invalid && (
        <p id={`${id}-error`} role="alert" className="payout-field-error">
          {s('resolveNoteRequired')}
        </p>
      )}
      <div className="payout-action-row">
        <Button
          type="primary"
          onClick={() => void submit()}
          disabled={!canResolve}
          loading={busy}
          aria-describedby={!resolve.available && resolve.reason ? `${id}-reason` : undefined}
          aria-keyshortcuts="c"
          data-testid="recon-resolve"
        >
          {s('resolve')} (C)
        </Button>
      </div>
      {!resolve.available && resolve.reason && (
        <p id={`${id}-reason`} className="payout-unavailable">
          {s('unavailable', { reason: pick(resolve.reason) })}
        </p>
      )}
    </section>
  );
}
