import { fieldLimits } from '@jiangxin/shared/forms';
import { fenToYuan, platformFee } from '@jiangxin/shared/money';
import type { CaseActionFields } from '@jiangxin/shared/ops/actions';
import type { CaseActionOffer } from '@jiangxin/shared/ops/cases';
import { type DisputeOutcome, disputeResolveBodySchema } from '@jiangxin/shared/ops/disputes';
import { Alert, Button, Input, type InputRef } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useId, useRef, useState } from 'react';
import { formatFen } from '../../format';
import { OfferButton } from '../../kit/actions';
import { type AmountProblem, parseYuanInput, restOf, type SplitCheck, validateSplit } from './split';
import { useDisputeStrings } from './strings';

type S = ReturnType<typeof useDisputeStrings>;

/** The resolution's note, as the `resolve` action's schema takes it. */
const NOTE = fieldLimits(disputeResolveBodySchema, 'note');

const PROBLEM_KEYS: Record<AmountProblem, Parameters<S>[0]> = {
  required: 'amountRequired',
  not_a_number: 'amountNotANumber',
  decimals: 'amountDecimals',
  negative: 'amountNegative',
  zero: 'amountZero',
  too_large: 'amountTooLarge',
};

/** What is wrong with one amount, in words ("金额最多两位小数"). */
export function amountProblemText(s: S, problem: AmountProblem, escrowFen: number): string {
  return s(PROBLEM_KEYS[problem], { escrow: formatFen(escrowFen) });
}

/** The first typed amount that is wrong (not merely empty), named by its field: "退款给雇主：金额最多两位小数". */
function namedProblem(s: S, check: SplitCheck, escrowFen: number): string | null {
  if (check.ok) return null;
  const problems = [
    ['fieldRefund', check.refundProblem],
    ['fieldRelease', check.releaseProblem],
  ] as const;
  for (const [field, problem] of problems)
    if (problem && problem !== 'required')
      return s('fieldProblem', { field: s(field), problem: amountProblemText(s, problem, escrowFen) });
  return null;
}

/**
 * "还差 ¥12.00" / "多出 ¥3.00" / "合计 ¥500.00，正好等于托管金额"; a malformed amount is named with its
 * field; only when an amount is simply missing does it ask for both.
 */
export function splitStatusText(s: S, check: SplitCheck, escrowFen: number): string {
  const remainder = check.ok ? 0 : check.remainderFen;
  const named = namedProblem(s, check, escrowFen);
  if (named !== null && remainder === null) return named;
  if (remainder === null) return s('splitNeedsBoth', { amount: formatFen(escrowFen) });
  if (remainder > 0) return s('splitShort', { amount: formatFen(remainder) });
  if (remainder < 0) return s('splitOver', { amount: formatFen(-remainder) });
  return s('splitExact', { amount: formatFen(escrowFen) });
}

/**
 * The resolve form of an open dispute: full refund, full release, or a split typed in yuan whose two
 * amounts must parse to fen and add up exactly to the escrow before anything is sent (the difference is
 * shown as it is typed), plus the note both parties see. Sends `resolve` with integer fen.
 */
