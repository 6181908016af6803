import type { PaymentProvider } from '@jiangxin/shared/api/orders';
import { formatFen } from '@jiangxin/shared/money';
import type {
  CreateWithdrawalBody,
  PayoutRiskSignal,
  PayoutStatus,
  Withdrawal,
  WithdrawalChannel,
} from '@jiangxin/shared/ops/payouts';
import type { Selectable } from 'kysely';
import type { AppContext } from '../../platform/context';
import type { ReadDb, Tx } from '../../platform/db/database';
import { lockUser } from '../../platform/db/locks';
import type { Database } from '../../platform/db/schema';
import { appendEvent } from '../../platform/events/outbox';
import { runIdempotent } from '../../platform/http/idempotency';
import { AppError, type Localized } from '../../platform/http/problem';
import { accountCode, ensureUserAccounts } from '../ledger/accounts';
import { getOpsSettings } from '../settings/settings';
import { holdPayout, type PayoutMoney } from './ledger';
import { presentWithdrawal } from './queries';

export type PayoutRow = Selectable<Database['payouts']>;

/** Bank cards are paid through Alipay's transfer-to-card; the other channels through their own gateway. */
export function providerFor(channel: WithdrawalChannel): PaymentProvider {
  return channel === 'wechat' ? 'wechat' : 'alipay';
}

/** The gateway's idempotency key of a payout: derived from its id only, so every retry sends the same. */
export function outBizNoFor(payoutId: number): string {
  return `JXPO${String(payoutId).padStart(14, '0')}`;
}

export const payoutMoney = (p: PayoutRow): PayoutMoney => ({
  id: p.id,
  userId: p.user_id,
  amountFen: p.amount_fen,
  provider: p.provider,
});

/**
 * `POST /wallet/withdrawals`: checks real-name status and the limits in force, moves the amount from the
 * available balance to `payout_pending` and appends `payout.requested` (which opens the payout case), all
 * in one transaction under the caller's Idempotency-Key. Any refusal writes nothing.
 */
