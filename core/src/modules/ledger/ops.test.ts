import type { Wallet } from '@jiangxin/shared/api/wallet';
import { platformFee } from '@jiangxin/shared/money';
import type { LedgerAccountsResponse, LedgerTransactionPage } from '@jiangxin/shared/ops/ledger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { insertPublishedService, orderThroughCommands } from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let client: Awaited<ReturnType<typeof signUp>>;
let freelancer: Awaited<ReturnType<typeof signUp>>;
const prices: [number, number, number] = [12_345, 20_000, 30_000];
let completedIds: number[] = [];
let paidOnlyId = 0;

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  const api = new ApiClient(t.url);
  client = await signUp(api, { userType: 'client' });
  freelancer = await signUp(api, { userType: 'freelancer' });
  const { serviceId } = await insertPublishedService(t, freelancer.userId, { prices });
  // Two paid and completed orders (payment + release) and one paid, still in progress (escrow held).
  const a = await orderThroughCommands(t, { serviceId, clientId: client.userId, tier: 'basic' });
  const b = await orderThroughCommands(t, { serviceId, clientId: client.userId, tier: 'standard' });
  const c = await orderThroughCommands(t, {
    serviceId,
    clientId: client.userId,
    tier: 'premium',
    status: 'in_progress',
  });
  completedIds = [a.id, b.id];
  paidOnlyId = c.id;
});
afterAll(() => t?.close());