export function ResolveForm({
  escrowFen,
  platformFeeBps,
  needsSecondApproval,
  secondApprovalThresholdFen,
  offer,
  busy,
  onResolve,
}: {
  escrowFen: number;
  platformFeeBps: number;
  needsSecondApproval: boolean;
  secondApprovalThresholdFen: number;
  offer: CaseActionOffer | undefined;
  busy: boolean;
  onResolve: (fields: CaseActionFields<'dispute', 'resolve'>) => void;
}) {
  const s = useDisputeStrings();
  const id = useId();
  const [outcome, setOutcome] = useState<DisputeOutcome | ''>('');
  const [refund, setRefund] = useState('');
  const [release, setRelease] = useState('');
  const [note, setNote] = useState('');
  const [attempted, setAttempted] = useState(false);
  /**
   * Which check stopped the last submit. Its words are derived from the form as it is NOW (not kept as
   * text), so fixing the amounts or the note makes the message go away at once.
   */
  const [blocked, setBlocked] = useState<'outcome' | 'split' | 'note' | null>(null);
  const refundRef = useRef<InputRef>(null);
  const noteRef = useRef<TextAreaRef>(null);

  const check = validateSplit(refund, release, escrowFen);
  const releaseFen = check.releaseFen;
  const fee = releaseFen !== null && releaseFen > 0 ? platformFee(releaseFen, platformFeeBps) : null;

  const amountProblem = (which: 'refund' | 'release'): AmountProblem | null => {
    if (check.ok) return null;
    const p = which === 'refund' ? check.refundProblem : check.releaseProblem;
    // "Required" only once they tried to send; a malformed amount is said at once.
    return p === 'required' && !attempted ? null : p;
  };

  const text = note.trim();
  const noteShort = text.length < NOTE.minLength;
  const splitError = (): string | null => {
    if (check.ok) return null;
    const fieldProblem = check.refundProblem ?? check.releaseProblem;
    if (!fieldProblem && check.remainderFen !== null)
      return s('splitMismatch', { escrow: formatFen(escrowFen), diff: splitStatusText(s, check, escrowFen) });
    const named = namedProblem(s, check, escrowFen);
    return named ? `${named}。${s('splitFix')}` : s('splitFix');
  };
  const blockedText = (): string | null => {
    switch (blocked) {
      case 'outcome':
        return outcome ? null : s('splitFix');
      case 'split':
        return outcome === 'split' ? splitError() : null;
      case 'note':
        return noteShort ? s('noteRequired') : null;
      default:
        return null;
    }
  };
  const error = blockedText();

  const submit = () => {
    setAttempted(true);
    if (!outcome) {
      setBlocked('outcome');
      return;
    }
    if (outcome === 'split' && !check.ok) {
      setBlocked('split');
      refundRef.current?.focus();
      return;
    }
    if (noteShort) {
      setBlocked('note');
      noteRef.current?.focus();
      return;
    }
    setBlocked(null);
    if (outcome === 'split' && check.ok)
      onResolve({ outcome, refundFen: check.refundFen, releaseFen: check.releaseFen, note: text });
    else onResolve({ outcome, note: text });
  };

  const refundProblem = amountProblem('refund');
  const releaseProblem = amountProblem('release');
  const fillRest = (which: 'refund' | 'release') => {
    const other = restOf(escrowFen, parseYuanInput(which === 'release' ? refund : release));
    if (other === null) return;
    if (which === 'release') setRelease(fenToYuan(other));
    else setRefund(fenToYuan(other));
  };

  return (
    <form
      className="decision-form resolve-form"
      aria-label={s('resolutionHeading')}
      data-testid="dispute-resolve-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {needsSecondApproval && (
        <Alert
          type="info"
          showIcon
          title={s('secondApprovalNeeded', { threshold: formatFen(secondApprovalThresholdFen) })}
          data-testid="dispute-needs-second-approval"
        />
      )}
      <fieldset>
        <legend>{s('outcomeLegend')}</legend>
        {(
          [
            ['refund', s('refundAll', { amount: formatFen(escrowFen) })],
            ['release', s('releaseAll', { amount: formatFen(escrowFen) })],
            ['split', s('splitBoth')],
          ] as const
        ).map(([value, label]) => (
          <label key={value} className="radio-line">
            <input
              type="radio"
              name={`${id}-outcome`}
              value={value}
              checked={outcome === value}
              data-testid={`dispute-outcome-${value}`}
              onChange={() => {
                setOutcome(value);
                setBlocked(null);
              }}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {outcome === 'split' && (
        <fieldset className="split-fields" data-testid="dispute-split">
          <legend>{s('splitBoth')}</legend>
          <div className="split-row">
            <label htmlFor={`${id}-refund`}>{s('splitRefund')}</label>
            <Input
              id={`${id}-refund`}
              ref={refundRef}
              prefix="¥"
              inputMode="decimal"
              autoComplete="off"
              data-testid="dispute-split-refund"
              value={refund}
              status={refundProblem ? 'error' : undefined}
              aria-invalid={refundProblem !== null}
              aria-describedby={refundProblem ? `${id}-refund-error` : undefined}
              onChange={(e) => setRefund(e.target.value)}
            />
            <Button size="small" onClick={() => fillRest('refund')} data-testid="dispute-rest-refund">
              {s('restToRefund')}
            </Button>
            {refundProblem && (
              <span id={`${id}-refund-error`} className="field-error">
                {amountProblemText(s, refundProblem, escrowFen)}
              </span>
            )}
          </div>
          <div className="split-row">
            <label htmlFor={`${id}-release`}>{s('splitRelease')}</label>
            <Input
              id={`${id}-release`}
              prefix="¥"
              inputMode="decimal"
              autoComplete="off"
              data-testid="dispute-split-release"
              value={release}
              status={releaseProblem ? 'error' : undefined}
              aria-invalid={releaseProblem !== null}
              aria-describedby={releaseProblem ? `${id}-release-error` : undefined}
              onChange={(e) => setRelease(e.target.value)}
            />
            <Button size="small" onClick={() => fillRest('release')} data-testid="dispute-rest-release">
              {s('restToRelease')}
            </Button>
            {releaseProblem && (
              <span id={`${id}-release-error`} className="field-error">
                {amountProblemText(s, releaseProblem, escrowFen)}
              </span>
            )}
          </div>
          <output
            className={check.ok ? 'split-status exact' : 'split-status off'}
            data-testid="dispute-split-status"
            data-remainder-fen={check.ok ? 0 : (check.remainderFen ?? '')}
          >
            {check.ok ? '✓ ' : '≠ '}
            {splitStatusText(s, check, escrowFen)}
          </output>
          {fee !== null && releaseFen !== null && (
            <p className="muted">
              {s('freelancerNet', { net: formatFen(releaseFen - fee), fee: formatFen(fee) })}
            </p>
          )}
        </fieldset>
      )}
      <label htmlFor={`${id}-note`}>{s('resolutionNote')}</label>
      <Input.TextArea
        id={`${id}-note`}
        ref={noteRef}
        data-testid="dispute-note"
        value={note}
        maxLength={NOTE.maxLength}
        showCount
        rows={3}
        onChange={(e) => setNote(e.target.value)}
      />
      {error && (
        <p className="form-error" role="alert" data-testid="dispute-resolve-error">
          {error}
        </p>
      )}
      <OfferButton
        offer={offer}
        type="primary"
        htmlType="submit"
        loading={busy}
        data-testid="dispute-resolve"
      >
        {needsSecondApproval ? s('propose') : s('resolve')}
      </OfferButton>
    </form>
  );
}
