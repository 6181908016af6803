import type { ActionReceipt, ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { ScanHit, ScanHitKind } from '@jiangxin/shared/ops/moderation';
import type { StaffRole } from '@jiangxin/shared/permissions';
import { permissionsOf } from '@jiangxin/shared/permissions';
import { type RenderResult, screen } from '@testing-library/react';
import { renderWithConsole, ScriptedBridge } from '../../test/render';
import type { CasePane, CasePaneProps } from '../cases/pane';

/**
 * Test fixtures for the moderation and dispute panes, and a stand-in for the case frame reduced to what a
 * pane relies on: `perform` goes through `cases.perform` with the case's version (as the frame does),
 * `offer` reads the detail's actions.
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

/** A hit as the scanner stores it: offsets of `match` in `text` (its first occurrence). */
export function hitIn(text: string, kind: ScanHitKind, match: string, category?: string): ScanHit {
  const start = text.indexOf(match);
  if (start < 0) throw new Error(`"${match}" is not in the text`);
  return { kind, match, start, end: start + match.length, ...(category ? { category } : {}) };
}

const receipt: ActionReceipt = { queued: false, outboxId: null, case: null, result: {} };

/** Renders `Pane` on a case of `kind` with `detail` and the offered `actions`; returns the bridge too. */
export function renderPane(
  Pane: CasePane,
  {
    kind,
    detail,
    actions,
    session = staffSession(7),
    caseOver = {},
    bridge = new ScriptedBridge().answer('cases.perform', () => receipt),
  }: {
    kind: CaseKind;
    detail: Record<string, unknown>;
    actions: CaseActionOffer[];
    session?: ConsoleSession;
    caseOver?: Partial<CaseSummary>;
    bridge?: ScriptedBridge;
  },
): RenderResult & { bridge: ScriptedBridge } {
  const caseDetail: CaseDetail = { case: caseSummary(kind, caseOver), history: [], actions, detail };
  const perform: CasePaneProps['perform'] = (action, fields = {}) =>
    bridge.call('cases.perform', {
      caseId: caseDetail.case.id,
      version: caseDetail.case.version,
      action,
      fields,
    });
  const offer = (action: string) => actions.find((a) => a.action === action);
  return renderWithConsole(
    <Pane detail={caseDetail} stale={false} mine={false} session={session} perform={perform} offer={offer} />,
    { bridge },
  );
}

/** The textarea / input / select a label names (antd wraps some controls; the label points at the control). */
export const field = (label: string | RegExp) => screen.getByLabelText(label) as HTMLInputElement;
