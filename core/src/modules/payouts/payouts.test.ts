import type { Wallet } from '@jiangxin/shared/api/wallet';
import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { payoutCaseDetailSchema, type Withdrawal } from '@jiangxin/shared/ops/payouts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver } from '../../sandbox/testing';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { type StaffMember, signUpStaff, signUpStaffTeam } from '../../test/factories/staff';
import { idem } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';
import { createGateways } from '../payments/config';
import { executeDuePayouts } from './jobs';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let clientId: number;

interface Earner {
  api: ApiClient;
  userId: number;
}

/** A real-name-verified freelancer whose completed order left `earnFen` on the available balance. */
async function earner(
  priceFen: number,
  opts: { verified?: boolean; existing?: Earner } = {},
): Promise<Earner> {
  const who = opts.existing ?? (await signUp(new ApiClient(t.url), { userType: 'freelancer' }));
  await t.db.write
    .updateTable('users')
    .set({ is_freelancer: true, real_name_status: opts.verified === false ? 'unverified' : 'verified' })
    .where('id', '=', who.userId)
    .execute();
  const { serviceId } = await insertPublishedService(t, who.userId, {
    prices: [priceFen, priceFen * 2, priceFen * 3],
  });
  await orderThroughCommands(t, { serviceId, clientId });
  return { api: who.api, userId: who.userId };
}

const alipay = (number = 'payee@example.com', name = '张三') => ({
  channel: 'alipay',
  account: { name, number },
});

async function wallet(api: ApiClient): Promise<Wallet> {
  const r = await api.get<Wallet>('/wallet');
  expect(r.status).toBe(200);
  return r.body;
}

async function withdraw(api: ApiClient, amountFen: number, to: object = alipay()) {
  return api.post<Withdrawal>('/wallet/withdrawals', { amountFen, ...to }, idem());
}

/** The payout case a withdrawal opened. */
async function payoutCase(payoutId: number): Promise<CaseSummary> {
  const list = await team.finance.api.get<{ items: CaseSummary[] }>('/ops/cases?kind=payout&limit=200');
  expect(list.status).toBe(200);
  const c = list.body.items.find((x) => x.subjectId === payoutId);
  expect(c, `payout case of ${payoutId}`).toBeTruthy();
  return c!;
}

async function caseDetail(staff: StaffMember, caseId: number): Promise<CaseDetail> {
  const r = await staff.api.get<CaseDetail>(`/ops/cases/${caseId}`);
  expect(r.status).toBe(200);
  return r.body;
}

async function approve(staff: StaffMember, c: { id: number; version: number }) {
  return staff.api.post(`/ops/cases/${c.id}/perform/approve_payout`, { version: c.version });
}

async function myWithdrawal(api: ApiClient, id: number): Promise<Withdrawal> {
  const r = await api.get<{ items: Withdrawal[] }>('/wallet/withdrawals');
  expect(r.status).toBe(200);
  return r.body.items.find((w) => w.id === id)!;
}

async function expectLedgerClean() {
  const report = await checkLedger(t.db.read);
  expect(report.problems).toEqual([]);
}

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  team = await signUpStaffTeam(t);
  clientId = (await signUp(new ApiClient(t.url), { userType: 'client' })).userId;
});
afterAll(() => t?.close());

