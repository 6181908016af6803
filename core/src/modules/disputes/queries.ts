import type { StoredFileInfo } from '@jiangxin/shared/api/files';
import {
  DISPUTE_OUTCOME_LABELS,
  type DisputeCaseDetail,
  type DisputeEvidence,
  type DisputeView,
} from '@jiangxin/shared/ops/disputes';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import type { Staff } from '../../platform/http/auth';
import { notFound } from '../../platform/http/problem';
import type { CaseRow } from '../cases/queries';
import { filesByIds } from '../files/queries';
import { accountCode } from '../ledger/accounts';
import { presentMessages } from '../messaging/queries';
import { orderDetail } from '../orders/queries';
import { getOpsSettings } from '../settings/settings';
import type { DisputeRow } from './commands';

const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
const present = (files: Map<number, StoredFileInfo>, ids: readonly number[]) =>
  ids.map((id) => files.get(id)).filter((f): f is StoredFileInfo => f !== undefined);

async function evidenceOf(db: ReadDb | Tx, disputeId: number): Promise<DisputeEvidence[]> {
  const rows = await db
    .selectFrom('dispute_evidence as e')
    .innerJoin('users as u', 'u.id', 'e.author_id')
    .select(['e.id', 'e.author_id', 'u.nickname', 'e.side', 'e.note', 'e.file_ids', 'e.created_at'])
    .where('e.dispute_id', '=', disputeId)
    .orderBy('e.id')
    .execute();
  const files = await filesByIds(
    db,
    rows.flatMap((r) => r.file_ids),
  );
  return rows.map((r) => ({
    id: r.id,
    authorId: r.author_id,
    authorName: r.nickname,
    side: r.side,
    note: r.note,
    files: present(files, r.file_ids),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** The dispute as its parties see it (no internal proposals or approvals). */
async function presentDispute(
  db: ReadDb | Tx,
  d: DisputeRow,
  order: { id: number; order_number: string; client_id: number; amount_fen: number },
  now: Date,
): Promise<DisputeView> {
  const evidence = await evidenceOf(db, d.id);
  // The opening files only: evidence files are also listed on the row (for access) but shown per item.
  const evidenceFileIds = new Set(evidence.flatMap((e) => e.files.map((f) => f.id)));
  const openingIds = d.file_ids.filter((id) => !evidenceFileIds.has(id));
  const files = await filesByIds(db, openingIds);
  return {
    id: d.id,
    orderId: order.id,
    orderNumber: order.order_number,
    status: d.status,
    reason: d.reason,
    openedBy: d.opened_by,
    openedBySide: d.opened_by === order.client_id ? 'client' : 'freelancer',
    files: present(files, openingIds),
    escrowFen: order.amount_fen,
    evidenceUntil: iso(d.evidence_until),
    evidenceOpen:
      d.status === 'open' &&
      (d.evidence_until === null || now.getTime() <= new Date(d.evidence_until).getTime()),
    evidence,
    resolution:
      d.status === 'resolved' && d.resolution
        ? {
            outcome: d.resolution as 'refund' | 'release' | 'split',
            refundFen: d.refund_fen ?? 0,
            releaseFen: d.release_fen ?? 0,
            feeFen: d.fee_fen ?? 0,
            note: d.resolution_note ?? '',
            resolvedAt: iso(d.resolved_at)!,
          }
        : null,
    createdAt: new Date(d.created_at).toISOString(),
  };
}

/** `GET /orders/:id/dispute`: the order's latest dispute for one of its parties; 404 for anyone else. */
export async function disputeForParty(
  ctx: AppContext,
  orderId: number,
  userId: number,
): Promise<DisputeView> {
  const db = ctx.db.write;
  const order = await db
    .selectFrom('orders')
    .select(['id', 'order_number', 'client_id', 'freelancer_id', 'amount_fen'])
    .where('id', '=', orderId)
    .executeTakeFirst();
  if (!order || (order.client_id !== userId && order.freelancer_id !== userId))
    throw notFound({ zh: '订单不存在', en: 'No such order' });
  const d = await db
    .selectFrom('disputes')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!d) throw notFound({ zh: '该订单没有纠纷', en: 'This order has no dispute' });
  return presentDispute(db, d, order, ctx.now());
}

/**
 * The dispute case screen in one response: the dispute with its evidence, the order with its timeline,
 * deliveries (with files), revisions and payments, the parties and their chat about the order, the
 * escrow (as the order says and as the ledger holds it), the deadlines, and the resolution state with
 * the proposal awaiting approval and every decision taken.
 */
export async function disputeCaseDetail(
  ctx: AppContext,
  db: ReadDb,
  c: CaseRow,
  _staff: Staff,
): Promise<DisputeCaseDetail | Record<string, never>> {
  const d = await db.selectFrom('disputes').selectAll().where('id', '=', c.subject_id).executeTakeFirst();
  if (!d) return {};
  const order = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', d.order_id)
    .executeTakeFirstOrThrow();
  const now = ctx.now();
  const dispute = await presentDispute(db, d, order, now);
  const fullOrder = await orderDetail(db, order, 'staff');
  const parties = await db
    .selectFrom('users')
    .select(['id', 'username', 'nickname', 'status', 'created_at'])
    .where('id', 'in', [order.client_id, order.freelancer_id])
    .execute();
  const party = (id: number) => {
    const p = parties.find((x) => x.id === id);
    return p
      ? {
          id: p.id,
          username: p.username,
          nickname: p.nickname,
          status: p.status,
          joinedAt: iso(p.created_at),
        }
      : null;
  };
  const conversations = await db
    .selectFrom('conversations')
    .select('id')
    .where('order_id', '=', order.id)
    .execute();
  const messageRows = conversations.length
    ? await db
        .selectFrom('messages')
        .selectAll()
        .where(
          'conversation_id',
          'in',
          conversations.map((x) => x.id),
        )
        .orderBy('id', 'desc')
        .limit(500)
        .execute()
    : [];
  const messages = await presentMessages(db, messageRows.reverse());
  const nameOf = new Map(parties.map((p) => [p.id, p.nickname]));
  const escrow = await db
    .selectFrom('ledger_accounts')
    .select('balance')
    .where('code', '=', accountCode.escrow(order.id))
    .executeTakeFirst();
  const decisions = await db
    .selectFrom('dispute_decisions as x')
    .innerJoin('users as u', 'u.id', 'x.actor_id')
    .select([
      'x.id',
      'x.step',
      'x.actor_id',
      'u.nickname',
      'x.outcome',
      'x.refund_fen',
      'x.release_fen',
      'x.note',
      'x.at',
    ])
    .where('x.dispute_id', '=', d.id)
    .orderBy('x.id')
    .execute();
  const settings = await getOpsSettings(db);
  const proposedByName = d.proposed_by
    ? ((await db.selectFrom('users').select('nickname').where('id', '=', d.proposed_by).executeTakeFirst())
        ?.nickname ?? null)
    : null;
  const needsSecondApproval = order.amount_fen > settings.disputeSecondApprovalFen;
  return {
    dispute,
    order: fullOrder,
    parties: { client: party(order.client_id), freelancer: party(order.freelancer_id) },
    messages: messages.map((m) => ({ ...m, senderName: nameOf.get(m.senderId) ?? null })),
    evidence: dispute.evidence,
    escrow: {
      orderAmountFen: order.amount_fen,
      heldFen: Number(escrow?.balance ?? 0),
      platformFeeBps: ctx.env.PLATFORM_FEE_BPS,
    },
    deadlines: {
      evidenceUntil: dispute.evidenceUntil,
      evidenceOpen: dispute.evidenceOpen,
      slaDueAt: iso(c.sla_due_at),
      deliveryDeadline: iso(order.delivery_deadline),
    },
    resolution: {
      state: d.status === 'resolved' ? 'resolved' : d.proposal_outcome ? 'awaiting_second_approval' : 'open',
      needsSecondApproval,
      secondApprovalThresholdFen: settings.disputeSecondApprovalFen,
      proposal: d.proposal_outcome
        ? {
            outcome: d.proposal_outcome,
            label: DISPUTE_OUTCOME_LABELS[d.proposal_outcome],
            refundFen: d.proposal_refund_fen,
            releaseFen: d.proposal_release_fen,
            note: d.proposal_note,
            proposedBy: d.proposed_by,
            proposedByName,
            proposedAt: iso(d.proposed_at),
          }
        : null,
      final: dispute.resolution,
      resolvedBy: d.resolved_by,
      approvedBy: d.approved_by,
      approvals: decisions.map((x) => ({
        id: x.id,
        step: x.step,
        actorId: x.actor_id,
        actorName: x.nickname,
        outcome: x.outcome,
        refundFen: x.refund_fen,
        releaseFen: x.release_fen,
        note: x.note,
        at: new Date(x.at).toISOString(),
      })),
    },
  } satisfies DisputeCaseDetail;
}
