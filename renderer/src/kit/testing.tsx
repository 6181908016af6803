import { type ActionReceipt, BridgeCallError, type ConsoleSession } from '@jiangxin/shared/bridge';
import type { CaseActionOffer, CaseDetail, CaseKind, CaseSummary } from '@jiangxin/shared/ops/cases';
import type { ListingReviewDetail, ScanHit, ScanHitKind } from '@jiangxin/shared/ops/moderation';
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

/** A hit as the scanner stores it: offsets of `match` in `text` (its first occurrence). */
export function hitIn(text: string, kind: ScanHitKind, match: string, category?: string): ScanHit {
  const start = text.indexOf(match);
  if (start < 0) throw new Error(`"${match}" is not in the text`);
  return { kind, match, start, end: start + match.length, ...(category ? { category } : {}) };
}

export const DESCRIPTION = '为您的品牌设计独特的标志，包含源文件。有问题加我微信 abc_12345 详聊。';
const STANDARD = '3 个方案，急单请打电话 138 0013 8000';

/** A listing under review with a leaked WeChat id and phone number, its seller and their history. */
export function listingDetail(over: Partial<ListingReviewDetail> = {}): ListingReviewDetail {
  return {
    listing: {
      id: 31,
      title: 'Logo design',
      titleZh: '品牌LOGO设计',
      description: DESCRIPTION,
      status: 'pending_review',
      reviewNote: null,
      category: { id: 3, name: 'Logo design', nameZh: '标志设计' },
      submittedAt: '2026-11-26T05:00:00.000Z',
      packages: [
        {
          tier: 'basic',
          title: '基础款',
          description: '1 个方案',
          priceFen: 50_000,
          deliveryDays: 3,
          revisions: 1,
        },
        {
          tier: 'standard',
          title: '标准款',
          description: STANDARD,
          priceFen: 120_000,
          deliveryDays: 5,
          revisions: 3,
        },
      ],
    },
    hits: {
      description: [hitIn(DESCRIPTION, 'wechat', '微信 abc_12345')],
      'packages.standard.description': [hitIn(STANDARD, 'phone', '138 0013 8000')],
    },
    seller: {
      id: 88,
      username: 'designer88',
      nickname: '设计师小王',
      status: 'active',
      suspendedUntil: null,
      createdAt: '2026-01-02T00:00:00.000Z',
      accountAgeDays: 328,
      listings: { total: 5, published: 3, rejected: 2, suspended: 0 },
      completedOrders: 12,
      sanctions: [
        {
          id: 9,
          userId: 88,
          kind: 'warn',
          status: 'active',
          reason: 'contact_info',
          reasonText: { zh: '留联系方式 / 引导站外交易', en: 'Contact details / dealing off the platform' },
          note: '首次提醒',
          days: null,
          startsAt: '2026-10-01T00:00:00.000Z',
          endsAt: null,
          caseId: 300,
          subjectType: 'message',
          subjectId: 77,
          createdBy: 5,
          createdAt: '2026-10-01T00:00:00.000Z',
          revokedAt: null,
          revokedBy: null,
          revokeNote: null,
        },
      ],
    },
    pastReviews: [
      {
        caseId: 650,
        serviceId: 29,
        title: '旧的LOGO服务',
        outcome: 'rejected',
        rejectReason: 'contact_info',
        resolvedAt: '2026-11-01T00:00:00.000Z',
      },
    ],
    ...over,
  };
}
