import { fieldLimits } from '@jiangxin/shared/forms';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { type BatchApproveResult, batchApproveBodySchema } from '@jiangxin/shared/ops/payouts';
import { Alert, Button, Checkbox, Modal } from 'antd';
import { useState } from 'react';
import { useBridge } from '../../bridge';
import { useAction } from '../../calls';
import { formatFen } from '../../format';
import { useT } from '../../i18n';
import { CaseTitle } from '../../kit/case-title';
import type { QueueBulkActionProps } from '../../kit/pane';
import { usePayoutStrings } from './strings';
import './payouts.css';

type ItemResult = BatchApproveResult['results'][number];

/** The core takes at most this many items per request; a larger selection goes in several. */
const BATCH_LIMIT = fieldLimits(batchApproveBodySchema, 'items').maxItems ?? 100;

/** Stages in which a payout takes an approval (the core refuses the others). */
const AWAITING = new Set(['awaiting_approval', 'awaiting_second_approval']);

/** Why the core will refuse to approve this payout for `me`, known before sending; null when it should pass. */
function willFail(c: CaseSummary, me: number): 'batchFailMine' | 'batchFailOwn' | 'batchFailStage' | null {
  if (c.status === 'resolved' || !AWAITING.has(c.stage)) return 'batchFailStage';
  if (c.userId === me) return 'batchFailOwn';
  const approvals = Array.isArray(c.summary['approvals']) ? (c.summary['approvals'] as unknown[]) : [];
  // Maker-checker: the second approval must come from someone else.
  if (approvals.some((a) => (a as { staffId?: unknown } | null)?.staffId === me)) return 'batchFailMine';
  return null;
}

/**
 * Finance's batch approve on the payouts queue: a confirmation listing the selected payouts and their
 * total — warning first about each payout the core will refuse (one I already approved, my own withdrawal,
 * one no longer awaiting approval) and leaving them out unless the person keeps them — then
 * `payouts.batchApprove` (each item approved in its own transaction at the core), then one
 * line per item — approved, waiting for a second approver, or refused with the core's reason. The
 * selection is cleared when the person closes the results.
 */
