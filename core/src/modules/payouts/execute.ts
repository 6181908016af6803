import type { CaseFlag } from '@jiangxin/shared/ops/cases';
import type { AppContext } from '../../platform/context';
import type { PiiKeyring } from '../../platform/crypto/pii';
import type { Tx } from '../../platform/db/database';
import { lockPayout } from '../../platform/db/locks';
import { changeCase } from '../cases/commands';
import { type CaseRow, lockCase } from '../cases/queries';
import type { RemoteResult, TransferInput } from '../payments/gateway';
import { outBizNoFor, type PayoutRow, payoutMoney, setPayoutStatus } from './commands';
import { returnPayout, settlePayout } from './ledger';

/** How long an instance owns a payout it sent to the gateway before another may take it over. */
const LEASE_MS = 5 * 60_000;
/** When the gateway's answer stays unknown, ask again after this long. */
const RETRY_MS = 60_000;

/**
 * Executes approved payouts through their gateway. Each payout is first leased under its row lock (only
 * one instance wins; the others skip it), then sent with an `out_biz_no` derived from its id. An unknown
 * outcome (timeout, system error) is queried first and re-sent with the same parameters only when the
 * gateway never saw it; a later pass of a payout already tried queries before anything else. Returns how
 * many payouts reached a final state (paid or failed).
 */
export async function executeDuePayouts(ctx: AppContext): Promise<number> {
  const now = ctx.now();
  const due = await ctx.db.write
    .selectFrom('payouts')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('status', '=', 'approved'),
        eb.and([
          eb('status', '=', 'processing'),
          eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]),
        ]),
      ]),
    )
    .orderBy('id')
    .limit(100)
    .execute();
  let settled = 0;
  for (const { id } of due) {
    try {
      if (await executePayout(ctx, id)) settled += 1;
    } catch (err) {
      ctx.log.error({ err, payoutId: id }, 'payout execution failed');
    }
  }
  return settled;
}

/** Takes the payout for this instance, or null when it is not due (another instance has it, or it is settled). */
async function lease(ctx: AppContext, id: number): Promise<{ row: PayoutRow; triedBefore: boolean } | null> {
  return ctx.db.transact(async (tx) => {
    const p = await lockPayout(tx, id);
    const now = ctx.now();
    const expired = p.lease_until === null || new Date(p.lease_until).getTime() <= now.getTime();
    if (!(p.status === 'approved' || (p.status === 'processing' && expired))) return null;
    const row = await setPayoutStatus(ctx, tx, p, 'processing', {
      attempts: p.attempts + 1,
      lease_until: new Date(now.getTime() + LEASE_MS),
    });
    return { row, triedBefore: p.attempts > 0 };
  });
}

export function transferInputOf(pii: PiiKeyring, p: PayoutRow): TransferInput {
  return {
    outBizNo: outBizNoFor(p.id),
    amountFen: p.amount_fen,
    // Opened only here, for the gateway call; a payee that fails its integrity check is never paid.
    payeeAccount: pii.open('payouts.account_number', p.account_number),
    payeeName: pii.open('payouts.account_name', p.account_name),
    remark: `匠心提现 ${outBizNoFor(p.id)}`,
  };
}

async function executePayout(ctx: AppContext, id: number): Promise<boolean> {
  const leased = await lease(ctx, id);
  if (!leased) return false;
  const p = leased.row;
  const gateway = ctx.gateways[p.provider];
  const input = transferInputOf(ctx.pii, p);
  let result: RemoteResult = { status: 'pending' };
  let lastError: string | null = null;
  try {
    // A payout tried before may have reached the gateway: ask first, send only if it is unknown there.
    const known = leased.triedBefore ? await gateway.queryTransfer(input.outBizNo) : null;
    result = known ?? (await gateway.transfer(input));
    if (result.status === 'pending') {
      const after = await gateway.queryTransfer(input.outBizNo);
      result = after ?? (await gateway.transfer(input));
    }
  } catch (err) {
    lastError = (err as Error).message;
    result = { status: 'pending' };
  }
  if (result.status === 'pending') {
    await ctx.db.transact(async (tx) => {
      await tx
        .updateTable('payouts')
        .set({
          last_error: lastError ?? 'gateway result unknown',
          lease_until: new Date(ctx.now().getTime() + RETRY_MS),
          updated_at: ctx.now(),
        })
        .where('id', '=', p.id)
        .where('status', '=', 'processing')
        .execute();
    });
    return false;
  }
  const final = result;
  return ctx.db.transact(async (tx) => {
    // Lock order (platform/db/locks.ts): the payout's case, then the payout, as staff actions take them;
    // then the balances (settle/return), the user's notification and the case history are inserted.
    const c = await payoutCase(tx, p.id);
    const row = await lockPayout(tx, p.id);
    if (row.status !== 'processing') return false; // settled meanwhile by an instance that took over
    if (final.status === 'succeeded') {
      await settlePayout(tx, payoutMoney(row));
      await setPayoutStatus(ctx, tx, row, 'paid', {
        gateway_ref: final.gatewayRef,
        paid_at: ctx.now(),
        lease_until: null,
        last_error: null,
      });
      if (c && c.status !== 'resolved')
        await changeCase(ctx, tx, c, null, 'paid', {
          status: 'resolved',
          stage: 'paid',
          outcome: 'paid',
          note: `已打款，网关单号 ${final.gatewayRef}`,
          data: { gatewayRef: final.gatewayRef },
        });
      return true;
    }
    await returnPayout(tx, payoutMoney(row));
    await setPayoutStatus(
      ctx,
      tx,
      row,
      'failed',
      { failure_reason: final.reason, lease_until: null, last_error: final.reason },
      final.reason,
    );
    if (c) {
      // The transfer failed for good: the money is back on the wallet and staff must look again.
      await changeCase(ctx, tx, c, null, 'transfer_failed', {
        status: 'open',
        stage: 'failed',
        priority: Math.max(c.priority, 2),
        flags: [...new Set([...(c.flags as CaseFlag[]), 'reopened' as const])],
        restartSla: true,
        note: `打款失败，资金已退回余额：${final.reason}`,
        data: { reason: final.reason },
      });
    }
    return true;
  });
}

/** The payout's (latest) case, found without a lock and then locked, or undefined when it has none. */
async function payoutCase(tx: Tx, payoutId: number): Promise<CaseRow | undefined> {
  const ref = await tx
    .selectFrom('cases')
    .select('id')
    .where('kind', '=', 'payout')
    .where('subject_type', '=', 'payout')
    .where('subject_id', '=', payoutId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return ref ? lockCase(tx, ref.id) : undefined;
}
