import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import { disputeCaseDetailSchema } from '@jiangxin/shared/ops/disputes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { eventually, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { checkLedger } from '../ledger/check';
import { connectEvents } from '../messaging/test-fixtures';

/**
 * Disputes end to end over HTTP: a paid, delivered order is disputed by the client; the case opens with
 * the evidence deadline; both parties add evidence until it passes; staff resolve by refund, release or
 * split — money through the ledger and the sandbox gateway — with a second approval above the threshold.
 */
let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
const PRICES: [number, number, number] = [20_000, 50_000, 800_000]; // ¥200, ¥500, ¥8,000 (above ¥5,000)

beforeAll(async () => {
  t = await startTestApp({ payments: true, env: { SWEEP_INTERVAL_SECONDS: '0' } });
  team = await signUpStaffTeam(t);
});
afterAll(() => t?.close());

interface Parties {
  client: Awaited<ReturnType<typeof signUp>>;
  freelancer: Awaited<ReturnType<typeof signUp>>;
}

/** Fresh parties, a paid order accepted and delivered, then disputed by the client; returns its case. */
async function disputedOrder(tier: 'basic' | 'premium' = 'basic') {
  const api = new ApiClient(t.url);
  const client = await signUp(api, { userType: 'client', nickname: '王女士' });
  const freelancer = await signUp(api, { userType: 'freelancer', nickname: '小鱼设计工作室' });
  const { serviceId } = await insertPublishedService(t, freelancer.userId, { prices: PRICES });
  const { order, payment } = await placePaidOrder(t, client.api, serviceId, { tier });
  expect((await freelancer.api.post(`/orders/${order.id}/accept`, {})).status).toBe(200);
  const delivered = await freelancer.api.post(`/orders/${order.id}/deliver`, {
    message: '初稿已交付，请查收',
  });
  expect(delivered.status).toBe(200);
  const disputed = await client.api.post(`/orders/${order.id}/dispute`, {
    reason: '交付的设计与需求完全不符，沟通后对方拒绝修改',
  });
  expect(disputed.status, JSON.stringify(disputed.body)).toBe(200);
  expect(disputed.body.status).toBe('disputed');
  const list = await team.moderator.api.get<{ items: CaseSummary[] }>(
    `/ops/cases?kind=dispute&orderId=${order.id}`,
  );
  expect(list.status).toBe(200);
  expect(list.body.items).toHaveLength(1);
  return { order, payment, parties: { client, freelancer } as Parties, c: list.body.items[0]! };
}

const wallet = async (who: { api: ApiClient }) => (await who.api.get('/wallet')).body;
const caseDetail = async (staff: { api: ApiClient }, id: number) =>
  (await staff.api.get<CaseDetail>(`/ops/cases/${id}`)).body;
const offer = (d: CaseDetail, action: string) => d.actions.find((a) => a.action === action);

