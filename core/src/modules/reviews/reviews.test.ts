import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import { orderThroughCommands, publishService, seedCatalog, serviceBody } from '../../test/factories/catalog';
import { startTestApp, type TestApp } from '../../test/harness';

let t: TestApp;
let api: ApiClient;
let cat: Awaited<ReturnType<typeof seedCatalog>>;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  cat = await seedCatalog(t);
});
afterAll(() => t?.close());

/** A freelancer with one published listing (plus a second one), signed in. */
async function freelancerWithListings() {
  const fl = await signUp(api, { userType: 'freelancer', nickname: '匠人小李' });
  const serviceId = (await fl.api.post('/services', serviceBody(cat.logo.id))).body.id as number;
  const otherServiceId = (await fl.api.post('/services', serviceBody(cat.web.id))).body.id as number;
  await publishService(t, serviceId);
  await publishService(t, otherServiceId);
  return { ...fl, serviceId, otherServiceId };
}

async function reviewEvents(targetUserId: number) {
  const rows = await t.db.write
    .selectFrom('events')
    .select(['payload', 'audience'])
    .where('type', '=', 'review.created')
    .orderBy('id')
    .execute();
  return rows
    .map((r) => ({
      payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, number>,
      audience: r.audience.map(Number),
    }))
    .filter((e) => e.payload['targetUserId'] === targetUserId);
}

describe('reviewing an order', () => {
  it('lets each side review a completed order once and keeps exact averages', async () => {
    const fl = await freelancerWithListings();
    const clients = await Promise.all([1, 2, 3].map(() => signUp(api, { userType: 'client' })));
    const ratings = [5, 4, 4];
    const orders = [];
    for (const [i, c] of clients.entries())
      orders.push(
        await orderThroughCommands(t, {
          serviceId: fl.serviceId,
          clientId: c.userId,
          tier: i === 0 ? 'premium' : 'basic',
        }),
      );

    const first = await clients[0]!.api.post(`/orders/${orders[0]!.id}/reviews`, {
      rating: 5,
      comment: '非常专业，推荐！',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      orderId: orders[0]!.id,
      serviceId: fl.serviceId,
      authorId: clients[0]!.userId,
      targetUserId: fl.userId,
      direction: 'client_to_freelancer',
      rating: 5,
      comment: '非常专业，推荐！',
    });
    expect(first.body.authorNickname).toBe(clients[0]!.tokens.user.nickname);

    for (const i of [1, 2])
      expect(
        (await clients[i]!.api.post(`/orders/${orders[i]!.id}/reviews`, { rating: ratings[i] })).status,
      ).toBe(201);

    // 13 / 3 = 4.333… → 4.33 on the listing and on the freelancer.
    const service = await api.get(`/services/${fl.serviceId}`);
    expect(service.body).toMatchObject({ rating: 4.33, ratingCount: 3 });
    expect((await api.get(`/users/${fl.userId}`)).body).toMatchObject({ rating: 4.33, ratingCount: 3 });
    const card = (await api.get(`/services?q=${encodeURIComponent('专业LOGO设计')}`)).body.items.find(
      (s: { id: number }) => s.id === fl.serviceId,
    );
    expect(card).toMatchObject({
      rating: 4.33,
      ratingCount: 3,
      freelancer: { rating: 4.33, ratingCount: 3 },
    });

    // A review on another listing of the same freelancer moves the freelancer, not this listing.
    const otherOrder = await orderThroughCommands(t, {
      serviceId: fl.otherServiceId,
      clientId: clients[0]!.userId,
    });
    expect((await clients[0]!.api.post(`/orders/${otherOrder.id}/reviews`, { rating: 5 })).status).toBe(201);
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 4.33, ratingCount: 3 });
    expect((await api.get(`/services/${fl.otherServiceId}`)).body).toMatchObject({
      rating: 5,
      ratingCount: 1,
    });
    // (5 + 4 + 4 + 5) / 4 = 4.5
    expect((await api.get(`/users/${fl.userId}`)).body).toMatchObject({ rating: 4.5, ratingCount: 4 });

    // The freelancer reviews a client: only the client's rating moves.
    const back = await fl.api.post(`/orders/${orders[0]!.id}/reviews`, {
      rating: 3,
      comment: '需求描述不够清楚',
    });
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ direction: 'freelancer_to_client', targetUserId: clients[0]!.userId });
    const back2 = await fl.api.post(`/orders/${otherOrder.id}/reviews`, { rating: 4 });
    expect(back2.status).toBe(201);
    const clientMe = await clients[0]!.api.get('/me');
    expect(clientMe.body.clientProfile).toMatchObject({ rating: 3.5, ratingCount: 2 });
    expect((await api.get(`/users/${fl.userId}`)).body).toMatchObject({ rating: 4.5, ratingCount: 4 });
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 4.33, ratingCount: 3 });

    // Duplicates from either side are refused and change nothing.
    const dup = await clients[0]!.api.post(`/orders/${orders[0]!.id}/reviews`, { rating: 1 });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('already_reviewed');
    expect((await fl.api.post(`/orders/${orders[0]!.id}/reviews`, { rating: 1 })).body.code).toBe(
      'already_reviewed',
    );
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 4.33, ratingCount: 3 });

    // The reviewed user is the audience of each review.created event.
    const events = await reviewEvents(fl.userId);
    expect(events).toHaveLength(4);
    for (const e of events) expect(e.audience).toEqual([fl.userId]);
    expect((await reviewEvents(clients[0]!.userId)).map((e) => e.payload['rating'])).toEqual([3, 4]);
  });

  it('rounds averages to two decimals exactly (14 / 3 → 4.67)', async () => {
    const fl = await freelancerWithListings();
    for (const rating of [5, 5, 4]) {
      const c = await signUp(api, { userType: 'client' });
      const order = await orderThroughCommands(t, { serviceId: fl.serviceId, clientId: c.userId });
      expect((await c.api.post(`/orders/${order.id}/reviews`, { rating })).status).toBe(201);
    }
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 4.67, ratingCount: 3 });
  });

  it('counts every review when many arrive at once', async () => {
    const fl = await freelancerWithListings();
    const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => signUp(api, { userType: 'client' })));
    const orders = await Promise.all(
      clients.map((c) => orderThroughCommands(t, { serviceId: fl.serviceId, clientId: c.userId })),
    );
    const ratings = [5, 4, 3, 5, 2, 4]; // 23 / 6 = 3.8333… → 3.83
    const results = await Promise.all(
      clients.map((c, i) => c.api.post(`/orders/${orders[i]!.id}/reviews`, { rating: ratings[i] })),
    );
    expect(results.map((r) => r.status)).toEqual(ratings.map(() => 201));
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 3.83, ratingCount: 6 });
    expect((await api.get(`/users/${fl.userId}`)).body).toMatchObject({ rating: 3.83, ratingCount: 6 });
  });

  it('refuses outsiders, unfinished orders, bad ratings and anonymous callers', async () => {
    const fl = await freelancerWithListings();
    const client = await signUp(api, { userType: 'client' });
    const outsider = await signUp(api, { userType: 'both' });
    const done = await orderThroughCommands(t, { serviceId: fl.serviceId, clientId: client.userId });
    const running = await orderThroughCommands(t, {
      serviceId: fl.serviceId,
      clientId: client.userId,
      status: 'in_progress',
    });

    const stranger = await outsider.api.post(`/orders/${done.id}/reviews`, { rating: 5 });
    expect(stranger.status).toBe(404);
    expect((await client.api.post('/orders/99999999/reviews', { rating: 5 })).status).toBe(404);
    const early = await client.api.post(`/orders/${running.id}/reviews`, { rating: 5 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('order_not_reviewable');
    for (const rating of [0, 6, 4.5, '5']) {
      const bad = await client.api.post(`/orders/${done.id}/reviews`, { rating });
      expect(bad.status, String(rating)).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('body.rating');
    }
    const tooLong = await client.api.post(`/orders/${done.id}/reviews`, {
      rating: 5,
      comment: '好'.repeat(2001),
    });
    expect(tooLong.body.errors[0].field).toBe('body.comment');
    expect((await api.post(`/orders/${done.id}/reviews`, { rating: 5 })).status).toBe(401);

    const count = await t.db.write
      .selectFrom('reviews')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('service_id', '=', fl.serviceId)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
    expect((await api.get(`/services/${fl.serviceId}`)).body).toMatchObject({ rating: 0, ratingCount: 0 });
  });
});

