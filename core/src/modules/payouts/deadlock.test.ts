import type { Wallet } from '@jiangxin/shared/api/wallet';
import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import type { Withdrawal } from '@jiangxin/shared/ops/payouts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually, idem } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';
import { executeDuePayouts } from './jobs';

/**
 * Issue 11 finding 2, the background half: a payout settling while its owner asks for another
 * withdrawal. The settlement locked the owner's `payout_pending` balance, then queued the "paid"
 * notification, whose foreign key to `users` waits for FOR KEY SHARE on the owner's row; the withdrawal
 * held that row FOR UPDATE and waited for the same balance. PostgreSQL killed one of them, and when it
 * was the settlement the payout sat in `processing` until its lease ran out.
 */
let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let clientId: number;
const retries: { code: string }[] = [];

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  team = await signUpStaffTeam(t);
  clientId = (await signUp(new ApiClient(t.url), { userType: 'client' })).userId;
  t.db.onRetry((r) => retries.push({ code: r.code }));
});
afterAll(() => t?.close());

/** A verified freelancer with an email address (so a notification row is queued) and ¥450 available. */
async function earner() {
  const who = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
  await t.db.write
    .updateTable('users')
    .set({ is_freelancer: true, real_name_status: 'verified', email: `${who.userId}@example.com` })
    .where('id', '=', who.userId)
    .execute();
  const { serviceId } = await insertPublishedService(t, who.userId, { prices: [50_000, 100_000, 150_000] });
  await orderThroughCommands(t, { serviceId, clientId });
  return who;
}

const withdraw = (api: ApiClient, amountFen: number) =>
  api.post<Withdrawal>(
    '/wallet/withdrawals',
    { amountFen, channel: 'alipay', account: { name: '张三', number: 'payee@example.com' } },
    idem(),
  );

/** Requests a withdrawal and has finance approve it, so the next execution pass pays it. */
async function approvedPayout(api: ApiClient, amountFen: number): Promise<number> {
  const res = await withdraw(api, amountFen);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const list = await team.finance.api.get<{ items: CaseSummary[] }>('/ops/cases?kind=payout&limit=200');
  const c = list.body.items.find((x) => x.subjectId === res.body.id)!;
  const ok = await team.finance.api.post(`/ops/cases/${c.id}/perform/approve_payout`, { version: c.version });
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  return res.body.id;
}

async function lockWaiters(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return r.rows[0]!.n;
}

describe('payout execution against a withdrawal of the same user', () => {
  it('settles the payout and takes the new withdrawal, both the first time, when they meet on the wallet', async () => {
    const f = await earner();
    const payoutId = await approvedPayout(f.api, 10_000);
    const retriesBefore = retries.length;

    let executed: Promise<number>;
    let requested: ReturnType<typeof withdraw>;
    if (t.db.native.kind === 'postgres') {
      // Hold the owner's payout_pending balance so that the settlement reaches it first and the
      // withdrawal second, then let both go: the interleaving that deadlocked.
      const pool = t.db.native.pool;
      const blocker = await pool.connect();
      try {
        await blocker.query('BEGIN');
        await blocker.query('SELECT id FROM ledger_accounts WHERE code = $1 FOR UPDATE', [
          `user:${f.userId}:payout_pending`,
        ]);
        executed = executeDuePayouts(t.ctx);
        await eventually(async () => (await lockWaiters(pool)) >= 1);
        requested = withdraw(f.api, 5_000);
        await eventually(async () => (await lockWaiters(pool)) >= 2);
        await blocker.query('COMMIT');
      } finally {
        blocker.release();
      }
    } else {
      executed = executeDuePayouts(t.ctx);
      requested = withdraw(f.api, 5_000);
    }

    const [settled, second] = await Promise.all([executed, requested]);
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    expect(settled).toBe(1);
    const payout = await t.db.read
      .selectFrom('payouts')
      .select(['status', 'lease_until', 'last_error'])
      .where('id', '=', payoutId)
      .executeTakeFirstOrThrow();
    expect(payout).toEqual({ status: 'paid', lease_until: null, last_error: null });
    const wallet = (await f.api.get<Wallet>('/wallet')).body;
    expect(wallet).toMatchObject({ availableFen: 45_000 - 10_000 - 5_000, payoutPendingFen: 5_000 });
    const queued = await t.db.read
      .selectFrom('notifications')
      .select('template')
      .where('user_id', '=', f.userId)
      .execute();
    expect(queued.map((n) => n.template)).toContain('payout_paid');
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
    // The lock order, not the retry, is what made this work.
    expect(retries.slice(retriesBefore)).toEqual([]);
  });
});