const qs = (query: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
const txs = (api: ApiClient, query: Record<string, string | number>) =>
  api.get<LedgerTransactionPage>(`/ops/ledger/transactions?${qs(query)}`);
const accounts = (api: ApiClient, query: Record<string, string | number>) =>
  api.get<LedgerAccountsResponse>(`/ops/ledger/accounts?${qs(query)}`);

/** Every page of a listing, following the cursors. */
async function allPages(api: ApiClient, query: Record<string, string | number>) {
  const ids: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await txs(api, { ...query, ...(cursor ? { cursor } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    ids.push(...res.body.items.map((i) => i.id));
    cursor = res.body.nextCursor;
    pages += 1;
    expect(pages).toBeLessThan(50);
  } while (cursor);
  return { ids, pages };
}

describe('GET /ops/ledger/transactions', () => {
  it("shows an order's journals newest first, each balanced, with the fee and escrow figures", async () => {
    const orderId = completedIds[0]!;
    const res = await txs(team.finance.api, { orderId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items;
    expect(items.map((j) => j.kind)).toEqual(['order_release', 'order_payment']);
    expect(res.body.nextCursor).toBeNull();
    for (const j of items) {
      expect(j.orderId).toBe(orderId);
      expect(j.orderNumber).toMatch(/\S/);
      expect(j.postings.length).toBeGreaterThanOrEqual(2);
      expect(j.postings.reduce((sum, p) => sum + p.amountFen, 0)).toBe(0);
    }
    const [release, payment] = items as [(typeof items)[0], (typeof items)[0]];
    expect(release.id).toBeGreaterThan(payment.id);
    const fee = platformFee(prices[0], t.ctx.env.PLATFORM_FEE_BPS);
    expect(fee).toBeGreaterThan(0);
    const byKind = (kind: string) => release.postings.filter((p) => p.accountKind === kind);
    expect(byKind('escrow').map((p) => p.amountFen)).toEqual([-prices[0]]);
    expect(byKind('platform_fees').map((p) => p.amountFen)).toEqual([fee]);
    expect(byKind('platform_fees')[0]!.balanceAfterFen).toBeNull();
    const earning = byKind('user_available')[0]!;
    expect(earning).toMatchObject({
      userId: freelancer.userId,
      amountFen: prices[0] - fee,
      entryType: 'earning',
      accountCode: `user:${freelancer.userId}:available`,
    });
    // The escrow account of the order nets to zero once released.
    const escrow = items.flatMap((j) => j.postings).filter((p) => p.accountKind === 'escrow');
    expect(escrow.reduce((sum, p) => sum + p.amountFen, 0)).toBe(0);
    expect(payment.postings.find((p) => p.accountKind === 'escrow')?.balanceAfterFen).toBe(prices[0]);
  });

  it('finds an order by the order number staff see, as it does by ID; a bad or unknown number is refused', async () => {
    const orderId = completedIds[0]!;
    const { order_number: orderNumber } = await t.db.read
      .selectFrom('orders')
      .select('order_number')
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    const byId = await txs(team.finance.api, { orderId });
    const byNumber = await txs(team.finance.api, { orderNumber });
    expect(byNumber.status, JSON.stringify(byNumber.body)).toBe(200);
    expect(byNumber.body.items.map((j) => j.id)).toEqual(byId.body.items.map((j) => j.id));
    expect(byNumber.body.items.every((j) => j.orderNumber === orderNumber)).toBe(true);
    // Typed in lower case with spaces around it: the same order.
    const loose = await accounts(team.finance.api, { orderNumber: `  ${orderNumber.toLowerCase()} ` });
    expect(loose.status).toBe(200);
    expect(loose.body.accounts.find((a) => a.kind === 'escrow')?.orderId).toBe(orderId);

    const unknown = await txs(team.finance.api, { orderNumber: 'JX19990101999999' });
    expect(unknown.status).toBe(404);
    expect((unknown.body as unknown as { details: { zh: string } }).details.zh).toBe(
      '订单 JX19990101999999 不存在',
    );
    const malformed = await txs(team.finance.api, { orderNumber: '订单123' });
    expect(malformed.status).toBe(400);
    expect((malformed.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(
      ['querystring.orderNumber'],
    );
    const both = await accounts(team.finance.api, { orderId, orderNumber });
    expect(both.status).toBe(400);
    expect(
      (both.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
    ).toEqual(['querystring.orderId', 'querystring.orderNumber']);
  });

  it('returns every row exactly once across pages, for a user and for a hot platform account', async () => {
    const whole = await txs(team.finance.api, { userId: client.userId, limit: 100 });
    expect(whole.status).toBe(200);
    // Three payments, each into escrow through the client's wallet.
    expect(whole.body.items).toHaveLength(3);
    expect(whole.body.items.every((j) => j.kind === 'order_payment')).toBe(true);
    const paged = await allPages(team.finance.api, { userId: client.userId, limit: 1 });
    expect(paged.ids).toEqual(whole.body.items.map((j) => j.id));
    expect(new Set(paged.ids).size).toBe(3);
    expect(paged.pages).toBe(3);
    const ids = whole.body.items.map((j) => j.id);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);

    const fees = await allPages(team.finance.api, { account: 'platform:fees', limit: 1 });
    const feesWhole = await txs(team.admin.api, { account: 'platform:fees', limit: 100 });
    expect(fees.ids).toEqual(feesWhole.body.items.map((j) => j.id));
    expect(fees.ids).toHaveLength(2);

    const freelancerTx = await allPages(team.finance.api, { userId: freelancer.userId, limit: 2 });
    expect(freelancerTx.ids).toHaveLength(2);
  });

  it('refuses no filter, two filters, an unknown account, a bad cursor and a missing user', async () => {
    const none = await txs(team.finance.api, {});
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({
      code: 'validation_failed',
      details: { zh: expect.stringContaining('用户 ID'), en: expect.stringContaining('user id') },
    });
    const two = await txs(team.finance.api, { userId: client.userId, orderId: paidOnlyId });
    expect(two.status).toBe(400);
    expect((two.body as unknown as { details: { zh: string } }).details.zh).toContain('只能按一个条件');
    expect(
      (two.body as unknown as { errors: { field: string }[] }).errors.map((e) => e.field).sort(),
    ).toEqual(['querystring.orderId', 'querystring.userId']);
    const unknown = await txs(team.finance.api, { account: 'user:999999:available' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      errors: [{ field: 'querystring.account' }],
      details: { zh: expect.stringContaining('user:999999:available') },
    });
    expect((await txs(team.finance.api, { account: 'not a code!' })).status).toBe(400);
    expect((await txs(team.finance.api, { userId: 'abc' })).status).toBe(400);
    expect((await txs(team.finance.api, { userId: client.userId, cursor: 'bogus' })).status).toBe(400);
    const missing = await txs(team.finance.api, { userId: 987_654 });
    expect(missing.status).toBe(404);
    expect((missing.body as unknown as { details: { zh: string } }).details.zh).toContain('987654');
  });

  it('is for ledger.view only: support and moderators get 403, strangers 401', async () => {
    for (const who of [team.support, team.moderator]) {
      expect((await txs(who.api, { userId: client.userId })).status).toBe(403);
      expect((await accounts(who.api, { userId: client.userId })).status).toBe(403);
    }
    expect((await txs(new ApiClient(t.url), { userId: client.userId })).status).toBe(401);
    expect((await txs(freelancer.api, { userId: freelancer.userId })).status).toBe(403);
  });
});

describe('GET /ops/ledger/accounts', () => {
  it("gives the freelancer's balance exactly as the wallet route says", async () => {
    const res = await accounts(team.finance.api, { userId: freelancer.userId });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const own = await freelancer.api.get<Wallet>('/wallet');
    expect(own.status).toBe(200);
    expect(res.body.wallet).toEqual(own.body);
    const available = res.body.accounts.find((a) => a.kind === 'user_available');
    expect(available).toMatchObject({
      code: `user:${freelancer.userId}:available`,
      userId: freelancer.userId,
      balanceSource: 'cached',
      postingCount: 2,
    });
    const fee = (p: number) => platformFee(p, t.ctx.env.PLATFORM_FEE_BPS);
    const earned = prices[0] - fee(prices[0]) + prices[1] - fee(prices[1]);
    expect(available!.balanceFen).toBe(own.body.availableFen);
    expect(available!.balanceFen).toBe(earned);
  });

  it("lists an order's escrow and the accounts its journals touched, and one account by code", async () => {
    const held = await accounts(team.finance.api, { orderId: paidOnlyId });
    expect(held.status).toBe(200);
    expect(held.body.wallet).toBeNull();
    const escrow = held.body.accounts.find((a) => a.kind === 'escrow');
    expect(escrow).toMatchObject({ orderId: paidOnlyId, balanceFen: prices[2], balanceSource: 'cached' });
    expect(held.body.accounts.map((a) => a.kind).sort()).toEqual([
      'escrow',
      'gateway_clearing',
      'user_available',
    ]);
    const done = await accounts(team.finance.api, { orderId: completedIds[1]! });
    expect(done.body.accounts.find((a) => a.kind === 'escrow')?.balanceFen).toBe(0);
    expect(done.body.accounts.map((a) => a.kind)).toContain('platform_fees');

    const fees = await accounts(team.finance.api, { account: 'platform:fees' });
    expect(fees.status).toBe(200);
    expect(fees.body.accounts).toHaveLength(1);
    const feeSum =
      platformFee(prices[0], t.ctx.env.PLATFORM_FEE_BPS) + platformFee(prices[1], t.ctx.env.PLATFORM_FEE_BPS);
    expect(fees.body.accounts[0]).toMatchObject({
      kind: 'platform_fees',
      balanceFen: feeSum,
      balanceSource: 'summed',
      postingCount: 2,
    });
    // The clearing account goes negative by design: the money is at the gateway.
    const clearing = held.body.accounts.find((a) => a.kind === 'gateway_clearing');
    expect(clearing!.balanceFen).toBe(-(prices[0] + prices[1] + prices[2]));

    expect((await accounts(team.finance.api, {})).status).toBe(400);
    expect((await accounts(team.finance.api, { account: 'platform:nothing' })).status).toBe(400);
    expect((await accounts(team.finance.api, { orderId: 987_654 })).status).toBe(404);
  });
});
