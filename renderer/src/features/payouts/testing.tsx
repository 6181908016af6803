import type { ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { useEffect, useState } from 'react';
import { problemOf, useBridge, useBridgeEvent } from '../../bridge';
import { useT } from '../../i18n';
import type { CasePane, CasePaneProps } from '../cases/pane';

/** Test fixtures and a stand-in for the case frame: reads `cases.get`, acts through `cases.perform`. */

export const financeSession = (userId: number): ConsoleSession => ({
  userId,
  username: `fin${userId}`,
  nickname: `财务${userId}`,
  roles: ['finance'],
  permissions: ['payouts.view', 'payouts.approve', 'reconciliation.view'],
  coreUrl: 'http://core',
});

export function caseSummary(over: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 501,
    kind: 'payout',
    status: 'open',
    stage: 'awaiting_approval',
    priority: 1,
    assigneeId: null,
    assigneeName: null,
    version: 3,
    slaDueAt: '2026-11-27T10:00:00.000Z',
    slaBreached: false,
    subjectType: 'payout',
    subjectId: 41,
    userId: 88,
    orderId: null,
    amountFen: 600_000,
    title: '提现 ¥6000.00 · 设计师小王',
    summary: {},
    flags: [],
    outcome: null,
    createdAt: '2026-11-26T06:00:00.000Z',
    updatedAt: '2026-11-26T06:00:00.000Z',
    resolvedAt: null,
    ...over,
  };
}

export const offerOf = (action: string, reason?: { zh: string; en: string }): CaseActionOffer => ({
  action,
  available: !reason,
  reason: reason ?? null,
});

/**
 * The frame's part, reduced to what a pane relies on: the detail from `cases.get` (re-read on
 * `cases.changed`), `perform` through `cases.perform` with the case's version, `offer` from the actions.
 */
export function PaneHarness({
  caseId,
  session,
  Pane,
}: {
  caseId: number;
  session: ConsoleSession;
  Pane: CasePane;
}) {
  const bridge = useBridge();
  const { pick } = useT();
  const [detail, setDetail] = useState<CaseDetail | null>(null);
  const [reads, setReads] = useState(0);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `reads` re-reads after cases.changed
  useEffect(() => {
    void bridge.call('cases.get', { caseId }).then((r) => setDetail(r.detail));
  }, [bridge, caseId, reads]);
  useBridgeEvent('cases.changed', (c) => c.upserted.includes(caseId) && setReads((n) => n + 1));
  if (!detail) return null;
  const perform: CasePaneProps['perform'] = async (action, fields = {}) => {
    try {
      return await bridge.call('cases.perform', { caseId, version: detail.case.version, action, fields });
    } catch (err) {
      setError(pick(problemOf(err).message));
      throw err;
    }
  };
  return (
    <>
      {error && <p role="alert">{error}</p>}
      <Pane
        detail={detail}
        stale={false}
        mine={detail.case.assigneeId === session.userId}
        session={session}
        perform={perform}
        offer={(a) => detail.actions.find((o) => o.action === a)}
      />
    </>
  );
}
