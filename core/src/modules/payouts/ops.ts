import { formatFen } from '@jiangxin/shared/money';
import type { CaseFlag } from '@jiangxin/shared/ops/cases';
import {
  type PayoutCaseDetail,
  type ReconciliationMismatchDetail,
  WITHDRAWAL_CHANNEL_LABELS,
} from '@jiangxin/shared/ops/payouts';
import { maskRealName } from '@jiangxin/shared/ops/support';
import { hasPermission } from '@jiangxin/shared/permissions';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import { lockPayout } from '../../platform/db/locks';
import type { Staff } from '../../platform/http/auth';
import { AppError } from '../../platform/http/problem';
import { openCase } from '../cases/commands';
import type { CaseRow } from '../cases/queries';
import { defineCaseKind, registerCaseKind } from '../cases/registry';
import { accountCode } from '../ledger/accounts';
import { balanceOf, payoutIneligibility, payoutRiskSignals, setPayoutStatus } from './commands';
import { returnPayout } from './ledger';
import { maskAccount, presentWithdrawal } from './queries';

/** Stages of a payout case. */
const AWAITING = ['awaiting_approval', 'awaiting_second_approval'];

interface ApprovalEntry {
  staffId: number;
  at: string;
}
const approvalsOf = (c: CaseRow): ApprovalEntry[] =>
  Array.isArray(c.summary['approvals']) ? (c.summary['approvals'] as ApprovalEntry[]) : [];

const withFlag = (c: CaseRow, flag: CaseFlag): CaseFlag[] => [...new Set([...(c.flags as CaseFlag[]), flag])];
const withoutFlag = (c: CaseRow, flag: CaseFlag): CaseFlag[] =>
  (c.flags as CaseFlag[]).filter((f) => f !== flag);

const notAwaiting = (c: CaseRow) =>
  AWAITING.includes(c.stage)
    ? null
    : { zh: '该提现当前不在审批阶段', en: 'This payout is not awaiting approval' };
const ownWithdrawal = (c: CaseRow, staffId: number) =>
  c.user_id === staffId
    ? { zh: '不能处理自己的提现申请', en: 'You may not decide on your own withdrawal' }
    : null;

/**
 * Locks the case's payout for a decision: it must still await review, and the payout row (not the case)
 * says whose withdrawal it is — nobody decides on their own.
 */
async function lockUndecidedPayout(tx: Tx, c: CaseRow, staff: Staff) {
  const p = await lockPayout(tx, c.subject_id);
  if (p.status !== 'pending_review') throw new AppError('payout_not_pending', undefined, { payoutId: p.id });
  if (p.user_id === staff.userId)
    throw new AppError('forbidden', {
      zh: '不能处理自己的提现申请',
      en: 'You may not decide on your own withdrawal',
    });
  return p;
}

