import { platformFee } from '@jiangxin/shared/money';
import type { StatsResponse } from '@jiangxin/shared/ops/stats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { idem, placePaidOrder } from '../../test/flows';
import { startTestApp, type TestApp } from '../../test/harness';
import { changeCase, openCase } from '../cases/commands';
import { lockCase } from '../cases/queries';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
const prices: [number, number, number] = [10_000, 20_000, 30_000];

let subject = 0;
const openReport = () => {
  subject += 1;
  return t.db.transact((tx) =>
    openCase(t.ctx, tx, {
      kind: 'report',
      subjectType: 'review',
      subjectId: subject,
      stage: 'open',
      title: '举报',
    }),
  );
};
const resolve = (id: number) =>
  t.db.transact(async (tx) =>
    changeCase(t.ctx, tx, (await lockCase(tx, id))!, null, 'resolved', { status: 'resolved' }),
  );

beforeAll(async () => {
  t = await startTestApp({ payments: true });
  team = await signUpStaffTeam(t);
  const api = new ApiClient(t.url);
  const client = await signUp(api, { userType: 'client' });
  const freelancer = await signUp(api, { userType: 'freelancer' });
  const { serviceId } = await insertPublishedService(t, freelancer.userId, { prices });

  // Completed (fee taken), waiting for acceptance (in escrow), declined (refunded).
  const { order: done } = await placePaidOrder(t, client.api, serviceId, { tier: 'basic' });
  await placePaidOrder(t, client.api, serviceId, { tier: 'standard' });
  const { order: declined } = await placePaidOrder(t, client.api, serviceId, { tier: 'premium' });
  await freelancer.api.post(`/orders/${done.id}/accept`, {}, idem());
  await freelancer.api.post(`/orders/${done.id}/deliver`, { message: '交付' }, idem());
  expect((await client.api.post(`/orders/${done.id}/complete`, {}, idem())).body.status).toBe('completed');
  expect(
    (await freelancer.api.post(`/orders/${declined.id}/decline`, { reason: '档期已满' }, idem())).body.status,
  ).toBe('cancelled');

  // Three reports handled in 10, 20 and 60 minutes (median 20 min) …
  for (const minutes of [10, 20, 60]) {
    const c = await openReport();
    t.clock.advance(minutes * 60_000);
    await resolve(c.id);
  }
  // … and two still open, one of them past its SLA (24 h) and escalated by the job.
  await openReport();
  t.clock.advance(25 * 3_600_000);
  await openReport();
  await t.app.sweep();
});
afterAll(() => t?.close());

const get = (api: ApiClient, query: Record<string, string>) =>
  api.get<StatsResponse>(`/ops/stats?${new URLSearchParams(query)}`);

describe('GET /ops/stats', () => {
  it('adds up money from the ledger per China-time day, and the queues as they are now', async () => {
    const now = Date.now();
    const from = new Date(now - 86_400_000).toISOString();
    const to = new Date(now + 2 * 86_400_000).toISOString();
    const res = await get(team.moderator.api, { from, to, bucket: 'day' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body;
    const fee = platformFee(prices[0], t.ctx.env.PLATFORM_FEE_BPS);
    expect(fee).toBeGreaterThan(0);
    expect(s.totals).toEqual({
      gmvFen: 60_000,
      ordersPaid: 3,
      platformFeesFen: fee,
      refundsFen: 30_000,
      payoutsRequested: { count: 0, amountFen: 0 },
      payoutsExecuted: { count: 0, amountFen: 0 },
      payoutsFailed: { count: 0, amountFen: 0 },
    });
    // China-time days: 3 or 4 of them, labelled by date, starting at 16:00 UTC; the money is in today's.
    expect(s.timeZone).toBe('Asia/Shanghai');
    expect(s.buckets.length).toBeGreaterThanOrEqual(3);
    for (const b of s.buckets) {
      expect(b.start).toMatch(/T16:00:00\.000Z$/);
      expect(b.label).toBe(new Date(Date.parse(b.start) + 8 * 3_600_000).toISOString().slice(0, 10));
    }
    const today = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(s.buckets.find((b) => b.label === today)?.gmvFen).toBe(60_000);
    expect(s.buckets.reduce((sum, b) => sum + b.refundsFen, 0)).toBe(30_000);

    expect(s.current.escrowHeldFen).toBe(prices[1]);
    expect(s.current.ordersByStatus).toMatchObject({
      completed: 1,
      pending_acceptance: 1,
      cancelled: 1,
      disputed: 0,
    });
    const reports = s.current.cases.find((c) => c.kind === 'report');
    expect(reports).toMatchObject({ kind: 'report', queueDepth: 2, slaBreached: 1, resolvedInRange: 3 });
    // 20 minutes of clock, plus the real milliseconds the test took between opening and resolving.
    expect(reports?.medianHandlingSeconds).toBeGreaterThanOrEqual(1200);
    expect(reports?.medianHandlingSeconds).toBeLessThan(1205);
    expect(s.current.cases.find((c) => c.kind === 'payout')).toMatchObject({
      queueDepth: 0,
      resolvedInRange: 0,
    });
    expect(s.current.cases.find((c) => c.kind === 'payout')?.medianHandlingSeconds).toBeNull();
  });

  it('buckets by China-time hour', async () => {
    const now = Date.now();
    const res = await get(team.admin.api, {
      from: new Date(now - 3 * 3_600_000).toISOString(),
      to: new Date(now + 3_600_000).toISOString(),
      bucket: 'hour',
    });
    expect(res.status).toBe(200);
    expect(res.body.buckets.length).toBeGreaterThanOrEqual(4);
    expect(res.body.buckets.length).toBeLessThanOrEqual(5);
    for (const b of res.body.buckets) expect(b.label).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:00$/);
    expect(res.body.totals.gmvFen).toBe(60_000);
    // Nothing happened three hours ago.
    expect(res.body.buckets[0]!.gmvFen).toBe(0);
  });

  it('refuses bad ranges naming the field, and staff without stats.view', async () => {
    const field = async (query: Record<string, string>) => {
      const r = await get(team.moderator.api, query);
      expect(r.status).toBe(400);
      return (r.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field);
    };
    expect(await field({ bucket: 'week' })).toEqual(['querystring.bucket']);
    expect(await field({ from: '2026-11-20T00:00:00Z', to: '2026-11-10T00:00:00Z' })).toEqual([
      'querystring.to',
    ]);
    expect(await field({ from: '2026-11-01T00:00:00Z', to: '2026-11-20T00:00:00Z', bucket: 'hour' })).toEqual(
      ['querystring.from'],
    );
    expect(await field({ from: '2026-01-01T00:00:00Z', to: '2026-11-20T00:00:00Z' })).toEqual([
      'querystring.from',
    ]);
    expect(await field({ from: '昨天' })).toEqual(['querystring.from']);

    expect((await get(team.support.api, {})).status).toBe(403);
    expect((await get(new ApiClient(t.url), {})).status).toBe(401);
    // Defaults: the last 30 days by day.
    const def = await get(team.finance.api, {});
    expect(def.status).toBe(200);
    expect(def.body.bucket).toBe('day');
    expect(Date.parse(def.body.to) - Date.parse(def.body.from)).toBe(30 * 86_400_000);
  });
});
