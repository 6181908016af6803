import { formatFen } from '@jiangxin/shared/money';
import type { CaseFlag } from '@jiangxin/shared/ops/cases';
import { DISPUTE_OUTCOME_LABELS } from '@jiangxin/shared/ops/disputes';
import type { AppContext } from '../../platform/context';
import type { Staff } from '../../platform/http/auth';
import { AppError, type Localized } from '../../platform/http/problem';
import { scaledMs } from '../../platform/time';
import { openCase } from '../cases/commands';
import { type CaseRow, staffName } from '../cases/queries';
import { type CaseChange, defineCaseKind } from '../cases/registry';
import { getOpsSettings } from '../settings/settings';
import { type Decision, decide, executeDecision, lockDispute, recordDecision } from './commands';
import { disputeCaseDetail } from './queries';

/** A party disputing an order opens a `dispute` case, with the evidence deadline from the settings. */
export function registerDisputeReactions(ctx: AppContext): void {
  ctx.db.reactions.on('order.status_changed', 'cases.dispute.open', async (tx, e) => {
    if (e.action !== 'dispute') return;
    // The order's `dispute` action inserted this row in this very transaction: no other transaction can
    // see it yet, so it needs no lock (and one here, under the order, would run against the lock order
    // of platform/db/locks.ts, where the dispute comes before its order).
    const dispute = await tx
      .selectFrom('disputes')
      .selectAll()
      .where('order_id', '=', e.orderId)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (!dispute) return;
    const order = await tx
      .selectFrom('orders')
      .select(['amount_fen', 'service_title'])
      .where('id', '=', e.orderId)
      .executeTakeFirstOrThrow();
    const people = await tx
      .selectFrom('users')
      .select(['id', 'nickname'])
      .where('id', 'in', [e.clientId, e.freelancerId])
      .execute();
    const name = (id: number) => people.find((p) => p.id === id)?.nickname ?? '';
    const settings = await getOpsSettings(tx);
    const evidenceUntil = new Date(
      ctx.now().getTime() + scaledMs(ctx.env, settings.disputeEvidenceHours * 3_600_000),
    );
    await tx
      .updateTable('disputes')
      .set({ evidence_until: evidenceUntil })
      .where('id', '=', dispute.id)
      .execute();
    const large = order.amount_fen > settings.disputeSecondApprovalFen;
    const openedBySide = dispute.opened_by === e.clientId ? 'client' : 'freelancer';
    await openCase(ctx, tx, {
      kind: 'dispute',
      subjectType: 'dispute',
      subjectId: dispute.id,
      stage: 'open',
      title: `订单 ${e.orderNumber} 纠纷：${order.service_title}`,
      userId: dispute.opened_by,
      orderId: e.orderId,
      amountFen: order.amount_fen,
      priority: large ? 2 : 1,
      flags: large ? ['maker_checker'] : [],
      summary: {
        disputeId: dispute.id,
        orderNumber: e.orderNumber,
        serviceTitle: order.service_title,
        reason: dispute.reason,
        openedBy: dispute.opened_by,
        openedBySide,
        clientId: e.clientId,
        clientName: name(e.clientId),
        freelancerId: e.freelancerId,
        freelancerName: name(e.freelancerId),
        escrowFen: order.amount_fen,
        evidenceUntil: evidenceUntil.toISOString(),
        evidenceCount: 0,
        needsSecondApproval: large,
        proposal: null,
      },
      searchText: `${e.orderNumber} ${name(e.clientId)} ${name(e.freelancerId)} ${dispute.reason}`,
      note: dispute.reason.slice(0, 500),
    });
  });
}

interface Proposal {
  outcome: Decision['outcome'];
  refundFen: number;
  releaseFen: number;
  note: string;
  proposedBy: number;
  proposedByName: string | null;
  proposedAt: string;
}

const proposalOf = (c: CaseRow) => (c.summary['proposal'] ?? null) as Proposal | null;
const withoutFlag = (c: CaseRow, flag: CaseFlag) => (c.flags as CaseFlag[]).filter((f) => f !== flag);

function onlyWhenOpen(c: CaseRow): Localized | null {
  return c.stage === 'awaiting_second_approval'
    ? { zh: '已有待复核的裁决方案，请先复核或驳回', en: 'A proposed resolution awaits a second approval' }
    : null;
}

function onlyWhenProposed(c: CaseRow): Localized | null {
  return c.stage === 'awaiting_second_approval' && proposalOf(c)
    ? null
    : { zh: '没有待复核的裁决方案', en: 'No resolution awaits approval' };
}

const selfApproval = (): Localized => ({
  zh: '不能复核自己提出的裁决方案，须由另一位同事复核',
  en: 'You proposed this resolution; another member of staff must approve it',
});

/** The case change of an executed decision. */
function resolvedChange(
  c: CaseRow,
  d: Decision,
  feeFen: number,
  extra: { note: string; approvedBy?: number },
): CaseChange {
  const resolution = { outcome: d.outcome, refundFen: d.refundFen, releaseFen: d.releaseFen, feeFen };
  return {
    status: 'resolved',
    stage: d.outcome,
    outcome: d.outcome,
    flags: withoutFlag(c, 'second_approval_pending'),
    summary: { ...c.summary, proposal: null, resolution },
    note: extra.note,
    data: { ...resolution, ...(extra.approvedBy ? { approvedBy: extra.approvedBy } : {}) },
    result: { executed: true, ...resolution },
  };
}