export const payoutCases = defineCaseKind('payout', {
  actions: {
    approve_payout: {
      check: (c, staff) =>
        notAwaiting(c) ??
        ownWithdrawal(c, staff.userId) ??
        (approvalsOf(c).some((a) => a.staffId === staff.userId)
          ? {
              zh: '您已批准过该提现，需由另一位财务同事复核',
              en: 'You already approved this payout; a different finance colleague must approve it',
            }
          : null),
      run: async (ctx, tx, c, staff, body) => {
        const p = await lockUndecidedPayout(tx, c, staff);
        const prior = await tx
          .selectFrom('payout_approvals')
          .select(['staff_id', 'at'])
          .where('payout_id', '=', p.id)
          .orderBy('at')
          .execute();
        if (prior.some((a) => a.staff_id === staff.userId))
          throw new AppError('case_action_unavailable', {
            zh: '您已批准过该提现，需由另一位财务同事复核',
            en: 'You already approved this payout; a different finance colleague must approve it',
          });
        const blocked = await payoutIneligibility(tx, p);
        if (blocked) throw new AppError('payout_not_eligible', blocked, { payoutId: p.id });
        const now = ctx.now();
        await tx
          .insertInto('payout_approvals')
          .values({ payout_id: p.id, staff_id: staff.userId, at: now, note: body.note ?? '' })
          .execute();
        const approvals: ApprovalEntry[] = [
          ...prior.map((a) => ({ staffId: a.staff_id, at: new Date(a.at).toISOString() })),
          { staffId: staff.userId, at: now.toISOString() },
        ];
        const summary = { ...c.summary, approvals };
        const data = { approvals: approvals.length, required: p.required_approvals };
        if (approvals.length < p.required_approvals) {
          // Maker-checker: the first approval is recorded and the case goes back to the queue for a second
          // (different) finance member.
          return {
            stage: 'awaiting_second_approval',
            release: true,
            flags: withFlag(c, 'second_approval_pending'),
            summary,
            note: body.note ?? '',
            data,
            result: { payoutStatus: p.status, ...data },
          };
        }
        await setPayoutStatus(ctx, tx, p, 'approved', { approved_at: now });
        return {
          status: 'waiting',
          stage: 'executing',
          release: true,
          flags: withoutFlag(c, 'second_approval_pending'),
          summary,
          note: body.note ?? '',
          data,
          result: { payoutStatus: 'approved', ...data },
        };
      },
    },
    reject_payout: {
      check: (c, staff) => notAwaiting(c) ?? ownWithdrawal(c, staff.userId),
      run: async (ctx, tx, c, staff, body) => {
        const p = await lockUndecidedPayout(tx, c, staff);
        await returnPayout(tx, {
          id: p.id,
          userId: p.user_id,
          amountFen: p.amount_fen,
          provider: p.provider,
        });
        await setPayoutStatus(ctx, tx, p, 'rejected', { rejection_reason: body.reason }, body.reason);
        return {
          status: 'resolved',
          stage: 'rejected',
          outcome: 'rejected',
          flags: withoutFlag(c, 'second_approval_pending'),
          note: body.reason,
          data: { reason: body.reason },
          result: { payoutStatus: 'rejected' },
        };
      },
    },
    close_failed: {
      check: (c) =>
        c.stage === 'failed'
          ? null
          : { zh: '仅打款失败的提现可关闭', en: 'Only a payout whose transfer failed can be closed' },
      run: async (_ctx, _tx, _c, _staff, body) => ({
        status: 'resolved',
        outcome: 'failed',
        note: body.note ?? '',
      }),
    },
  },
  detail: async (ctx, db, c, staff) => {
    const p = await db
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', c.subject_id)
      .executeTakeFirstOrThrow();
    const user = await db
      .selectFrom('users')
      .select(['id', 'username', 'nickname', 'created_at', 'real_name_status', 'status'])
      .where('id', '=', p.user_id)
      .executeTakeFirstOrThrow();
    const now = ctx.now();
    const approvals = await db
      .selectFrom('payout_approvals as a')
      .innerJoin('users as u', 'u.id', 'a.staff_id')
      .select(['a.staff_id', 'u.nickname', 'a.at', 'a.note'])
      .where('a.payout_id', '=', p.id)
      .orderBy('a.at')
      .execute();
    const history = await db
      .selectFrom('payouts')
      .selectAll()
      .where('user_id', '=', p.user_id)
      .where('id', '<>', p.id)
      .orderBy('id', 'desc')
      .limit(20)
      .execute();
    // The payee's name is personal data: masked unless this member of staff may reveal it.
    const presented = presentWithdrawal(ctx.pii, p);
    const withdrawal = hasPermission(staff.roles, 'pii.reveal')
      ? presented
      : { ...presented, account: { ...presented.account, name: maskRealName(presented.account.name) } };
    return {
      payout: {
        ...withdrawal,
        requiredApprovals: p.required_approvals,
        outBizNo: p.out_biz_no,
        gatewayRef: p.gateway_ref,
        attempts: p.attempts,
        lastError: p.last_error,
        channelLabel: WITHDRAWAL_CHANNEL_LABELS[p.channel],
      },
      user: {
        id: user.id,
        username: user.username,
        nickname: user.nickname,
        status: user.status,
        realNameStatus: user.real_name_status,
        createdAt: new Date(user.created_at).toISOString(),
        accountAgeDays: Math.floor((now.getTime() - new Date(user.created_at).getTime()) / 86_400_000),
      },
      wallet: {
        availableFen: await balanceOf(db, accountCode.available(p.user_id)),
        payoutPendingFen: await balanceOf(db, accountCode.payoutPending(p.user_id)),
      },
      riskSignals: await payoutRiskSignals(db, p, now),
      approvals: approvals.map((a) => ({
        staffId: a.staff_id,
        staffName: a.nickname,
        at: new Date(a.at).toISOString(),
        note: a.note,
      })),
      payoutHistory: history.map((h) => ({
        id: h.id,
        amountFen: h.amount_fen,
        channel: h.channel,
        accountMasked: maskAccount(ctx.pii.open('payouts.account_number', h.account_number)),
        status: h.status,
        rejectionReason: h.rejection_reason,
        failureReason: h.failure_reason,
        createdAt: new Date(h.created_at).toISOString(),
        paidAt: h.paid_at ? new Date(h.paid_at).toISOString() : null,
      })),
    } satisfies PayoutCaseDetail;
  },
});

