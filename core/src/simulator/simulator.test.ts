import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPublishedService, seedCatalog } from '../test/factories/catalog';
import { startTestApp, type TestApp } from '../test/harness';
import { idNumber } from './content';
import { HttpClient } from './http';
import { Dice } from './random';
import { type SimStats, simulate } from './runner';

/**
 * The simulator against a real core with the sandbox gateway: a fixed number of steps with a fixed seed,
 * then the effects a marketplace user (or a moderator) would notice are checked in the database.
 */
describe('simulator', () => {
  let t: TestApp;
  let stats: SimStats;
  const lines: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ payments: true });
    await seedCatalog(t);
    // Three freelancers whose listings moderation has already published (so clients can order at once),
    // real-name verified by staff (so they can withdraw once they have earned something).
    const accounts: { login: string; password: string; role: 'freelancer'; realName: string }[] = [];
    for (let i = 1; i <= 3; i++) {
      const username = `simtest_f${i}`;
      const password = 'simtest-password';
      const res = await fetch(`${t.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password, nickname: `测试服务商${i}`, userType: 'freelancer' }),
      });
      expect(res.status).toBe(201);
      const { user } = (await res.json()) as { user: { id: number } };
      await insertPublishedService(t, user.id, { prices: [80_000, 300_000, 900_000] });
      await insertPublishedService(t, user.id, { prices: [30_000, 60_000, 120_000] });
      await t.db.transact((tx) =>
        tx
          .updateTable('users')
          .set({
            real_name_status: 'verified',
            real_name: t.ctx.pii.seal('users.real_name', '王伟'),
            id_number: t.ctx.pii.seal('users.id_number', idNumber(new Dice(i))),
          })
          .where('id', '=', user.id)
          .execute(),
      );
      accounts.push({ login: username, password, role: 'freelancer', realName: '王伟' });
    }
    stats = await simulate({
      url: t.url,
      sandboxUrl: t.sandbox!.url,
      rate: 0,
      steps: 300,
      seed: 20261127,
      clients: 4,
      freelancers: 3,
      accounts,
      demoUsers: false,
      // Shares raised so a short run surely shows every kind of work.
      shares: { dispute: 0.2, paymentFailure: 0.2, contactLeak: 0.3, prohibited: 0.15, largeWithdrawal: 0.5 },
      mix: { order: 12, withdraw: 4 },
      report: (text) => lines.push(text),
    });
  }, 240_000);

  afterAll(async () => {
    await t?.close();
  });

  it('stops by itself after the given number of steps, with a summary and no crash', () => {
    expect(stats.stoppedBy).toBe('steps');
    expect(stats.steps).toBe(300);
    expect(stats.exceptions).toBe(0);
    expect(stats.population).toEqual({ clients: 4, freelancers: 3 });
    expect(lines.at(-1)).toContain('simulation summary');
    // The core never answered with a server error.
    expect(Object.keys(stats.errors).filter((k) => k.startsWith('5'))).toEqual([]);
  });

  it('signs clients up and places orders that get paid, worked on and completed', async () => {
    expect(stats.effects.usersRegistered).toBeGreaterThanOrEqual(4);
    const orders = await t.db.read.selectFrom('orders').select(['status', 'paid_at']).execute();
    expect(orders.length).toBe(stats.effects.ordersCreated);
    expect(orders.length).toBeGreaterThan(10);
    expect(orders.filter((o) => o.paid_at !== null).length).toBeGreaterThan(5);
    expect(orders.filter((o) => o.status === 'completed').length).toBeGreaterThan(0);
    expect(stats.effects.ordersAccepted).toBeGreaterThan(0);
    expect(stats.effects.ordersDelivered).toBeGreaterThan(0);
  });

  it('fails some payments at the sandbox and pays again with the other provider', async () => {
    const payments = await t.db.read
      .selectFrom('payments')
      .select(['status', 'order_id', 'provider'])
      .execute();
    const failed = payments.filter((p) => p.status === 'failed');
    expect(stats.effects.paymentsFailed).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    const retried = failed.filter((f) =>
      payments.some(
        (p) => p.order_id === f.order_id && p.provider !== f.provider && p.status === 'succeeded',
      ),
    );
    expect(retried.length).toBeGreaterThan(0);
  });

  it('submits listings for review, some leaking contacts or offering prohibited work', async () => {
    const pending = await t.db.read
      .selectFrom('services')
      .select(['description'])
      .where('status', '=', 'pending_review')
      .execute();
    expect(pending.length).toBeGreaterThan(0);
    expect(pending.some((s) => /微信|电话|QQ|V:/.test(s.description))).toBe(true);
    expect(stats.effects.listingsWithContactLeak).toBeGreaterThan(0);
    expect(stats.effects.listingsWithProhibitedContent).toBeGreaterThan(0);
  });

  it('disputes orders when the mix makes it likely', async () => {
    const disputed = await t.db.read
      .selectFrom('orders')
      .select('id')
      .where('status', '=', 'disputed')
      .execute();
    expect(stats.effects.disputesOpened).toBeGreaterThan(0);
    expect(disputed.length).toBe(stats.effects.disputesOpened);
  });

  it('uses the newer routes, or counts them as unavailable when this core lacks them', () => {
    const used = (effect: keyof SimStats['effects'], route: string) =>
      stats.effects[effect] > 0 || (stats.unavailable[route] ?? 0) > 0;
    expect(used('supportChatsOpened', 'POST /api/v1/support/conversations')).toBe(true);
    expect(used('reportsFiled', 'POST /api/v1/reports')).toBe(true);
    expect(used('withdrawalsRequested', 'POST /api/v1/wallet/withdrawals')).toBe(true);
    expect(stats.effects.messagesSent).toBeGreaterThan(0);
  });

  it('counts a route the core does not have as unavailable, not as an error', async () => {
    const traffic = { requests: 0, errors: {}, unavailable: {} };
    const api = new HttpClient(t.url, traffic);
    // A newer core's route this one lacks; the typed client rightly refuses the path, hence the casts.
    const r = await api.send((c) =>
      c.POST(
        '/api/v1/no-such-feature/{id}' as '/api/v1/reports',
        {
          params: { path: { id: '1' } },
          body: {},
        } as never,
      ),
    );
    expect(r).toMatchObject({ ok: false, unavailable: true });
    expect(traffic).toEqual({
      requests: 1,
      errors: {},
      unavailable: { 'POST /api/v1/no-such-feature/{id}': 1 },
    });
  });
});