export const disputeCases = defineCaseKind('dispute', {
  actions: {
    resolve: {
      check: onlyWhenOpen,
      run: async (ctx, tx, c, staff, body) => {
        const dispute = await lockDispute(tx, c.subject_id);
        if (dispute.status !== 'open')
          throw new AppError('dispute_closed', undefined, { disputeId: dispute.id });
        const order = await tx
          .selectFrom('orders')
          .select(['amount_fen', 'status'])
          .where('id', '=', dispute.order_id)
          .executeTakeFirstOrThrow();
        const decision = decide(body, order.amount_fen);
        const settings = await getOpsSettings(tx);
        const label = DISPUTE_OUTCOME_LABELS[decision.outcome].zh;
        const amounts = `退款 ${formatFen(decision.refundFen)}，放款 ${formatFen(decision.releaseFen)}`;
        if (order.amount_fen > settings.disputeSecondApprovalFen) {
          // Maker-checker: record the proposal and hand the case to a second approver.
          const now = ctx.now();
          await tx
            .updateTable('disputes')
            .set({
              proposal_outcome: decision.outcome,
              proposal_refund_fen: decision.refundFen,
              proposal_release_fen: decision.releaseFen,
              proposal_note: decision.note,
              proposed_by: staff.userId,
              proposed_at: now,
              approved_by: null,
            })
            .where('id', '=', dispute.id)
            .execute();
          await recordDecision(ctx, tx, dispute.id, 'proposed', staff.userId, decision);
          const proposal: Proposal = {
            outcome: decision.outcome,
            refundFen: decision.refundFen,
            releaseFen: decision.releaseFen,
            note: decision.note,
            proposedBy: staff.userId,
            proposedByName: await staffName(tx, staff.userId),
            proposedAt: now.toISOString(),
          };
          return {
            stage: 'awaiting_second_approval',
            flags: [
              ...new Set([
                ...(c.flags as CaseFlag[]),
                'maker_checker',
                'second_approval_pending',
              ] as CaseFlag[]),
            ],
            summary: { ...c.summary, proposal },
            release: true,
            note: `提议${label}（${amounts}），待复核：${decision.note}`,
            data: {
              outcome: decision.outcome,
              refundFen: decision.refundFen,
              releaseFen: decision.releaseFen,
            },
            result: { executed: false, awaitingSecondApproval: true },
          };
        }
        const { feeFen } = await executeDecision(ctx, tx, dispute, decision, {
          decidedBy: staff.userId,
          executedBy: staff.userId,
          approvedBy: null,
        });
        return resolvedChange(c, decision, feeFen, { note: `${label}（${amounts}）：${decision.note}` });
      },
    },
    approve_resolution: {
      check: (c: CaseRow, staff: Staff) =>
        onlyWhenProposed(c) ?? (proposalOf(c)?.proposedBy === staff.userId ? selfApproval() : null),
      run: async (ctx, tx, c, staff, body) => {
        const dispute = await lockDispute(tx, c.subject_id);
        if (dispute.status !== 'open')
          throw new AppError('dispute_closed', undefined, { disputeId: dispute.id });
        if (!dispute.proposal_outcome || dispute.proposed_by === null)
          throw new AppError('case_action_unavailable', {
            zh: '没有待复核的裁决方案',
            en: 'No resolution awaits approval',
          });
        if (dispute.proposed_by === staff.userId)
          throw new AppError('dispute_self_approval', selfApproval(), { proposedBy: dispute.proposed_by });
        const decision: Decision = {
          outcome: dispute.proposal_outcome,
          refundFen: dispute.proposal_refund_fen ?? 0,
          releaseFen: dispute.proposal_release_fen ?? 0,
          note: dispute.proposal_note ?? '',
        };
        await recordDecision(ctx, tx, dispute.id, 'approved', staff.userId, {
          ...decision,
          note: body.note ?? '',
        });
        const { feeFen } = await executeDecision(ctx, tx, dispute, decision, {
          decidedBy: dispute.proposed_by,
          executedBy: staff.userId,
          approvedBy: staff.userId,
        });
        const label = DISPUTE_OUTCOME_LABELS[decision.outcome].zh;
        return resolvedChange(c, decision, feeFen, {
          note: `复核通过，执行${label}${body.note ? `：${body.note}` : ''}`,
          approvedBy: staff.userId,
        });
      },
    },
    reject_resolution: {
      check: onlyWhenProposed,
      run: async (ctx, tx, c, staff, body) => {
        const dispute = await lockDispute(tx, c.subject_id);
        if (!dispute.proposal_outcome)
          throw new AppError('case_action_unavailable', {
            zh: '没有待复核的裁决方案',
            en: 'No resolution awaits approval',
          });
        await recordDecision(ctx, tx, dispute.id, 'rejected', staff.userId, {
          outcome: dispute.proposal_outcome,
          refundFen: dispute.proposal_refund_fen ?? 0,
          releaseFen: dispute.proposal_release_fen ?? 0,
          note: body.note,
        });
        await tx
          .updateTable('disputes')
          .set({
            proposal_outcome: null,
            proposal_refund_fen: null,
            proposal_release_fen: null,
            proposal_note: null,
            proposed_by: null,
            proposed_at: null,
          })
          .where('id', '=', dispute.id)
          .execute();
        return {
          status: 'open',
          stage: 'open',
          flags: withoutFlag(c, 'second_approval_pending'),
          summary: { ...c.summary, proposal: null },
          release: true,
          note: `驳回裁决方案：${body.note}`,
          data: { rejectedProposal: proposalOf(c) },
        };
      },
    },
  },
  detail: disputeCaseDetail,
});
