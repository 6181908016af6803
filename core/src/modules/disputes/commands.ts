import { formatFen } from '@jiangxin/shared/money';
import type { DisputeEvidenceBody, DisputeOutcome } from '@jiangxin/shared/ops/disputes';
import { ORDER_STATUS_LABELS } from '@jiangxin/shared/orders';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../platform/context';
import { afterCommit, type Tx } from '../../platform/db/database';
import { lockOrder } from '../../platform/db/locks';
import type { Database } from '../../platform/db/schema';
import { appendEvent } from '../../platform/events/outbox';
import { AppError, notFound } from '../../platform/http/problem';
import { changeCase } from '../cases/commands';
import { type CaseRow, lockCase } from '../cases/queries';
import { assertFilesUsable } from '../files/queries';
import { formatChinaTime } from '../human-text';
import { accountCode } from '../ledger/accounts';
import { type OrderMoney, refundEscrow, releaseEscrow, splitEscrow } from '../ledger/flows';
import { transitionInTx } from '../orders/commands';
import type { OrderRow } from '../orders/presenters';
import { processRefunds, queueGatewayRefund } from '../payments/commands';

export type DisputeRow = Selectable<Database['disputes']>;

/** A resolution: who gets how much of the escrow. `refundFen + releaseFen` is always the escrow. */
export interface Decision {
  outcome: DisputeOutcome;
  refundFen: number;
  releaseFen: number;
  note: string;
}

const disputeNotFound = () => notFound({ zh: '纠纷不存在', en: 'No such dispute' });

/** Locks a dispute (lock order step 2, after its case: platform/db/locks.ts), or 404. */
export async function lockDispute(tx: Tx, id: number): Promise<DisputeRow> {
  const d = await tx
    .selectFrom('disputes')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!d) throw disputeNotFound();
  return d;
}

/** The live (or last) dispute case of a dispute row. */
export async function caseOfDispute(tx: Tx, disputeId: number): Promise<CaseRow | undefined> {
  return (await tx
    .selectFrom('cases')
    .selectAll()
    .where('kind', '=', 'dispute')
    .where('subject_type', '=', 'dispute')
    .where('subject_id', '=', disputeId)
    .orderBy('id', 'desc')
    .executeTakeFirst()) as CaseRow | undefined;
}

/**
 * Turns a staff request into a decision on `escrowFen`, or refuses with 400 naming the fields. A full
 * refund or release may leave the amounts out; a split needs both, both positive, summing to the escrow.
 */
export function decide(
  body: {
    outcome: DisputeOutcome;
    refundFen?: number | undefined;
    releaseFen?: number | undefined;
    note: string;
  },
  escrowFen: number,
): Decision {
  const refundFen = body.refundFen ?? (body.outcome === 'refund' ? escrowFen : 0);
  const releaseFen = body.releaseFen ?? (body.outcome === 'release' ? escrowFen : 0);
  const problems: { field: string; message: string }[] = [];
  if (body.outcome === 'split') {
    if (body.refundFen === undefined)
      problems.push({ field: 'body.refundFen', message: 'is required for a split' });
    if (body.releaseFen === undefined)
      problems.push({ field: 'body.releaseFen', message: 'is required for a split' });
    if (!problems.length && (refundFen === 0 || releaseFen === 0))
      problems.push(
        ...(['refundFen', 'releaseFen'] as const).map((f) => ({
          field: `body.${f}`,
          message: 'both parts of a split must be greater than zero (use refund or release instead)',
        })),
      );
  } else if (body.outcome === 'refund' && releaseFen !== 0) {
    problems.push({ field: 'body.releaseFen', message: 'must be 0 for a full refund' });
  } else if (body.outcome === 'release' && refundFen !== 0) {
    problems.push({ field: 'body.refundFen', message: 'must be 0 for a full release' });
  }
  if (!problems.length && refundFen + releaseFen !== escrowFen)
    problems.push(
      ...(['refundFen', 'releaseFen'] as const).map((f) => ({
        field: `body.${f}`,
        message: `refundFen + releaseFen must equal the escrow of ${escrowFen} fen (they sum to ${refundFen + releaseFen})`,
      })),
    );
  if (problems.length)
    throw new AppError(
      'dispute_amounts_mismatch',
      {
        zh: `退款金额与放款金额之和必须正好等于托管金额 ${formatFen(escrowFen)}`,
        en: `The refund and release amounts must add up exactly to the escrow of ${formatFen(escrowFen)}`,
      },
      { escrowFen },
      problems,
    );
  return { outcome: body.outcome, refundFen, releaseFen, note: body.note };
}

const moneyOf = (o: OrderRow): OrderMoney => ({
  id: o.id,
  orderNumber: o.order_number,
  clientId: o.client_id,
  freelancerId: o.freelancer_id,
  amountFen: o.amount_fen,
});

