import { type ActionReceipt, BridgeCallError, type ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { permissionsOf } from '@jiangxin/shared/permissions';
import { type RenderResult, screen } from '@testing-library/react';
import { useBridge, useBridgeEvent } from '../bridge';
import { useAction, useBridgeQuery } from '../calls';
import { renderWithConsole, ScriptedBridge } from '../test/render';
import { type CasePane, performFor } from './pane';

/**
 * Test fixtures for every kind's pane, and stand-ins for the case frame reduced to what a pane relies on:
 * `perform` goes through `cases.perform` with the case's kind and version (as the frame does), `offer`
 * reads the detail's actions.
 */

export function staffSession(userId: number, roles: StaffRole[] = ['moderator']): ConsoleSession {
  return {
    userId,
    username: `staff${userId}`,
    nickname: `同事${userId}`,
    roles,
    permissions: permissionsOf(roles),
    coreUrl: 'http://core',
  };
}

export function caseSummary(kind: CaseKind, over: Partial<CaseSummary> = {}): CaseSummary {
  return {
    id: 701,
    kind,
    status: 'open',
    stage: 'submitted',
    priority: 2,
    assigneeId: null,
    assigneeName: null,
    version: 4,
    slaDueAt: '2026-11-27T10:00:00.000Z',
    slaBreached: false,
    subjectType: 'service',
    subjectId: 31,
    userId: 88,
    orderId: null,
    amountFen: null,
    title: '测试工单',
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

const receipt: ActionReceipt = { queued: false, outboxId: null, case: null, result: {} };

/** Renders `Pane` on a case of `kind` with `detail` and the offered `actions`; returns the bridge too. */
export function renderPane<K extends CaseKind>(
  Pane: CasePane<K>,
  {
    kind,
    detail,
    actions,
    session = staffSession(7),
    caseOver = {},
    bridge = new ScriptedBridge().answer('cases.perform', () => receipt),
  }: {
    kind: K;
    detail: Record<string, unknown>;
    actions: CaseActionOffer[];
    session?: ConsoleSession;
    caseOver?: Partial<CaseSummary>;
    bridge?: ScriptedBridge;
  },
): RenderResult & { bridge: ScriptedBridge } {
  const caseDetail: CaseDetail = { case: caseSummary(kind, caseOver), history: [], actions, detail };
  const perform = performFor(kind, (call) =>
    bridge.call('cases.perform', { caseId: caseDetail.case.id, version: caseDetail.case.version, ...call }),
  );
  const offer = (action: string) => actions.find((a) => a.action === action);
  return renderWithConsole(
    <Pane detail={caseDetail} stale={false} mine={false} session={session} perform={perform} offer={offer} />,
    { bridge },
  );
}

/**
 * The frame's part, reduced to what a pane relies on: the detail from `cases.get` (re-read on
 * `cases.changed`), `perform` through `cases.perform` with the case's kind and version, `offer` from the
 * actions, and the core's refusal shown above the pane.
 */
export function PaneHarness<K extends CaseKind>({
  kind,
  caseId,
  session,
  Pane,
}: {
  kind: K;
  caseId: number;
  session: ConsoleSession;
  Pane: CasePane<K>;
}) {
  const bridge = useBridge();
  const read = useBridgeQuery('cases.get', { caseId });
  const sent = useAction((call: () => Promise<ActionReceipt>) => call());
  useBridgeEvent('cases.changed', (c) => c.upserted.includes(caseId) && read.reload());
  const detail = read.data?.detail;
  if (!detail) return null;
  const perform = performFor(kind, async (call) => {
    const outcome = await sent.run(() =>
      bridge.call('cases.perform', { caseId, version: detail.case.version, ...call }),
    );
    if (!outcome.ok) throw new BridgeCallError(outcome.problem);
    return outcome.value;
  });
  return (
    <>
      {sent.error && <p role="alert">{sent.error}</p>}
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

/** The textarea / input / select a label names (antd wraps some controls; the label points at the control). */
export const field = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement;
