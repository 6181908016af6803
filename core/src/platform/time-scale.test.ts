import type { CaseSummary } from '@jiangxin/shared/ops/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../test/client';
import { insertPublishedService, seedCatalog, serviceBody } from '../test/factories/catalog';
import { signUpStaff } from '../test/factories/staff';
import { idem } from '../test/flows';
import { startTestApp, type TestApp } from '../test/harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { TIME_SCALE: '60' } });
});
afterAll(() => t?.close());

describe('TIME_SCALE', () => {
  it('divides business deadlines: a 30-minute payment window is 30 s, a 24-hour review SLA is 24 minutes', async () => {
    const freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
    const client = await signUp(new ApiClient(t.url), { userType: 'client' });
    const { logo } = await seedCatalog(t);
    const submitted = await freelancer.api.post(
      '/services',
      serviceBody(logo.id, { titleZh: '时间缩放测试' }),
    );
    expect(submitted.status).toBe(201);
    const moderator = await signUpStaff(t, ['moderator']);
    const list = await moderator.api.get<{ items: CaseSummary[] }>('/ops/cases?kind=listing_review');
    const c = list.body.items.find((i) => i.subjectId === submitted.body.id)!;
    expect(new Date(c.slaDueAt!).getTime() - new Date(c.createdAt).getTime()).toBe(24 * 60_000);

    const { serviceId } = await insertPublishedService(t, freelancer.userId);
    const order = await client.api.post(
      '/orders',
      { serviceId, tier: 'basic', paymentProvider: 'alipay' },
      idem(),
    );
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const row = await t.db.read
      .selectFrom('orders')
      .select(['created_at', 'payment_deadline'])
      .where('id', '=', order.body.order.id)
      .executeTakeFirstOrThrow();
    expect(new Date(row.payment_deadline!).getTime() - new Date(row.created_at).getTime()).toBeCloseTo(
      30_000,
      -3,
    );
  });
});