const notEligible = (why: { zh: string; en: string }, extra: Record<string, unknown>) =>
  new AppError('dispute_not_eligible', why, extra);

/**
 * Executes a decision in the caller's transaction: re-checks that the order is still disputed with its
 * whole amount in escrow, moves the money (each movement idempotent on its journal key and gateway
 * refund number), settles the order through the state machine (`resolve_dispute`: cancelled after a
 * full refund, completed otherwise), records the resolution and tells both parties.
 */
export async function executeDecision(
  ctx: AppContext,
  tx: Tx,
  dispute: DisputeRow,
  decision: Decision,
  actors: { decidedBy: number; executedBy: number; approvedBy: number | null },
): Promise<{ feeFen: number; refundQueued: boolean }> {
  // Lock order (platform/db/locks.ts): the case and the dispute are held already; the order comes next.
  const order = await lockOrder(tx, dispute.order_id);
  if (!order) throw new Error(`dispute ${dispute.id} names order ${dispute.order_id}, which does not exist`);
  if (order.status !== 'disputed')
    throw notEligible(
      {
        zh: `订单当前状态为「${ORDER_STATUS_LABELS[order.status].zh}」，已不在纠纷中`,
        en: `The order is ${ORDER_STATUS_LABELS[order.status].en.toLowerCase()}, no longer disputed`,
      },
      { orderStatus: order.status },
    );
  const escrow = await tx
    .selectFrom('ledger_accounts')
    .select('balance')
    .where('code', '=', accountCode.escrow(order.id))
    .executeTakeFirst();
  const heldFen = Number(escrow?.balance ?? 0);
  if (heldFen !== order.amount_fen || decision.refundFen + decision.releaseFen !== heldFen)
    throw notEligible(
      {
        zh: `托管金额为 ${formatFen(heldFen)}，与裁决金额（退款 ${formatFen(decision.refundFen)} + 放款 ${formatFen(decision.releaseFen)}）不符`,
        en: `Escrow holds ${formatFen(heldFen)}, which does not match the resolution (refund ${formatFen(decision.refundFen)} + release ${formatFen(decision.releaseFen)})`,
      },
      { escrowFen: heldFen },
    );
  const payment = await tx
    .selectFrom('payments')
    .select(['id', 'provider'])
    .where('order_id', '=', order.id)
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  if (!payment && decision.refundFen > 0)
    throw new Error(`order ${order.order_number} has no succeeded payment to refund`);

  let feeFen = 0;
  let refundQueued = false;
  const now = ctx.now();
  await transitionInTx(ctx, tx, order, { kind: 'staff', userId: actors.executedBy }, 'resolve_dispute', {
    reason: decision.note,
    settleDispute: async (o) => {
      const money = moneyOf(o);
      if (decision.outcome === 'refund') {
        const { duplicate } = await refundEscrow(tx, money, payment!.provider);
        if (!duplicate) {
          await queueGatewayRefund(tx, {
            orderId: o.id,
            paymentId: payment!.id,
            outRequestNo: `${o.order_number}R1`,
            amountFen: o.amount_fen,
          });
          refundQueued = true;
        }
        return { to: 'cancelled', platformFeeFen: null };
      }
      if (decision.outcome === 'release') {
        ({ feeFen } = await releaseEscrow(tx, money, ctx.env.PLATFORM_FEE_BPS));
      } else {
        const split = await splitEscrow(tx, money, {
          refundFen: decision.refundFen,
          releaseFen: decision.releaseFen,
          provider: payment!.provider,
          feeBps: ctx.env.PLATFORM_FEE_BPS,
        });
        feeFen = split.feeFen;
        if (!split.duplicate) {
          await queueGatewayRefund(tx, {
            orderId: o.id,
            paymentId: payment!.id,
            outRequestNo: `${o.order_number}D${dispute.id}`,
            amountFen: decision.refundFen,
          });
          refundQueued = true;
        }
      }
      await tx
        .updateTable('services')
        .set((eb) => ({ orders_completed: eb('orders_completed', '+', 1) }))
        .where('id', '=', o.service_id)
        .execute();
      return { to: 'completed', platformFeeFen: feeFen };
    },
  });

  await tx
    .updateTable('disputes')
    .set({
      status: 'resolved',
      resolution: decision.outcome,
      refund_fen: decision.refundFen,
      release_fen: decision.releaseFen,
      fee_fen: feeFen,
      resolution_note: decision.note,
      resolved_at: now,
      resolved_by: actors.decidedBy,
      approved_by: actors.approvedBy,
      proposal_outcome: null,
      proposal_refund_fen: null,
      proposal_release_fen: null,
      proposal_note: null,
    })
    .where('id', '=', dispute.id)
    .execute();
  await recordDecision(ctx, tx, dispute.id, 'executed', actors.executedBy, decision);
  await appendEvent(
    tx,
    'dispute.resolved',
    { aggregateType: 'order', aggregateId: order.id, audience: [order.client_id, order.freelancer_id] },
    {
      disputeId: dispute.id,
      orderId: order.id,
      orderNumber: order.order_number,
      outcome: decision.outcome,
      refundFen: decision.refundFen,
      releaseFen: decision.releaseFen,
      feeFen,
      note: decision.note,
    },
  );
  if (refundQueued) sendRefundsAfterCommit(ctx, tx);
  return { feeFen, refundQueued };
}