export async function requestWithdrawal(
  ctx: AppContext,
  userId: number,
  body: CreateWithdrawalBody,
  key: string,
) {
  return ctx.db.transact((tx) =>
    runIdempotent(
      tx,
      { userId, scope: 'wallet.withdraw', key, request: body },
      async () => {
        // One withdrawal per wallet at a time (lock order step 2, then the balances). FOR NO KEY UPDATE:
        // a payout of this user settling meanwhile must still be able to queue its notification, whose
        // foreign key to this row waits for FOR KEY SHARE; FOR UPDATE made the two deadlock.
        const user = await lockUser(tx, userId);
        if (!user) throw new Error(`withdrawal by user ${userId}, who does not exist`);
        if (user.status !== 'active') throw new AppError('account_suspended');
        if (user.real_name_status !== 'verified') {
          const why: Localized =
            user.real_name_status === 'pending'
              ? {
                  zh: '实名认证审核中，通过后才能提现',
                  en: 'Your real-name verification is under review; you can withdraw once it passes',
                }
              : {
                  zh: '提现前须完成实名认证（收款账户须与实名一致）',
                  en: 'Complete real-name verification before withdrawing (the payee must match your real name)',
                };
          throw new AppError('real_name_required', why, { realNameStatus: user.real_name_status });
        }
        const settings = await getOpsSettings(tx);
        if (body.amountFen < settings.withdrawalMinFen || body.amountFen > settings.withdrawalMaxFen) {
          throw new AppError(
            'withdrawal_amount_out_of_range',
            {
              zh: `单笔提现金额须在 ${formatFen(settings.withdrawalMinFen)} 至 ${formatFen(settings.withdrawalMaxFen)} 之间`,
              en: `A withdrawal must be between ${formatFen(settings.withdrawalMinFen)} and ${formatFen(settings.withdrawalMaxFen)}`,
            },
            { minFen: settings.withdrawalMinFen, maxFen: settings.withdrawalMaxFen },
            [
              {
                field: 'body.amountFen',
                message:
                  body.amountFen < settings.withdrawalMinFen
                    ? `must be at least ${settings.withdrawalMinFen}`
                    : `must be at most ${settings.withdrawalMaxFen}`,
              },
            ],
          );
        }
        await ensureUserAccounts(tx, userId);
        const availableFen = await balanceOf(tx, accountCode.available(userId));
        if (availableFen < body.amountFen) {
          throw new AppError(
            'insufficient_funds',
            {
              zh: `可提现余额不足（当前可提现 ${formatFen(availableFen)}）`,
              en: `Not enough available balance (${formatFen(availableFen)} available)`,
            },
            { availableFen },
            [{ field: 'body.amountFen', message: 'exceeds the available balance' }],
          );
        }
        const now = ctx.now();
        const inserted = await tx
          .insertInto('payouts')
          .values({
            user_id: userId,
            amount_fen: body.amountFen,
            channel: body.channel,
            provider: providerFor(body.channel),
            account_name: ctx.pii.seal('payouts.account_name', body.account.name),
            account_number: ctx.pii.seal('payouts.account_number', body.account.number),
            account_bidx: ctx.pii.blindIndex('payee_account', body.account.number),
            bank_name: body.channel === 'bank' ? (body.account.bankName ?? null) : null,
            required_approvals: body.amountFen > settings.payoutSecondApprovalFen ? 2 : 1,
            created_at: now,
            updated_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const row = await tx
          .updateTable('payouts')
          .set({ out_biz_no: outBizNoFor(inserted.id) })
          .where('id', '=', inserted.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await holdPayout(tx, payoutMoney(row));
        await appendEvent(
          tx,
          'payout.requested',
          { aggregateType: 'payout', aggregateId: row.id, audience: [userId] },
          {
            payoutId: row.id,
            userId,
            amountFen: row.amount_fen,
            channel: row.channel,
            status: 'pending_review',
          },
        );
        return { status: 201, body: presentWithdrawal(ctx.pii, row) };
      },
      // The stored answer (for a retry) keeps the payee's name sealed, as the payouts table does.
      {
        keep: (w) => ({
          ...w,
          account: { ...w.account, name: ctx.pii.seal('payouts.account_name', w.account.name) },
        }),
        replay: (kept) => {
          const w = kept as Withdrawal;
          return {
            ...w,
            account: { ...w.account, name: ctx.pii.open('payouts.account_name', w.account.name) },
          };
        },
      },
    ),
  );
}

export async function balanceOf(db: ReadDb | Tx, code: string): Promise<number> {
  const a = await db
    .selectFrom('ledger_accounts')
    .select('balance')
    .where('code', '=', code)
    .executeTakeFirst();
  return Number(a?.balance ?? 0);
}

/** Moves a payout to `to` (with extra columns) and tells its owner live. */
export async function setPayoutStatus(
  ctx: AppContext,
  tx: Tx,
  p: PayoutRow,
  to: PayoutStatus,
  patch: Partial<Omit<PayoutRow, 'id' | 'status'>> = {},
  reason: string | null = null,
): Promise<PayoutRow> {
  const row = await tx
    .updateTable('payouts')
    .set({ ...patch, status: to, updated_at: ctx.now() })
    .where('id', '=', p.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  if (p.status !== to) {
    await appendEvent(
      tx,
      'payout.status_changed',
      { aggregateType: 'payout', aggregateId: p.id, audience: [p.user_id] },
      {
        payoutId: p.id,
        userId: p.user_id,
        amountFen: p.amount_fen,
        channel: p.channel,
        from: p.status,
        to,
        reason,
      },
    );
  }
  return row;
}

/**
 * Why the payout may not be approved now, or null: checked again at every approval, since days may pass
 * between the request and the second approval.
 */
export async function payoutIneligibility(db: ReadDb | Tx, p: PayoutRow): Promise<Localized | null> {
  const user = await db
    .selectFrom('users')
    .select(['status', 'real_name_status'])
    .where('id', '=', p.user_id)
    .executeTakeFirstOrThrow();
  if (user.status !== 'active')
    return { zh: '提现用户的账号已被限制或封禁', en: 'The withdrawing user is suspended or banned' };
  if (user.real_name_status !== 'verified')
    return { zh: '提现用户的实名认证已失效', en: 'The withdrawing user is no longer real-name verified' };
  const pendingFen = await balanceOf(db, accountCode.payoutPending(p.user_id));
  if (pendingFen < p.amount_fen)
    return {
      zh: `待提现余额（${formatFen(pendingFen)}）不足以支付该笔提现`,
      en: `The pending payout balance (${formatFen(pendingFen)}) no longer covers this withdrawal`,
    };
  return null;
}

const DAY_MS = 86_400_000;

/**
 * The risk signals of a payout, computed from the user's account age, disputes of the last 90 days and
 * earlier successful payouts (amount and payee account). `high` and `medium` ones flag the case `risk`.
 */
export async function payoutRiskSignals(
  db: ReadDb | Tx,
  p: PayoutRow,
  now: Date,
): Promise<PayoutRiskSignal[]> {
  const signals: PayoutRiskSignal[] = [];
  const user = await db
    .selectFrom('users')
    .select('created_at')
    .where('id', '=', p.user_id)
    .executeTakeFirstOrThrow();
  const ageDays = Math.floor((now.getTime() - new Date(user.created_at).getTime()) / DAY_MS);
  if (ageDays < 30)
    signals.push({
      code: 'new_account',
      level: 'medium',
      zh: `账号注册仅 ${ageDays} 天`,
      en: `The account is only ${ageDays} days old`,
    });
  const disputes = await db
    .selectFrom('disputes as d')
    .innerJoin('orders as o', 'o.id', 'd.order_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.or([eb('o.freelancer_id', '=', p.user_id), eb('o.client_id', '=', p.user_id)]))
    .where('d.created_at', '>=', new Date(now.getTime() - 90 * DAY_MS))
    .executeTakeFirst();
  const disputeCount = Number(disputes?.n ?? 0);
  if (disputeCount > 0)
    signals.push({
      code: 'recent_disputes',
      level: 'high',
      zh: `近 90 天涉及 ${disputeCount} 起订单纠纷`,
      en: `Involved in ${disputeCount} order dispute(s) in the last 90 days`,
    });
  const paid = await db
    .selectFrom('payouts')
    .select(['amount_fen', 'channel', 'account_bidx', 'paid_at'])
    .where('user_id', '=', p.user_id)
    .where('status', '=', 'paid')
    .where('id', '<>', p.id)
    .orderBy('paid_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const last = paid[0];
  if (!last) {
    signals.push({ code: 'first_payout', level: 'medium', zh: '首次提现', en: 'First payout' });
  } else {
    const largest = Math.max(...paid.map((x) => x.amount_fen));
    if (p.amount_fen > largest * 3)
      signals.push({
        code: 'amount_spike',
        level: 'high',
        zh: `金额超过历史最大单笔提现（${formatFen(largest)}）的 3 倍`,
        en: `More than 3× the largest earlier payout (${formatFen(largest)})`,
      });
    // Compared by blind index: the same account without opening either number.
    if (last.channel !== p.channel || last.account_bidx !== p.account_bidx)
      signals.push({
        code: 'changed_account',
        level: 'high',
        zh: '收款账户与上次成功提现不同',
        en: 'The payee account differs from the last successful payout',
      });
  }
  return signals;
}