describe('review lists', () => {
  it('pages a listing’s and a user’s reviews newest first, each exactly once', async () => {
    const fl = await freelancerWithListings();
    const ids: number[] = [];
    const clientIds: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const c = await signUp(api, { userType: 'client' });
      clientIds.push(c.userId);
      const order = await orderThroughCommands(t, { serviceId: fl.serviceId, clientId: c.userId });
      ids.push(
        (await c.api.post(`/orders/${order.id}/reviews`, { rating: 1 + (i % 5), comment: `评价${i}` })).body
          .id,
      );
      // The freelancer's reviews of clients must not show on the listing.
      await fl.api.post(`/orders/${order.id}/reviews`, { rating: 5 });
    }

    const pageAll = async (path: string) => {
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const res: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } =
          await api.get(`${path}${sep}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((r) => r.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await pageAll(`/services/${fl.serviceId}/reviews`)).toEqual([...ids].reverse());
    expect(await pageAll(`/users/${fl.userId}/reviews`)).toEqual([...ids].reverse());
    expect(await pageAll(`/users/${fl.userId}/reviews?direction=freelancer_to_client`)).toEqual([]);
    const aboutClient = await api.get(`/users/${clientIds[0]}/reviews?direction=freelancer_to_client`);
    expect(aboutClient.body.items).toHaveLength(1);
    expect(aboutClient.body.items[0]).toMatchObject({
      authorId: fl.userId,
      authorNickname: '匠人小李',
      rating: 5,
    });

    expect((await api.get('/users/99999999/reviews')).status).toBe(404);
    expect((await api.get('/services/99999999/reviews')).status).toBe(404);
    const badCursor = await api.get(`/services/${fl.serviceId}/reviews?cursor=%%%`);
    expect(badCursor.status).toBe(400);
    const foreign = await api.get(
      `/users/${fl.userId}/reviews?cursor=${(await api.get(`/services/${fl.serviceId}/reviews?limit=1`)).body.nextCursor}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('query.cursor');
  });

  it('hides the reviews of a listing the caller may not see', async () => {
    const fl = await freelancerWithListings();
    const draft = (await fl.api.post('/services', serviceBody(cat.logo.id, { submit: false }))).body.id;
    expect((await api.get(`/services/${draft}/reviews`)).status).toBe(404);
    expect((await fl.api.get(`/services/${draft}/reviews`)).status).toBe(200);
  });
});