/**
 * Nudges the refunds worker once this transaction commits, so the client's money leaves at once rather
 * than on the next sweep. Nothing is sent for a transaction that rolls back (or an attempt `transact()`
 * retries); the sweep picks up anything missed, and sending is idempotent on the refund number.
 */
function sendRefundsAfterCommit(ctx: AppContext, tx: Tx): void {
  afterCommit(tx, () => {
    setTimeout(() => {
      void processRefunds(ctx).catch((err) => ctx.log.error({ err }, 'refund processing failed'));
    }, 0);
  });
}

export async function recordDecision(
  ctx: AppContext,
  tx: Tx,
  disputeId: number,
  step: 'proposed' | 'approved' | 'rejected' | 'executed',
  actorId: number,
  d: Decision,
): Promise<void> {
  await tx
    .insertInto('dispute_decisions')
    .values({
      dispute_id: disputeId,
      step,
      actor_id: actorId,
      outcome: d.outcome,
      refund_fen: d.refundFen,
      release_fen: d.releaseFen,
      note: d.note,
      at: ctx.now(),
    })
    .execute();
}

/**
 * A party adds evidence (a note and their own files) until the evidence deadline. The files join the
 * dispute's files, so the other party may open them too; the case gets a history line so staff see it.
 */
export async function addEvidence(
  ctx: AppContext,
  userId: number,
  disputeId: number,
  body: DisputeEvidenceBody,
) {
  return ctx.db.transact(async (tx) => {
    // Lock order: case, then dispute, as the case actions do.
    const caseRef = await caseOfDispute(tx, disputeId);
    const c = caseRef ? await lockCase(tx, caseRef.id) : undefined;
    const dispute = await lockDispute(tx, disputeId);
    const order = await tx
      .selectFrom('orders')
      .select(['id', 'order_number', 'client_id', 'freelancer_id'])
      .where('id', '=', dispute.order_id)
      .executeTakeFirstOrThrow();
    const side: 'client' | 'freelancer' | null =
      order.client_id === userId ? 'client' : order.freelancer_id === userId ? 'freelancer' : null;
    if (!side) throw disputeNotFound();
    if (dispute.status !== 'open') throw new AppError('dispute_closed', undefined, { disputeId });
    const now = ctx.now();
    if (dispute.evidence_until && now.getTime() > new Date(dispute.evidence_until).getTime()) {
      const until = new Date(dispute.evidence_until);
      throw new AppError(
        'dispute_evidence_closed',
        {
          zh: `举证期已于 ${formatChinaTime(until, 'zh')}结束，不能再提交证据`,
          en: `The evidence period ended on ${formatChinaTime(until, 'en')}; no more evidence can be added`,
        },
        { evidenceUntil: until.toISOString() },
      );
    }
    const files = await assertFilesUsable(tx, userId, body.fileIds, { field: 'body.fileIds' });
    const fileIds = files.map((f) => f.id);
    const evidence = await tx
      .insertInto('dispute_evidence')
      .values({
        dispute_id: dispute.id,
        author_id: userId,
        side,
        note: body.note,
        file_ids: fileIds,
        created_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (fileIds.length)
      await tx
        .updateTable('disputes')
        .set({ file_ids: [...new Set([...dispute.file_ids, ...fileIds])] })
        .where('id', '=', dispute.id)
        .execute();
    await appendEvent(
      tx,
      'dispute.evidence_added',
      { aggregateType: 'order', aggregateId: order.id, audience: [order.client_id, order.freelancer_id] },
      {
        disputeId: dispute.id,
        orderId: order.id,
        orderNumber: order.order_number,
        evidenceId: evidence.id,
        authorId: userId,
        side,
      },
    );
    if (c && c.status !== 'resolved') {
      const count = Number((c.summary['evidenceCount'] as number | undefined) ?? 0) + 1;
      await changeCase(ctx, tx, c, null, 'evidence_added', {
        summary: { ...c.summary, evidenceCount: count },
        note: body.note.slice(0, 500),
        data: { evidenceId: evidence.id, side, authorId: userId, fileIds },
      });
    }
    return { evidence, side, files };
  });
}