export function BatchApprove({ selected, session, clear }: QueueBulkActionProps) {
  const bridge = useBridge();
  const s = usePayoutStrings();
  const { pick, locale } = useT();
  const [open, setOpen] = useState(false);
  const [results, setResults] = useState<ItemResult[] | null>(null);
  const [leaveOut, setLeaveOut] = useState(true);
  const payouts = selected.filter((c) => c.kind === 'payout');
  const failing = payouts.flatMap((c) => {
    const why = willFail(c, session.userId);
    return why ? [{ c, why }] : [];
  });
  const items = leaveOut ? payouts.filter((c) => !failing.some((f) => f.c.id === c.id)) : payouts;
  const total = items.reduce((sum, c) => sum + (c.amountFen ?? 0), 0);
  const byId = new Map(payouts.map((c) => [c.id, c]));

  // Chunk by chunk into `done`: a refusal part-way keeps the results of the chunks before it.
  const approve = useAction(async (done: ItemResult[]) => {
    for (let i = 0; i < items.length; i += BATCH_LIMIT) {
      const chunk = items.slice(i, i + BATCH_LIMIT).map((c) => ({ caseId: c.id, version: c.version }));
      const answer = await bridge.call('payouts.batchApprove', { items: chunk });
      done.push(...answer.results);
    }
  });
  const sending = approve.busy;
  const send = async () => {
    const done: ItemResult[] = [];
    await approve.run(done);
    if (done.length > 0) setResults(done);
  };

  const finish = () => {
    const hadResults = results !== null;
    setOpen(false);
    setResults(null);
    setLeaveOut(true);
    approve.reset();
    if (hadResults) clear();
  };

  const outcome = (r: ItemResult): string => {
    if (!r.ok) return s('batchRefused', { reason: r.reason ? pick(r.reason) : (r.message ?? r.code ?? '—') });
    if (r.stage === 'executing') return s('batchApproved');
    if (r.stage === 'awaiting_second_approval') return s('batchSecond');
    return s('batchOkOther');
  };
  const okCount = results?.filter((r) => r.ok).length ?? 0;

  return (
    <>
      <Button
        type="primary"
        onClick={() => setOpen(true)}
        disabled={payouts.length === 0}
        data-testid="batch-approve"
      >
        {s('batchButton', { n: payouts.length })}
      </Button>
      <Modal
        open={open}
        title={s('batchTitle')}
        onCancel={finish}
        destroyOnHidden
        footer={
          results
            ? [
                <Button key="done" type="primary" onClick={finish} data-testid="batch-done">
                  {s('batchDone')}
                </Button>,
              ]
            : [
                <Button key="cancel" onClick={finish} disabled={sending}>
                  {s('cancel')}
                </Button>,
                <Button
                  key="ok"
                  type="primary"
                  loading={sending}
                  disabled={items.length === 0}
                  onClick={() => void send()}
                  data-testid="batch-approve-confirm"
                >
                  {sending ? s('batchSending') : s('batchConfirm', { n: items.length })}
                </Button>,
              ]
        }
      >
        {results ? (
          <div data-testid="batch-results">
            <output className="batch-summary">
              <strong>{s('batchResultsTitle', { ok: okCount, failed: results.length - okCount })}</strong>
            </output>
            <ul className="batch-list">
              {results.map((r) => {
                const c = byId.get(r.caseId);
                return (
                  <li
                    key={r.caseId}
                    className={r.ok ? 'batch-ok' : 'batch-refused'}
                    data-case-id={r.caseId}
                    data-ok={r.ok}
                  >
                    <span className="batch-item">
                      {c ? <CaseTitle c={c} locale={locale} /> : s('batchCaseLabel', { id: r.caseId })}
                    </span>
                    <span className="batch-outcome">
                      <strong>{r.ok ? '✓' : '✗'}</strong> {outcome(r)}
                    </span>
                  </li>
                );
              })}
            </ul>
          </div>
        ) : (
          <div data-testid="batch-confirm">
            {failing.length > 0 && (
              <Alert
                type="warning"
                showIcon
                data-testid="batch-will-fail"
                title={s('batchWillFail', { n: failing.length })}
                description={
                  <>
                    <ul className="batch-list">
                      {failing.map(({ c, why }) => (
                        <li key={c.id} data-case-id={c.id}>
                          <span className="batch-item">
                            #{c.id} <CaseTitle c={c} locale={locale} />
                          </span>
                          <span className="batch-outcome">{s(why)}</span>
                        </li>
                      ))}
                    </ul>
                    <Checkbox
                      checked={leaveOut}
                      onChange={(e) => setLeaveOut(e.target.checked)}
                      data-testid="batch-leave-out"
                    >
                      {s('batchLeaveOut', { n: failing.length })}
                    </Checkbox>
                  </>
                }
              />
            )}
            {items.length === 0 ? (
              <p>{s('batchNothingLeft')}</p>
            ) : (
              <p>{s('batchIntro', { n: items.length, total: formatFen(total) })}</p>
            )}
            <ul className="batch-list">
              {items.map((c) => (
                <li key={c.id} data-case-id={c.id}>
                  <span className="batch-item">
                    #{c.id} <CaseTitle c={c} locale={locale} />
                  </span>
                  <span className="num">{c.amountFen === null ? '—' : formatFen(c.amountFen)}</span>
                </li>
              ))}
            </ul>
            <p className="batch-total">
              <strong>{s('batchTotal', { total: formatFen(total) })}</strong>
            </p>
          </div>
        )}
        {approve.error && (
          <Alert type="error" showIcon role="alert" title={approve.error} data-testid="batch-error" />
        )}
      </Modal>
    </>
  );
}