describe('withdrawal requests', () => {
  it('refuses an unverified user, and amounts outside the limits or the balance, naming the field; nothing is written', async () => {
    const unverified = await earner(50_000, { verified: false }); // earns ¥450 after the 10% fee
    const before = await wallet(unverified.api);
    expect(before.availableFen).toBe(45_000);

    const refused = await withdraw(unverified.api, 10_000);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'real_name_required', realNameStatus: 'unverified' });
    expect((refused.body as unknown as { detail: string }).detail).toContain('实名认证');

    await t.db.write
      .updateTable('users')
      .set({ real_name_status: 'verified' })
      .where('id', '=', unverified.userId)
      .execute();
    const low = await withdraw(unverified.api, 999);
    expect(low.status).toBe(400);
    expect(low.body).toMatchObject({
      code: 'withdrawal_amount_out_of_range',
      errors: [{ field: 'body.amountFen' }],
    });
    const high = await withdraw(unverified.api, 5_000_001);
    expect(high.status).toBe(400);
    expect(high.body).toMatchObject({ errors: [{ field: 'body.amountFen' }] });
    const tooMuch = await withdraw(unverified.api, 45_001);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body).toMatchObject({
      code: 'insufficient_funds',
      availableFen: 45_000,
      errors: [{ field: 'body.amountFen' }],
    });
    const noBank = await withdraw(unverified.api, 10_000, {
      channel: 'bank',
      account: { name: '张三', number: '6222020200112233445' },
    });
    expect(noBank.status).toBe(400);
    expect(JSON.stringify(noBank.body)).toContain('body.account.bankName');
    const noKey = await unverified.api.post('/wallet/withdrawals', { amountFen: 10_000, ...alipay() });
    expect(noKey.status).toBe(400);
    expect(noKey.body).toMatchObject({ code: 'idempotency_key_required' });

    expect(await wallet(unverified.api)).toEqual(before);
    const mine = await unverified.api.get<{ items: Withdrawal[] }>('/wallet/withdrawals');
    expect(mine.body.items).toEqual([]);
    const cases = await team.finance.api.get<{ items: CaseSummary[] }>(
      `/ops/cases?kind=payout&userId=${unverified.userId}`,
    );
    expect(cases.body.items).toEqual([]);
  });

  it('¥100: the amount is held at once, one approval executes it through the sandbox and the wallet shows it gone', async () => {
    const f = await earner(50_000);
    const key = idem();
    const body = { amountFen: 10_000, ...alipay('zhangsan@example.com') };
    const res = await f.api.post<Withdrawal>('/wallet/withdrawals', body, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ amountFen: 10_000, status: 'pending_review', channel: 'alipay' });
    expect(res.body.account.numberMasked.endsWith('.com')).toBe(true);
    const replay = await f.api.post<Withdrawal>('/wallet/withdrawals', body, key);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(res.body.id);
    expect(await wallet(f.api)).toMatchObject({ availableFen: 35_000, payoutPendingFen: 10_000 });

    const c = await payoutCase(res.body.id);
    expect(c).toMatchObject({
      status: 'open',
      stage: 'awaiting_approval',
      amountFen: 10_000,
      userId: f.userId,
    });
    expect(c.flags).toContain('risk'); // a brand-new account asking for its first payout
    expect(c.flags).not.toContain('maker_checker');
    const detail = await caseDetail(team.finance, c.id);
    const signals = (detail.detail['riskSignals'] as { code: string }[]).map((s) => s.code);
    expect(signals).toEqual(expect.arrayContaining(['new_account', 'first_payout']));
    // The payee's name is personal data: finance sees it masked, an admin (pii.reveal) in full.
    expect(c.summary['accountName']).toBe('张*');
    expect((detail.detail['payout'] as Withdrawal).account.name).toBe('张*');
    const asAdmin = await caseDetail(team.admin, c.id);
    expect((asAdmin.detail['payout'] as Withdrawal).account.name).toBe('张三');
    expect(detail.actions.find((a) => a.action === 'approve_payout')).toMatchObject({ available: true });

    // Support may not see payouts at all; a moderator may not approve.
    expect((await team.support.api.get(`/ops/cases/${c.id}`)).status).toBe(404);

    const ok = await approve(team.finance, c);
    expect(ok.status).toBe(200);
    expect(ok.body.case).toMatchObject({ status: 'waiting', stage: 'executing', assigneeId: null });
    expect((await myWithdrawal(f.api, res.body.id)).status).toBe('approved');

    expect(await executeDuePayouts(t.ctx)).toBe(1);
    const outBizNo = `JXPO${String(res.body.id).padStart(14, '0')}`;
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const transfers = t
      .sandbox!.statement(day)
      .filter((e) => e.kind === 'transfer' && e.outBizNo === outBizNo);
    expect(transfers).toMatchObject([{ provider: 'alipay', amountFen: 10_000, status: 'succeeded' }]);

    expect(await wallet(f.api)).toMatchObject({ availableFen: 35_000, payoutPendingFen: 0 });
    const paid = await myWithdrawal(f.api, res.body.id);
    expect(paid).toMatchObject({ status: 'paid', rejectionReason: null });
    expect(paid.paidAt).not.toBeNull();
    const after = await caseDetail(team.finance, c.id);
    expect(after.case).toMatchObject({ status: 'resolved', outcome: 'paid' });
    expect(await executeDuePayouts(t.ctx)).toBe(0);
    // The user's app followed along live: every step is an event addressed to them.
    const events = await t.db.read
      .selectFrom('events')
      .select(['type', 'payload', 'audience'])
      .where('aggregate_type', '=', 'payout')
      .where('aggregate_id', '=', res.body.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.type, (e.payload as { to?: string }).to ?? null])).toEqual([
      ['payout.requested', null],
      ['payout.status_changed', 'approved'],
      ['payout.status_changed', 'processing'],
      ['payout.status_changed', 'paid'],
    ]);
    expect(events.every((e) => e.audience.includes(f.userId))).toBe(true);
    await expectLedgerClean();
  });

  it('¥6,000 needs two different finance staff: the first approval waits, the same person cannot approve twice', async () => {
    const f = await earner(700_000); // ¥6,300 after the fee
    const res = await withdraw(f.api, 600_000, {
      channel: 'wechat',
      account: { name: '李四', number: 'o-openid-lisi' },
    });
    expect(res.status).toBe(201);
    const c = await payoutCase(res.body.id);
    expect(c.flags).toContain('maker_checker');
    // The title writes money as the console's amount column does (shared formatFen), not ¥6000.00.
    expect(c.title).toMatch(/^提现 ¥6,000\.00 · /);

    const first = await approve(team.finance, c);
    expect(first.status).toBe(200);
    expect(first.body.case).toMatchObject({
      status: 'open',
      stage: 'awaiting_second_approval',
      assigneeId: null,
    });
    expect(first.body.case.flags).toContain('second_approval_pending');
    expect((await myWithdrawal(f.api, res.body.id)).status).toBe('pending_review');
    expect(await executeDuePayouts(t.ctx)).toBe(0);

    const again = await approve(team.finance, first.body.case);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'case_action_unavailable' });
    expect(again.body.detail).toContain('另一位财务');

    const second = await approve(team.finance2, first.body.case);
    expect(second.status).toBe(200);
    expect(second.body.case).toMatchObject({ status: 'waiting', stage: 'executing' });
    const detail = await caseDetail(team.finance, c.id);
    expect((detail.detail['approvals'] as { staffId: number }[]).map((a) => a.staffId)).toEqual([
      team.finance.userId,
      team.finance2.userId,
    ]);

    expect(await executeDuePayouts(t.ctx)).toBe(1);
    expect((await myWithdrawal(f.api, res.body.id)).status).toBe('paid');
    expect(await wallet(f.api)).toMatchObject({ availableFen: 30_000, payoutPendingFen: 0 });
    await expectLedgerClean();
  });

  it('eligibility is checked again at the second approval: a banned user is not paid', async () => {
    const f = await earner(700_000);
    const res = await withdraw(f.api, 550_000);
    const c = await payoutCase(res.body.id);
    const first = await approve(team.finance, c);
    expect(first.status).toBe(200);
    await t.db.write.updateTable('users').set({ status: 'banned' }).where('id', '=', f.userId).execute();
    const second = await approve(team.finance2, first.body.case);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'payout_not_eligible' });
    const row = await t.db.read
      .selectFrom('payouts')
      .select('status')
      .where('id', '=', res.body.id)
      .executeTakeFirst();
    expect(row?.status).toBe('pending_review');
    expect((await caseDetail(team.finance, c.id)).case.version).toBe(first.body.case.version);
  });

  it('a finance member cannot approve (or reject) their own withdrawal; a colleague can', async () => {
    const staffEarner = await signUpStaff(t, ['finance'], '财务兼职');
    const f = await earner(50_000, { existing: { api: staffEarner.api, userId: staffEarner.userId } });
    const res = await withdraw(f.api, 20_000);
    expect(res.status).toBe(201);
    const c = await payoutCase(res.body.id);
    const detail = await caseDetail(staffEarner, c.id);
    expect(detail.actions.find((a) => a.action === 'approve_payout')).toMatchObject({ available: false });

    const own = await approve(staffEarner, c);
    expect(own.status).toBe(409);
    expect(own.body.detail).toContain('自己的提现');
    const ownReject = await staffEarner.api.post(`/ops/cases/${c.id}/perform/reject_payout`, {
      version: c.version,
      reason: '测试',
    });
    expect(ownReject.status).toBe(409);
    expect((await payoutCase(res.body.id)).version).toBe(c.version);

    const colleague = await approve(team.finance, c);
    expect(colleague.status).toBe(200);
    expect(await executeDuePayouts(t.ctx)).toBe(1);
  });

  it('reject returns the funds and the user reads the reason', async () => {
    const f = await earner(50_000);
    const res = await withdraw(f.api, 30_000);
    const c = await payoutCase(res.body.id);
    const empty = await team.finance.api.post(`/ops/cases/${c.id}/perform/reject_payout`, {
      version: c.version,
      reason: '',
    });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('body.reason');
    const rejected = await team.finance.api.post(`/ops/cases/${c.id}/perform/reject_payout`, {
      version: c.version,
      reason: '收款人姓名与实名信息不一致',
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.case).toMatchObject({ status: 'resolved', outcome: 'rejected' });
    expect(await wallet(f.api)).toMatchObject({ availableFen: 45_000, payoutPendingFen: 0 });
    expect(await myWithdrawal(f.api, res.body.id)).toMatchObject({
      status: 'rejected',
      rejectionReason: '收款人姓名与实名信息不一致',
    });
    const late = await approve(team.finance2, rejected.body.case);
    expect(late.status).toBe(409);
    await expectLedgerClean();
  });

  it('a payee the gateway refuses: funds come back and the case reopens with the reason', async () => {
    const f = await earner(50_000);
    const res = await withdraw(f.api, 20_000, alipay('invalid-account@example.com'));
    const c = await payoutCase(res.body.id);
    expect((await approve(team.finance, c)).status).toBe(200);
    expect(await executeDuePayouts(t.ctx)).toBe(1);

    expect(await wallet(f.api)).toMatchObject({ availableFen: 45_000, payoutPendingFen: 0 });
    const w = await myWithdrawal(f.api, res.body.id);
    expect(w.status).toBe('failed');
    expect(w.failureReason).toContain('PAYEE_NOT_EXIST');
    const reopened = await caseDetail(team.finance, c.id);
    expect(reopened.case).toMatchObject({ status: 'open', stage: 'failed' });
    expect(reopened.case.flags).toContain('reopened');
    expect(reopened.history.at(-1)).toMatchObject({ action: 'transfer_failed', toStatus: 'open' });
    expect(reopened.history.at(-1)!.note).toContain('PAYEE_NOT_EXIST');
    expect(await executeDuePayouts(t.ctx)).toBe(0); // never retried

    const closed = await team.finance.api.post(`/ops/cases/${c.id}/perform/close_failed`, {
      version: reopened.case.version,
      note: '已联系用户更换收款账户',
    });
    expect(closed.status).toBe(200);
    expect(closed.body.case).toMatchObject({ status: 'resolved', outcome: 'failed' });
    await expectLedgerClean();
  });

  it("the case detail has the withdrawer's earlier withdrawals with their outcomes and the execution state", async () => {
    const f = await earner(100_000); // ¥900
    const first = await withdraw(f.api, 10_000);
    const c1 = await payoutCase(first.body.id);
    const rejected = await team.finance.api.post(`/ops/cases/${c1.id}/perform/reject_payout`, {
      version: c1.version,
      reason: '收款账户信息有误',
    });
    expect(rejected.status).toBe(200);
    const second = await withdraw(f.api, 20_000, alipay('invalid-account@example.com'));
    const c2 = await payoutCase(second.body.id);
    expect((await approve(team.finance, c2)).status).toBe(200);
    expect(await executeDuePayouts(t.ctx)).toBe(1);
    const third = await withdraw(f.api, 30_000);
    const c3 = await payoutCase(third.body.id);

    const detail = payoutCaseDetailSchema.parse((await caseDetail(team.finance, c3.id)).detail);
    expect(detail.payoutHistory).toMatchObject([
      { id: second.body.id, status: 'failed', amountFen: 20_000, rejectionReason: null },
      { id: first.body.id, status: 'rejected', rejectionReason: '收款账户信息有误', failureReason: null },
    ]);
    expect(detail.payoutHistory[0]!.failureReason).toContain('PAYEE_NOT_EXIST');
    expect(detail.payout).toMatchObject({ status: 'pending_review', attempts: 0, requiredApprovals: 1 });
    expect(detail.user).toMatchObject({ id: f.userId, realNameStatus: 'verified', status: 'active' });

    const failed = payoutCaseDetailSchema.parse((await caseDetail(team.finance, c2.id)).detail);
    expect(failed.payout).toMatchObject({ status: 'failed', outBizNo: expect.stringMatching(/^JXPO/) });
    expect(failed.payout.attempts).toBeGreaterThanOrEqual(1);
    expect(failed.payout.failureReason).toContain('PAYEE_NOT_EXIST');
    expect(failed.approvals).toMatchObject([{ staffId: team.finance.userId }]);
    expect(failed.payoutHistory.map((h) => h.id)).toEqual([third.body.id, first.body.id]);
  });

  it('an unknown transfer result is queried first and re-sent with the same parameters only when the gateway never saw it', async () => {
    // A proxy in front of the sandbox's Alipay endpoint that can swallow transfer requests (never
    // forwarded, never answered: the adapter times out and cannot know what happened).
    let swallowTransfers = 0;
    let loseAnswers = 0; // forwarded, but the answer never comes back
    const seen: string[] = [];
    const proxy = await startReceiver(async (req) => {
      const params = new URLSearchParams(req.body);
      const method = params.get('method') ?? '';
      seen.push(method);
      if (method === 'alipay.fund.trans.uni.transfer' && swallowTransfers > 0) {
        swallowTransfers -= 1;
        return null;
      }
      const res = await fetch(`${t.sandbox!.url}${req.url}`, {
        method: req.method,
        headers: { 'content-type': String(req.headers['content-type']) },
        body: req.body,
      });
      if (method === 'alipay.fund.trans.uni.transfer' && loseAnswers > 0) {
        loseAnswers -= 1;
        return null;
      }
      return {
        status: res.status,
        body: await res.text(),
        contentType: res.headers.get('content-type') ?? '',
      };
    });
    try {
      const creds = t.sandbox!.credentials;
      const gateways = createGateways(
        t.ctx.env,
        { ...creds, alipay: { ...creds.alipay, gatewayUrl: `${proxy.url}/alipay/gateway.do` } },
        { timeoutMs: 400 },
      );
      const ctx = { ...t.ctx, gateways };
      const f = await earner(50_000);
      const res = await withdraw(f.api, 12_300);
      expect((await approve(team.finance, await payoutCase(res.body.id))).status).toBe(200);

      // Both sends vanish: the query in between says "unknown", so the payout waits, still held.
      swallowTransfers = 2;
      expect(await executeDuePayouts(ctx)).toBe(0);
      expect(seen).toEqual([
        'alipay.fund.trans.uni.transfer',
        'alipay.fund.trans.common.query',
        'alipay.fund.trans.uni.transfer',
      ]);
      expect((await myWithdrawal(f.api, res.body.id)).status).toBe('processing');
      expect(await wallet(f.api)).toMatchObject({ payoutPendingFen: 12_300 });
      expect(await executeDuePayouts(ctx)).toBe(0); // leased: not retried at once

      // A minute later the next pass asks first; the gateway still does not know it, so it is sent again.
      t.clock.advance(61_000);
      seen.length = 0;
      expect(await executeDuePayouts(ctx)).toBe(1);
      expect(seen).toEqual(['alipay.fund.trans.common.query', 'alipay.fund.trans.uni.transfer']);
      expect((await myWithdrawal(f.api, res.body.id)).status).toBe('paid');

      // The answer is lost but the transfer went through: the query finds it and nothing is sent again.
      const res2 = await withdraw(f.api, 4_500);
      expect((await approve(team.finance, await payoutCase(res2.body.id))).status).toBe(200);
      seen.length = 0;
      loseAnswers = 1;
      expect(await executeDuePayouts(ctx)).toBe(1);
      expect(seen).toEqual(['alipay.fund.trans.uni.transfer', 'alipay.fund.trans.common.query']);
      expect((await myWithdrawal(f.api, res2.body.id)).status).toBe('paid');

      const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
      const sent = t
        .sandbox!.statement(day)
        .filter(
          (e) =>
            e.kind === 'transfer' &&
            [res.body.id, res2.body.id].some((id) => e.outBizNo === `JXPO${String(id).padStart(14, '0')}`),
        );
      expect(sent.map((e) => e.amountFen).sort((a, b) => a - b)).toEqual([4_500, 12_300]);
      expect(await wallet(f.api)).toMatchObject({
        availableFen: 45_000 - 12_300 - 4_500,
        payoutPendingFen: 0,
      });
      await expectLedgerClean();
    } finally {
      await proxy.close();
    }
  });

  it('two executeDuePayouts at once transfer once', async () => {
    const f = await earner(50_000);
    const res = await withdraw(f.api, 15_000);
    expect((await approve(team.finance, await payoutCase(res.body.id))).status).toBe(200);
    const [a, b] = await Promise.all([executeDuePayouts(t.ctx), executeDuePayouts(t.ctx)]);
    expect(a + b).toBe(1);
    const row = await t.db.read
      .selectFrom('payouts')
      .selectAll()
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'paid', attempts: 1 });
    const journals = await t.db.read
      .selectFrom('ledger_journals')
      .select('id')
      .where('idempotency_key', '=', `payout_paid:${res.body.id}`)
      .execute();
    expect(journals).toHaveLength(1);
    const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(
      t.sandbox!.statement(day).filter((e) => e.kind === 'transfer' && e.outBizNo === row.out_biz_no),
    ).toHaveLength(1);
    expect(await wallet(f.api)).toMatchObject({ availableFen: 30_000, payoutPendingFen: 0 });
  });

  it('batch approve: per-item results for valid, stale and unknown items', async () => {
    const f = await earner(100_000); // ¥900
    const ids: number[] = [];
    for (const amount of [10_000, 11_000, 12_000]) ids.push((await withdraw(f.api, amount)).body.id);
    const [c1, c2, c3] = await Promise.all(ids.map((id) => payoutCase(id)));
    const res = await team.finance.api.post('/ops/payouts/batch-approve', {
      items: [
        { caseId: c1!.id, version: c1!.version },
        { caseId: c2!.id, version: c2!.version + 5 },
        { caseId: c3!.id, version: c3!.version },
        { caseId: 999_999_999, version: 1 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toMatchObject([
      { caseId: c1!.id, ok: true, stage: 'executing' },
      { caseId: c2!.id, ok: false, code: 'case_version_conflict' },
      { caseId: c3!.id, ok: true, stage: 'executing' },
      { caseId: 999_999_999, ok: false, code: 'not_found' },
    ]);
    expect(res.body.results[1].message).toContain('刷新');
    // The refusal in both languages, for a console in either.
    expect(res.body.results[1].reason).toMatchObject({
      zh: expect.stringContaining('刷新'),
      en: expect.any(String),
    });
    expect(res.body.results[1].reason.en).toContain('reload');
    expect(res.body.results[0].reason).toBeNull();
    expect((await payoutCase(ids[1]!)).stage).toBe('awaiting_approval');

    const tooMany = await team.finance.api.post('/ops/payouts/batch-approve', {
      items: Array.from({ length: 101 }, (_, i) => ({ caseId: i + 1, version: 1 })),
    });
    expect(tooMany.status).toBe(400);
    const moderator = await team.moderator.api.post('/ops/payouts/batch-approve', {
      items: [{ caseId: c2!.id, version: c2!.version }],
    });
    expect(moderator.status).toBe(403);
    expect(await executeDuePayouts(t.ctx)).toBe(2);
  });

  it('50 simultaneous approvals of one case take effect once', async () => {
    const f = await earner(50_000);
    const res = await withdraw(f.api, 10_000);
    const c = await payoutCase(res.body.id);
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => approve(i % 2 ? team.finance : team.finance2, c)),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(49);
    const approvals = await t.db.read
      .selectFrom('payout_approvals')
      .selectAll()
      .where('payout_id', '=', res.body.id)
      .execute();
    expect(approvals).toHaveLength(1);
    const detail = await caseDetail(team.finance, c.id);
    expect(detail.history.filter((h) => h.action === 'approve_payout')).toHaveLength(1);
    expect(await executeDuePayouts(t.ctx)).toBe(1);
    expect(await wallet(f.api)).toMatchObject({ availableFen: 35_000, payoutPendingFen: 0 });
    await expectLedgerClean();
  });
});