const isoOrNull = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** What the platform holds under a mismatch's reference: the payment, refund or payout, or nothing. */
async function ledgerRecordOf(
  db: ReadDb,
  m: { kind: 'payment' | 'refund' | 'transfer'; provider: 'alipay' | 'wechat'; reference: string },
): Promise<ReconciliationMismatchDetail['ledgerRecord']> {
  if (m.kind === 'transfer') {
    const p = await db
      .selectFrom('payouts')
      .select(['id', 'user_id', 'status', 'amount_fen', 'created_at', 'paid_at'])
      .where('out_biz_no', '=', m.reference)
      .where('provider', '=', m.provider)
      .executeTakeFirst();
    return p
      ? {
          type: 'payout',
          id: p.id,
          orderId: null,
          userId: p.user_id,
          status: p.status,
          amountFen: p.amount_fen,
          createdAt: new Date(p.created_at).toISOString(),
          settledAt: isoOrNull(p.paid_at),
        }
      : null;
  }
  if (m.kind === 'payment') {
    const p = await db
      .selectFrom('payments')
      .select(['id', 'order_id', 'status', 'amount_fen', 'created_at', 'paid_at'])
      .where('out_trade_no', '=', m.reference)
      .where('provider', '=', m.provider)
      .executeTakeFirst();
    return p
      ? {
          type: 'payment',
          id: p.id,
          orderId: p.order_id,
          userId: null,
          status: p.status,
          amountFen: p.amount_fen,
          createdAt: new Date(p.created_at).toISOString(),
          settledAt: isoOrNull(p.paid_at),
        }
      : null;
  }
  const r = await db
    .selectFrom('refunds as r')
    .innerJoin('payments as p', 'p.id', 'r.payment_id')
    .select(['r.id', 'r.order_id', 'r.status', 'r.amount_fen', 'r.created_at', 'r.updated_at'])
    .where('r.out_request_no', '=', m.reference)
    .where('p.provider', '=', m.provider)
    .executeTakeFirst();
  return r
    ? {
        type: 'refund',
        id: r.id,
        orderId: r.order_id,
        userId: null,
        status: r.status,
        amountFen: r.amount_fen,
        createdAt: new Date(r.created_at).toISOString(),
        settledAt: r.status === 'succeeded' ? new Date(r.updated_at).toISOString() : null,
      }
    : null;
}

export const reconciliationMismatchCases = defineCaseKind('reconciliation_mismatch', {
  actions: {
    resolve: {
      run: async (_ctx, _tx, _c, _staff, body) => ({
        status: 'resolved',
        stage: 'resolved',
        outcome: 'resolved',
        note: body.note,
      }),
    },
  },
  detail: async (_ctx, db, c) => {
    const m = await db
      .selectFrom('reconciliation_mismatches')
      .selectAll()
      .where('id', '=', c.subject_id)
      .executeTakeFirstOrThrow();
    return {
      mismatch: {
        id: m.id,
        day: m.day,
        kind: m.kind,
        provider: m.provider,
        reference: m.reference,
        problem: m.problem,
        ledgerAmountFen: m.ledger_amount_fen,
        gatewayAmountFen: m.gateway_amount_fen,
        detail: m.detail,
        createdAt: new Date(m.created_at).toISOString(),
      },
      ledgerRecord: await ledgerRecordOf(db, m),
    } satisfies ReconciliationMismatchDetail;
  },
});

/** Payouts: its case kinds and the event that opens a payout case. */
/** A payout case's title: "提现 ¥6,000.00 · 设计师小王" (the amount as formatFen writes it everywhere). */
export function payoutCaseTitle(amountFen: number, nickname: string): string {
  return `提现 ${formatFen(amountFen)} · ${nickname}`;
}

export function registerPayoutsOps(ctx: AppContext): void {
  registerCaseKind(payoutCases);
  registerCaseKind(reconciliationMismatchCases);
  ctx.db.reactions.on('payout.requested', 'cases.payout.open', async (tx, e) => {
    const p = await tx
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', e.payoutId)
      .executeTakeFirstOrThrow();
    const user = await tx
      .selectFrom('users')
      .select(['username', 'nickname'])
      .where('id', '=', p.user_id)
      .executeTakeFirstOrThrow();
    const signals = await payoutRiskSignals(tx, p, ctx.now());
    const risky = signals.some((s) => s.level !== 'info');
    const high = signals.some((s) => s.level === 'high');
    const flags: CaseFlag[] = [];
    if (p.required_approvals > 1) flags.push('maker_checker');
    if (risky) flags.push('risk');
    await openCase(ctx, tx, {
      kind: 'payout',
      subjectType: 'payout',
      subjectId: p.id,
      userId: p.user_id,
      amountFen: p.amount_fen,
      stage: 'awaiting_approval',
      priority: high || p.required_approvals > 1 ? 2 : 1,
      flags,
      title: payoutCaseTitle(p.amount_fen, user.nickname),
      summary: {
        payoutId: p.id,
        channel: p.channel,
        accountName: maskRealName(ctx.pii.open('payouts.account_name', p.account_name)),
        accountMasked: maskAccount(ctx.pii.open('payouts.account_number', p.account_number)),
        requiredApprovals: p.required_approvals,
        approvals: [],
        riskSignals: signals.map((s) => s.code),
      },
      // Not the payee's name: the case's search text is stored in clear (personal data stays sealed).
      searchText: `${user.username} ${p.out_biz_no ?? ''}`,
    });
  });
}
