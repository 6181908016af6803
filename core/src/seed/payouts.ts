import type { WithdrawalChannel } from '@jiangxin/shared/ops/payouts';
import { sql } from 'kysely';
import { outBizNoFor, payoutMoney, providerFor } from '../modules/payouts/commands';
import { holdPayout, PAYOUT_JOURNALS, settlePayout } from '../modules/payouts/ledger';
import type { AppContext } from '../platform/context';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A freelancer withdraws once this much has piled up since the last withdrawal. */
const WITHDRAW_AT_FEN = 20_000;
const MAX_PAST_PAYOUTS = 2;

/** The payee account a demo freelancer always withdraws to (the seeded requests reuse it). */
export function usualPayoutAccount(userId: number): { channel: WithdrawalChannel; number: string } {
  return userId % 2 === 0
    ? { channel: 'alipay', number: `demo${userId}@alipay.example` }
    : { channel: 'wechat', number: `wx_demo_${userId}` };
}

/** The name the demo payee accounts carry: the user's verified real name, or the demo placeholder. */
export const DEMO_PAYEE_NAME = '演示用户';

/**
 * Freelancers have been paid before: each one whose earnings piled up past ¥200 withdrew about 70% of
 * what was there a day or two later, to their usual account (up to twice), paid the same day. Without
 * that history every withdrawal is somebody's first and the risk rule flags them all. The money moves
 * through the payouts' own ledger functions (hold, then settle through the gateway's clearing account),
 * dated at the story's times; these old payouts open no case (they were settled before the queue's time).
 * Returns how many were written.
 */
export async function playPayoutHistory(ctx: AppContext, storyEnd: number): Promise<number> {
  const { rows: sealedRows } = await sql<{ user_id: number; at: Date; fen: number; name: string | null }>`
    SELECT a.user_id, j.created_at AS at, p.amount_fen AS fen, u.real_name AS name
    FROM ledger_postings p
    JOIN ledger_journals j ON j.id = p.journal_id
    JOIN ledger_accounts a ON a.id = p.account_id
    JOIN users u ON u.id = a.user_id
    WHERE a.kind = 'user_available' AND u.is_freelancer AND u.staff_roles = '{}'
    ORDER BY a.user_id, j.created_at, j.id`.execute(ctx.db.fresh);
  const rows = sealedRows.map((r) => ({ ...r, name: ctx.pii.openOrNull('users.real_name', r.name) }));

  const planned: { userId: number; name: string; fen: number; at: number }[] = [];
  let i = 0;
  while (i < rows.length) {
    const userId = Number(rows[i]!.user_id);
    const mine: { at: number; balance: number; name: string | null }[] = [];
    let balance = 0;
    for (; i < rows.length && Number(rows[i]!.user_id) === userId; i++) {
      balance += Number(rows[i]!.fen);
      mine.push({ at: new Date(rows[i]!.at).getTime(), balance, name: rows[i]!.name });
    }
    // The lowest the balance gets from each point on: a payout there may take at most that much, so the
    // wallet never goes below zero later (a freelancer may also spend from it).
    const lowest = mine.map((m) => m.balance);
    for (let k = lowest.length - 2; k >= 0; k--) lowest[k] = Math.min(lowest[k]!, lowest[k + 1]!);
    let paid = 0;
    let lastAt = 0;
    let count = 0;
    for (const [k, m] of mine.entries()) {
      if (count >= MAX_PAST_PAYOUTS) break;
      const free = lowest[k]! - paid;
      const at = m.at + DAY + (userId % 24) * HOUR;
      if (free < WITHDRAW_AT_FEN || m.at - lastAt < 7 * DAY || at >= storyEnd - DAY) continue;
      const next = mine[k + 1];
      if (next && next.at < at) continue; // withdraw in a quiet moment, after the latest earnings
      // About 70% of what is there, in whole yuan.
      const fen = Math.floor((free * 0.7) / 100) * 100;
      planned.push({ userId, name: m.name ?? DEMO_PAYEE_NAME, fen, at });
      paid += fen;
      lastAt = at;
      count += 1;
    }
  }

  for (let k = 0; k < planned.length; k += 100) {
    await ctx.db.transact(async (tx) => {
      for (const p of planned.slice(k, k + 100)) {
        const account = usualPayoutAccount(p.userId);
        const paidAt = new Date(p.at + 2 * HOUR + (p.userId % 50) * 60_000);
        const inserted = await tx
          .insertInto('payouts')
          .values({
            user_id: p.userId,
            amount_fen: p.fen,
            channel: account.channel,
            provider: providerFor(account.channel),
            account_name: ctx.pii.seal('payouts.account_name', p.name),
            account_number: ctx.pii.seal('payouts.account_number', account.number),
            account_bidx: ctx.pii.blindIndex('payee_account', account.number),
            bank_name: null,
            status: 'paid',
            required_approvals: 1,
            attempts: 1,
            approved_at: new Date(p.at + HOUR),
            paid_at: paidAt,
            created_at: new Date(p.at),
            updated_at: paidAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const row = await tx
          .updateTable('payouts')
          .set({ out_biz_no: outBizNoFor(inserted.id), gateway_ref: `SEED${outBizNoFor(inserted.id)}` })
          .where('id', '=', inserted.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await holdPayout(tx, payoutMoney(row));
        await settlePayout(tx, payoutMoney(row));
        await sql`UPDATE ledger_journals SET created_at = CASE idempotency_key
            WHEN ${`${PAYOUT_JOURNALS.requested}:${row.id}`} THEN ${new Date(p.at).toISOString()}::timestamptz
            ELSE ${paidAt.toISOString()}::timestamptz END
          WHERE idempotency_key IN (${`${PAYOUT_JOURNALS.requested}:${row.id}`}, ${`${PAYOUT_JOURNALS.paid}:${row.id}`})`.execute(
          tx,
        );
      }
    });
  }
  return planned.length;
}
