import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { reconciliationMismatchDetailSchema, type Withdrawal } from '@jiangxin/shared/ops/payouts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { idem, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';
import { transitionOrder } from '../orders/commands';
import { shanghaiDate } from '../payments/protocol';
import { payoutMoney } from './commands';
import { executeDuePayouts, reconcileDay, sandboxStatementSource } from './jobs';
import { settlePayout } from './ledger';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: { api: ApiClient; userId: number };

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  team = await signUpStaffTeam(t);
  freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
  await t.db.write
    .updateTable('users')
    .set({ real_name_status: 'verified' })
    .where('id', '=', freelancer.userId)
    .execute();
  // Money that really went through the sandbox: a client pays on the pay page, the work is accepted.
  const client = await signUp(new ApiClient(t.url), { userType: 'client' });
  const { serviceId } = await insertPublishedService(t, freelancer.userId, {
    prices: [50_000, 80_000, 120_000],
  });
  const { order } = await placePaidOrder(t, client.api, serviceId);
  const f = { kind: 'user' as const, userId: freelancer.userId };
  await transitionOrder(t.ctx, order.id, f, 'accept');
  await transitionOrder(t.ctx, order.id, f, 'deliver', { message: '已交付' });
  await transitionOrder(t.ctx, order.id, { kind: 'user', userId: client.userId }, 'complete');
});
afterAll(() => t?.close());

async function paidWithdrawal(amountFen: number): Promise<Withdrawal> {
  const res = await freelancer.api.post<Withdrawal>(
    '/wallet/withdrawals',
    { amountFen, channel: 'alipay', account: { name: '张三', number: 'zhangsan@example.com' } },
    idem(),
  );
  expect(res.status).toBe(201);
  const list = await team.finance.api.get<{ items: CaseSummary[] }>(
    `/ops/cases?kind=payout&userId=${freelancer.userId}`,
  );
  const c = list.body.items.find((x) => x.subjectId === res.body.id)!;
  const ok = await team.finance.api.post(`/ops/cases/${c.id}/perform/approve_payout`, { version: c.version });
  expect(ok.status).toBe(200);
  expect(await executeDuePayouts(t.ctx)).toBe(1);
  return res.body;
}

async function mismatchCases(): Promise<CaseSummary[]> {
  const r = await team.finance.api.get<{ items: CaseSummary[] }>('/ops/cases?kind=reconciliation_mismatch');
  expect(r.status).toBe(200);
  return r.body.items;
}

describe('daily reconciliation', () => {
  it('ledger and gateway agree: no mismatch; a difference on either side opens one case, once', async () => {
    await paidWithdrawal(10_000);
    const day = shanghaiDate(new Date());
    const statement = sandboxStatementSource(t.sandbox!.url);
    expect(await reconcileDay(t.ctx, day, { statement })).toEqual({ mismatches: 0, opened: 0 });
    expect(await mismatchCases()).toEqual([]);

    // The gateway paid something the ledger never booked …
    const rogue = await t.ctx.gateways.alipay.transfer({
      outBizNo: 'ROGUE20261127001',
      amountFen: 5_000,
      payeeAccount: 'wangwu@example.com',
      payeeName: '王五',
      remark: '未记账转账',
    });
    expect(rogue.status).toBe('succeeded');
    // … and the ledger booked a payout as paid that never reached the gateway.
    const res = await freelancer.api.post<Withdrawal>(
      '/wallet/withdrawals',
      { amountFen: 2_000, channel: 'alipay', account: { name: '张三', number: 'zhangsan@example.com' } },
      idem(),
    );
    const ghost = await t.db.transact(async (tx) => {
      const p = await tx
        .updateTable('payouts')
        .set({ status: 'paid', paid_at: new Date() })
        .where('id', '=', res.body.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await settlePayout(tx, payoutMoney(p));
      return p;
    });

    const first = await reconcileDay(t.ctx, day, { statement });
    expect(first).toEqual({ mismatches: 2, opened: 2 });
    const cases = await mismatchCases();
    expect(cases).toHaveLength(2);
    const byRef = Object.fromEntries(cases.map((c) => [c.summary['reference'], c]));
    expect(byRef['ROGUE20261127001']).toMatchObject({
      status: 'open',
      stage: 'missing_in_ledger',
      amountFen: 5_000,
    });
    expect(byRef[ghost.out_biz_no!]).toMatchObject({ stage: 'missing_at_gateway', amountFen: 2_000 });

    expect(await reconcileDay(t.ctx, day, { statement })).toEqual({ mismatches: 2, opened: 0 });
    expect(await mismatchCases()).toHaveLength(2);

    // Moderators do not see reconciliation; finance resolves it with a note.
    const rogueCase = byRef['ROGUE20261127001']!;
    expect((await team.moderator.api.get(`/ops/cases/${rogueCase.id}`)).status).toBe(404);
    const detail = await team.finance.api.get<CaseDetail>(`/ops/cases/${rogueCase.id}`);
    expect(detail.body.detail['mismatch']).toMatchObject({
      problem: 'missing_in_ledger',
      gatewayAmountFen: 5_000,
    });
    // Nothing on the platform answers to the rogue transfer; the ghost payout is found with its dates.
    expect(reconciliationMismatchDetailSchema.parse(detail.body.detail)).toMatchObject({
      mismatch: { kind: 'transfer', provider: 'alipay', reference: 'ROGUE20261127001', day },
      ledgerRecord: null,
    });
    const ghostCase = byRef[ghost.out_biz_no!]!;
    const ghostDetail = await team.finance.api.get<CaseDetail>(`/ops/cases/${ghostCase.id}`);
    expect(reconciliationMismatchDetailSchema.parse(ghostDetail.body.detail)).toMatchObject({
      mismatch: { problem: 'missing_at_gateway', ledgerAmountFen: 2_000, gatewayAmountFen: null },
      ledgerRecord: {
        type: 'payout',
        id: ghost.id,
        userId: freelancer.userId,
        status: 'paid',
        amountFen: 2_000,
        settledAt: expect.any(String),
      },
    });
    const noNote = await team.finance.api.post(`/ops/cases/${rogueCase.id}/perform/resolve`, {
      version: rogueCase.version,
    });
    expect(noNote.status).toBe(400);
    const resolved = await team.finance.api.post(`/ops/cases/${rogueCase.id}/perform/resolve`, {
      version: rogueCase.version,
      note: '已与支付宝核实，为测试转账，已追回',
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body.case).toMatchObject({ status: 'resolved', outcome: 'resolved' });
    // Resolved mismatches stay recorded: the next run does not open them again.
    expect((await reconcileDay(t.ctx, day, { statement })).opened).toBe(0);
    expect((await checkLedger(t.db.read)).problems).toEqual([]);
  });
});