async function uploadPng(who: ApiClient, name: string): Promise<number> {
  const png = Buffer.from(
    '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000100ffff03000006000557bfab0000000049454e44ae426082',
    'hex',
  );
  const form = new FormData();
  form.append('file', new Blob([png], { type: 'image/png' }), name);
  const res = await fetch(`${t.url}/api/v1/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function expectLedgerClean() {
  const report = await checkLedger(t.db.read);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('disputes', () => {
  it('opens a case with the evidence deadline; parties add evidence until it passes; staff see the whole story', async () => {
    const { order, parties, c } = await disputedOrder();
    const { client, freelancer } = parties;
    expect(c).toMatchObject({
      kind: 'dispute',
      status: 'open',
      stage: 'open',
      priority: 1,
      userId: client.userId,
      orderId: order.id,
      amountFen: PRICES[0],
      subjectType: 'dispute',
    });
    expect(c.summary).toMatchObject({
      orderNumber: order.orderNumber,
      reason: '交付的设计与需求完全不符，沟通后对方拒绝修改',
      clientName: '王女士',
      freelancerName: '小鱼设计工作室',
      openedBySide: 'client',
    });
    const until = new Date(c.summary['evidenceUntil'] as string).getTime();
    // 72 hours from the dispute (default `disputeEvidenceHours`), give or take the request's own time.
    expect(Math.abs(until - new Date(c.createdAt).getTime() - 72 * 3_600_000)).toBeLessThan(5_000);

    // The parties chatted about the order before the dispute.
    const conv = await client.api.post('/conversations', {
      participantId: freelancer.userId,
      orderId: order.id,
      message: '你好，设计稿的配色和需求不一致',
    });
    expect(conv.status).toBeLessThan(300);

    const fileId = await uploadPng(client.api, '需求截图.png');
    const byClient = await client.api.post(`/disputes/${c.subjectId}/evidence`, {
      note: '附上最初的需求截图',
      fileIds: [fileId],
    });
    expect(byClient.status, JSON.stringify(byClient.body)).toBe(201);
    expect(byClient.body).toMatchObject({ side: 'client', authorName: '王女士', note: '附上最初的需求截图' });
    expect(byClient.body.files.map((f: { id: number }) => f.id)).toEqual([fileId]);
    const byFreelancer = await freelancer.api.post(`/disputes/${c.subjectId}/evidence`, {
      note: '我方已按需求交付，聊天记录可证',
    });
    expect(byFreelancer.status).toBe(201);
    // The other party may open the client's evidence file.
    const file = await fetch(`${t.url}/api/v1/files/${fileId}/content`, {
      headers: { authorization: `Bearer ${freelancer.api.token}` },
    });
    expect(file.status).toBe(200);

    // A stranger cannot add evidence nor read the dispute; someone else's file is refused by field.
    const stranger = await signUp(new ApiClient(t.url), { userType: 'client' });
    expect((await stranger.api.post(`/disputes/${c.subjectId}/evidence`, { note: '路人' })).status).toBe(404);
    expect((await stranger.api.get(`/orders/${order.id}/dispute`)).status).toBe(404);
    const strangerFile = await uploadPng(stranger.api, 'x.png');
    const badFile = await freelancer.api.post(`/disputes/${c.subjectId}/evidence`, {
      note: '借用别人的文件',
      fileIds: [strangerFile],
    });
    expect(badFile.status).toBe(400);
    expect(JSON.stringify(badFile.body)).toContain('fileIds');
    const empty = await client.api.post(`/disputes/${c.subjectId}/evidence`, { note: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toContain('note');

    // Staff see the whole story in one response.
    const d = await caseDetail(team.moderator, c.id);
    // The detail is what the shared contract says (the console parses it with the same schema).
    expect(disputeCaseDetailSchema.safeParse(d.detail).error).toBeUndefined();
    const detail = d.detail as Record<string, any>;
    expect(detail['order']).toMatchObject({
      orderNumber: order.orderNumber,
      status: 'disputed',
      amountFen: PRICES[0],
    });
    expect(detail['order'].timeline.map((e: { action: string }) => e.action)).toEqual([
      'created',
      'mark_paid',
      'accept',
      'deliver',
      'dispute',
    ]);
    expect(detail['order'].deliveries[0].message).toBe('初稿已交付，请查收');
    expect(detail['messages'].map((m: { content: string }) => m.content)).toContain(
      '你好，设计稿的配色和需求不一致',
    );
    expect(detail['evidence'].map((e: { side: string }) => e.side)).toEqual(['client', 'freelancer']);
    expect(detail['evidence'][0].files[0].id).toBe(fileId);
    expect(detail['escrow']).toMatchObject({ orderAmountFen: PRICES[0], heldFen: PRICES[0] });
    expect(detail['deadlines'].evidenceOpen).toBe(true);
    expect(detail['resolution']).toMatchObject({ state: 'open', needsSecondApproval: false, proposal: null });
    expect(detail['parties'].client.nickname).toBe('王女士');
    expect(d.history.map((h) => h.action)).toEqual(['opened', 'evidence_added', 'evidence_added']);
    expect(offer(d, 'resolve')).toMatchObject({ available: true });
    expect(offer(d, 'approve_resolution')).toBeUndefined(); // a moderator has no second-approval permission

    // After the deadline: refused with a clear message, nothing added.
    t.clock.advance(72 * 3_600_000 + 60_000);
    const late = await freelancer.api.post(`/disputes/${c.subjectId}/evidence`, { note: '补充一份材料' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('dispute_evidence_closed');
    expect(late.body.detail).toContain('举证期已于');
    const lateEn = await freelancer.api.post(
      `/disputes/${c.subjectId}/evidence`,
      { note: 'one more' },
      { 'accept-language': 'en' },
    );
    expect(lateEn.body.detail).toContain('evidence period ended');
    const view = await freelancer.api.get(`/orders/${order.id}/dispute`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({
      status: 'open',
      evidenceOpen: false,
      escrowFen: PRICES[0],
      resolution: null,
    });
    expect(view.body.evidence).toHaveLength(2);
  });

  it('a split that does not sum to the escrow is refused naming both fields, and nothing changes', async () => {
    const { order, parties, c } = await disputedOrder();
    const before = { client: await wallet(parties.client), freelancer: await wallet(parties.freelancer) };
    const bad = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'split',
      refundFen: 7_000,
      releaseFen: 12_000,
      note: '双方各有责任',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('dispute_amounts_mismatch');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'body.refundFen',
      'body.releaseFen',
    ]);
    const missing = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'split',
      refundFen: 20_000,
      note: '缺少放款金额',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('body.releaseFen');
    const fraction = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'split',
      refundFen: 7_000.5,
      releaseFen: 12_999.5,
      note: '小数金额',
    });
    expect(fraction.status).toBe(400);

    expect(await wallet(parties.client)).toEqual(before.client);
    expect(await wallet(parties.freelancer)).toEqual(before.freelancer);
    expect((await parties.client.api.get(`/orders/${order.id}`)).body.status).toBe('disputed');
    const after = await caseDetail(team.moderator, c.id);
    expect(after.case).toMatchObject({ version: c.version, status: 'open', assigneeId: null });
    expect(after.history.map((h) => h.action)).toEqual(['opened']);
    await expectLedgerClean();
  });

  it('a split refunds the client through the gateway and pays the freelancer minus the fee; both are told', async () => {
    const { order, payment, parties, c } = await disputedOrder();
    const clientEvents = connectEvents(t.url, { token: parties.client.api.token! });
    const freelancerEvents = connectEvents(t.url, { token: parties.freelancer.api.token! });
    await Promise.all([clientEvents.connected, freelancerEvents.connected]);
    try {
      const done = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
        version: c.version,
        outcome: 'split',
        refundFen: 7_000,
        releaseFen: 13_000,
        note: '交付部分符合需求，按比例分配',
      });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      const fee = Math.floor((13_000 * 1000) / 10_000);
      expect(done.body.case).toMatchObject({
        status: 'resolved',
        outcome: 'split',
        stage: 'split',
        assigneeId: null,
      });
      expect(done.body.result).toMatchObject({
        executed: true,
        refundFen: 7_000,
        releaseFen: 13_000,
        feeFen: fee,
      });

      await t.app.sweep();
      await eventually(() => t.sandbox!.trade(payment.outTradeNo)?.refundedFen === 7_000);
      const refund = await t.db.read
        .selectFrom('refunds')
        .selectAll()
        .where('order_id', '=', order.id)
        .executeTakeFirstOrThrow();
      expect(refund).toMatchObject({ amount_fen: 7_000, status: 'succeeded' });

      expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: 13_000 - fee });
      expect(await wallet(parties.client)).toMatchObject({ availableFen: 0, frozenFen: 0 });
      const o = (await parties.client.api.get(`/orders/${order.id}`)).body;
      expect(o).toMatchObject({ status: 'completed', platformFeeFen: fee });
      expect(o.timeline.at(-1)).toMatchObject({
        action: 'resolve_dispute',
        note: '交付部分符合需求，按比例分配',
      });
      const view = (await parties.freelancer.api.get(`/orders/${order.id}/dispute`)).body;
      expect(view).toMatchObject({
        status: 'resolved',
        resolution: { outcome: 'split', refundFen: 7_000, releaseFen: 13_000, feeFen: fee },
      });

      for (const live of [clientEvents, freelancerEvents]) {
        const e = await eventually(() => live.received.find((x) => x.type === 'dispute.resolved'));
        expect(e.payload).toMatchObject({
          orderId: order.id,
          outcome: 'split',
          refundFen: 7_000,
          releaseFen: 13_000,
        });
      }
      await expectLedgerClean();
    } finally {
      clientEvents.socket.close();
      freelancerEvents.socket.close();
    }
  });

  it('a full refund cancels the order and returns the money through the gateway', async () => {
    const { order, payment, parties, c } = await disputedOrder();
    const done = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'refund',
      note: '服务商未按需求交付',
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.result).toMatchObject({ refundFen: PRICES[0], releaseFen: 0, feeFen: 0 });
    await t.app.sweep();
    await eventually(() => t.sandbox!.trade(payment.outTradeNo)?.refundedFen === PRICES[0]);
    expect((await parties.client.api.get(`/orders/${order.id}`)).body.status).toBe('cancelled');
    expect(await wallet(parties.client)).toMatchObject({ availableFen: 0, frozenFen: 0 });
    expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: 0 });
    const events = await t.db.read
      .selectFrom('events')
      .select(['audience', 'payload'])
      .where('type', '=', 'dispute.resolved')
      .where('aggregate_id', '=', order.id)
      .execute();
    expect(events).toHaveLength(1);
    expect([...events[0]!.audience].sort()).toEqual(
      [parties.client.userId, parties.freelancer.userId].sort(),
    );
    await expectLedgerClean();
  });

  it('a full release completes the order and pays the freelancer as on completion', async () => {
    const { order, payment, parties, c } = await disputedOrder();
    const wrong = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'release',
      refundFen: 1,
      note: '放款',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('body.refundFen');
    const done = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'release',
      note: '雇主的要求超出了套餐范围，交付合格',
    });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    const fee = Math.floor((PRICES[0] * 1000) / 10_000);
    expect((await parties.client.api.get(`/orders/${order.id}`)).body).toMatchObject({
      status: 'completed',
      platformFeeFen: fee,
    });
    expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: PRICES[0] - fee });
    expect(t.sandbox!.trade(payment.outTradeNo)?.refundedFen).toBe(0);
    // Resolved: the action is no longer offered, and performing it again is refused.
    const d = await caseDetail(team.moderator, c.id);
    expect(offer(d, 'resolve')).toMatchObject({ available: false });
    const again = await team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: d.case.version,
      outcome: 'refund',
      note: '再来一次',
    });
    expect(again.status).toBe(409);
    await expectLedgerClean();
  });

  it('above the threshold: the proposal waits for a different approver; reject, re-propose, approve once', async () => {
    const { order, parties, c } = await disputedOrder('premium');
    expect(c).toMatchObject({ priority: 2, amountFen: PRICES[2] });
    expect(c.flags).toContain('maker_checker');
    const escrow = PRICES[2];

    // The admin (who holds both permissions) proposes; nothing moves yet and the case is released.
    const proposed = await team.admin.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: c.version,
      outcome: 'split',
      refundFen: 300_000,
      releaseFen: escrow - 300_000,
      note: '部分交付，按工作量分配',
    });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(200);
    expect(proposed.body.result).toMatchObject({ executed: false, awaitingSecondApproval: true });
    expect(proposed.body.case).toMatchObject({
      status: 'open',
      stage: 'awaiting_second_approval',
      assigneeId: null,
    });
    expect(proposed.body.case.flags).toContain('second_approval_pending');
    expect((await parties.client.api.get(`/orders/${order.id}`)).body.status).toBe('disputed');
    expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: 0 });

    // Finance rejects it: back to open, no proposal.
    const rejected = await team.finance.api.post(`/ops/cases/${c.id}/perform/reject_resolution`, {
      version: proposed.body.case.version,
      note: '分配比例缺少依据',
    });
    expect(rejected.status, JSON.stringify(rejected.body)).toBe(200);
    expect(rejected.body.case).toMatchObject({ status: 'open', stage: 'open', assigneeId: null });
    expect(rejected.body.case.flags).not.toContain('second_approval_pending');

    const again = await team.admin.api.post(`/ops/cases/${c.id}/perform/resolve`, {
      version: rejected.body.case.version,
      outcome: 'release',
      note: '复查聊天记录后，交付合格',
    });
    expect(again.status).toBe(200);
    let v = again.body.case.version;

    // The proposer cannot approve their own proposal, and the console shows why.
    const asProposer = await caseDetail(team.admin, c.id);
    expect(offer(asProposer, 'resolve')).toMatchObject({ available: false });
    expect(offer(asProposer, 'approve_resolution')).toMatchObject({
      available: false,
      reason: { zh: '不能复核自己提出的裁决方案，须由另一位同事复核' },
    });
    const self = await team.admin.api.post(`/ops/cases/${c.id}/perform/approve_resolution`, { version: v });
    expect(self.status).toBe(409);
    expect(self.body.detail).toContain('不能复核自己提出的裁决方案');
    // A moderator may not approve at all.
    const mod = await team.moderator.api.post(`/ops/cases/${c.id}/perform/approve_resolution`, {
      version: v,
    });
    expect(mod.status).toBe(403);

    const asFinance = await caseDetail(team.finance, c.id);
    expect(disputeCaseDetailSchema.safeParse(asFinance.detail).error).toBeUndefined();
    expect(offer(asFinance, 'approve_resolution')).toMatchObject({ available: true });
    expect((asFinance.detail as Record<string, any>)['resolution']).toMatchObject({
      state: 'awaiting_second_approval',
      needsSecondApproval: true,
      proposal: { outcome: 'release', proposedBy: team.admin.userId },
    });

    const approved = await team.finance.api.post(`/ops/cases/${c.id}/perform/approve_resolution`, {
      version: v,
      note: '同意',
    });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.case).toMatchObject({ status: 'resolved', outcome: 'release' });
    v = approved.body.case.version;
    const fee = Math.floor((escrow * 1000) / 10_000);
    expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: escrow - fee });

    // Nobody approves twice.
    const twice = await team.finance.api.post(`/ops/cases/${c.id}/perform/approve_resolution`, {
      version: v,
    });
    expect(twice.status).toBe(409);
    const other = await team.finance2.api.post(`/ops/cases/${c.id}/perform/approve_resolution`, {
      version: v,
    });
    expect(other.status).toBe(409);
    expect(await wallet(parties.freelancer)).toMatchObject({ availableFen: escrow - fee });

    const resolved = (await caseDetail(team.finance, c.id)).detail;
    expect(disputeCaseDetailSchema.safeParse(resolved).error).toBeUndefined();
    const d = resolved as Record<string, any>;
    expect(d['resolution'].approvals.map((a: { step: string }) => a.step)).toEqual([
      'proposed',
      'rejected',
      'proposed',
      'approved',
      'executed',
    ]);
    expect(d['resolution']).toMatchObject({
      state: 'resolved',
      approvedBy: team.finance.userId,
      resolvedBy: team.admin.userId,
    });
    await expectLedgerClean();
  });

  it('50 concurrent resolve calls on one case move the money exactly once', async () => {
    const { order, payment, parties, c } = await disputedOrder();
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        team.moderator.api.post(`/ops/cases/${c.id}/perform/resolve`, {
          version: c.version,
          outcome: 'refund',
          note: '并发退款',
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const journals = await t.db.read
      .selectFrom('ledger_journals')
      .select('kind')
      .where('order_id', '=', order.id)
      .execute();
    expect(journals.map((j) => j.kind).sort()).toEqual(['order_payment', 'order_refund']);
    const refunds = await t.db.read
      .selectFrom('refunds')
      .selectAll()
      .where('order_id', '=', order.id)
      .execute();
    expect(refunds).toHaveLength(1);
    await t.app.sweep();
    await eventually(() => t.sandbox!.trade(payment.outTradeNo)?.refundedFen === PRICES[0]);
    expect(await wallet(parties.client)).toMatchObject({ availableFen: 0, frozenFen: 0 });
    const history = (await caseDetail(team.moderator, c.id)).history.map((h) => h.action);
    expect(history).toEqual(['opened', 'resolve']);
    await expectLedgerClean();
  }, 60_000);
});
