import { SERVICE_STATUSES, SERVICE_TRANSITIONS } from '@jiangxin/shared/api/catalog';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../platform/http/problem';
import { ApiClient, signUp, uniqueName } from '../../test/client';
import { createCategory, publishService, seedCatalog, serviceBody } from '../../test/factories/catalog';
import { startTestApp, type TestApp } from '../../test/harness';
import { registerUser } from '../accounts/commands';
import { setServiceStatus } from './commands';

let t: TestApp;
let api: ApiClient;
let cat: Awaited<ReturnType<typeof seedCatalog>>;

beforeAll(async () => {
  t = await startTestApp();
  api = new ApiClient(t.url);
  cat = await seedCatalog(t);
});
afterAll(() => t?.close());

async function serviceEvents(serviceId: number) {
  const rows = await t.db.write
    .selectFrom('events')
    .select(['type', 'payload', 'audience'])
    .where('aggregate_type', '=', 'service')
    .where('aggregate_id', '=', serviceId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    type: r.type,
    payload: (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload) as Record<string, unknown>,
    audience: r.audience.map(Number),
  }));
}

async function countServices() {
  const row = await t.db.write
    .selectFrom('services')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function staffClient() {
  const tokens = await registerUser(
    t.ctx,
    { username: uniqueName('mod'), password: 'correct-horse-1', userType: 'client' } as never,
    { staffRoles: ['moderator'] },
  );
  return api.as(tokens.accessToken);
}

describe('categories and skills', () => {
  it('returns the active tree with zh and en names, children by sort order', async () => {
    const hidden = await createCategory(t, { nameZh: '隐藏', parentId: cat.design.id, isActive: false });
    const res = await api.get('/categories');
    expect(res.status).toBe(200);
    const design = res.body.find((c: { id: number }) => c.id === cat.design.id);
    expect(design).toMatchObject({ name: 'Design', nameZh: '设计', parentId: null });
    expect(design.children.map((c: { nameZh: string }) => c.nameZh)).toEqual(['网页设计', 'LOGO设计']);
    expect(design.children.some((c: { id: number }) => c.id === hidden.id)).toBe(false);
    const roots = res.body.map((c: { id: number }) => c.id);
    expect(roots.indexOf(cat.design.id)).toBeLessThan(roots.indexOf(cat.programming.id));
  });

  it('lists the skills of a category and its parent; unknown category is 404', async () => {
    const res = await api.get(`/categories/${cat.logo.id}/skills`);
    expect(res.status).toBe(200);
    const names = res.body.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(['Branding', 'Illustrator']);
    expect((await api.get('/categories/999999/skills')).status).toBe(404);
  });
});

describe('creating a listing', () => {
  it('stores a submitted listing with derived price and delivery, and announces it', async () => {
    const { api: fl, userId } = await signUp(api, { userType: 'freelancer' });
    const res = await fl.post(
      '/services',
      serviceBody(cat.logo.id, { skillIds: [cat.skills.branding.id, cat.skills.illustrator.id] }),
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'pending_review',
      startingPriceFen: 50_000,
      minDeliveryDays: 4,
      categoryId: cat.logo.id,
      category: { nameZh: 'LOGO设计', name: 'Logo design' },
      freelancer: { id: userId },
      publishedAt: null,
      views: 0,
    });
    expect(res.body.packages.map((p: { tier: string }) => p.tier)).toEqual(['basic', 'standard', 'premium']);
    expect(res.body.skills.map((s: { id: number }) => s.id).sort((a: number, b: number) => a - b)).toEqual(
      [cat.skills.branding.id, cat.skills.illustrator.id].sort((a, b) => a - b),
    );
    const row = await t.db.write
      .selectFrom('services')
      .select(['submitted_at'])
      .where('id', '=', res.body.id)
      .executeTakeFirstOrThrow();
    expect(row.submitted_at).not.toBeNull();
    expect(await serviceEvents(res.body.id)).toEqual([
      {
        type: 'service.submitted',
        payload: expect.objectContaining({
          serviceId: res.body.id,
          freelancerId: userId,
          resubmission: false,
        }),
        audience: [userId],
      },
    ]);
  });

  it('keeps a draft private and unannounced when submit is false', async () => {
    const { api: fl } = await signUp(api, { userType: 'freelancer' });
    const res = await fl.post('/services', serviceBody(cat.web.id, { submit: false }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('draft');
    expect(await serviceEvents(res.body.id)).toEqual([]);
  });

  it('refuses callers who are not freelancers', async () => {
    const { api: client } = await signUp(api, { userType: 'client' });
    expect((await client.post('/services', serviceBody(cat.logo.id))).status).toBe(403);
    expect((await api.post('/services', serviceBody(cat.logo.id))).status).toBe(401);
  });

  it('refuses bad input with a 400 naming the field, and writes nothing', async () => {
    const { api: fl } = await signUp(api, { userType: 'freelancer' });
    const base = serviceBody(cat.logo.id);
    const [basic, standard, premium] = base.packages as [
      (typeof base.packages)[0],
      (typeof base.packages)[0],
      (typeof base.packages)[0],
    ];
    const other = await createCategory(t);
    const inactive = await createCategory(t, { isActive: false });
    const cases: [string, unknown, string][] = [
      ['two packages', { ...base, packages: [basic, standard] }, 'body.packages'],
      ['wrong tier order', { ...base, packages: [standard, basic, premium] }, 'body.packages'],
      [
        'premium cheaper than standard',
        { ...base, packages: [basic, standard, { ...premium, priceFen: standard.priceFen - 1 }] },
        'body.packages.2.priceFen',
      ],
      [
        'standard cheaper than basic',
        { ...base, packages: [basic, { ...standard, priceFen: basic.priceFen - 100 }, premium] },
        'body.packages.1.priceFen',
      ],
      [
        'negative price',
        { ...base, packages: [{ ...basic, priceFen: -100 }, standard, premium] },
        'body.packages.0.priceFen',
      ],
      [
        'fractional price',
        { ...base, packages: [{ ...basic, priceFen: 100.5 }, standard, premium] },
        'body.packages.0.priceFen',
      ],
      [
        'zero price',
        { ...base, packages: [{ ...basic, priceFen: 0 }, standard, premium] },
        'body.packages.0.priceFen',
      ],
      ['unknown category', { ...base, categoryId: 987654 }, 'body.categoryId'],
      ['inactive category', { ...base, categoryId: inactive.id }, 'body.categoryId'],
      ['skill of another category', { ...base, skillIds: [cat.skills.typescript.id] }, 'body.skillIds'],
      ['too-long title', { ...base, title: 'x'.repeat(101) }, 'body.title'],
      ['too-long Chinese title', { ...base, titleZh: '设'.repeat(61) }, 'body.titleZh'],
      ['unknown field', { ...base, featured: true }, 'body'],
      [
        'unknown package field',
        { ...base, packages: [{ ...basic, bonus: 1 }, standard, premium] },
        'body.packages.0',
      ],
    ];
    expect(other.id).toBeGreaterThan(0);
    const before = await countServices();
    for (const [name, body, field] of cases) {
      const res = await fl.post('/services', body);
      expect(res.status, name).toBe(400);
      expect(res.body.code, name).toBe('validation_failed');
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields, name).toContain(field);
      if (name === 'unknown field') expect(JSON.stringify(res.body.errors)).toContain('featured');
    }
    expect(await countServices()).toBe(before);
  });

  it('accepts equal prices on neighbouring tiers', async () => {
    const { api: fl } = await signUp(api, { userType: 'freelancer' });
    const base = serviceBody(cat.logo.id);
    const packages = base.packages.map((p) => ({ ...p, priceFen: 80_000 }));
    const res = await fl.post('/services', { ...base, packages });
    expect(res.status).toBe(201);
    expect(res.body.startingPriceFen).toBe(80_000);
  });
});

describe('seeing a listing', () => {
  it('shows unpublished listings only to the owner and staff; counts views of others', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const { api: other } = await signUp(api, { userType: 'client' });
    const staff = await staffClient();
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;

    expect((await owner.get(`/services/${id}`)).status).toBe(200);
    expect((await staff.get(`/services/${id}`)).status).toBe(200);
    expect((await other.get(`/services/${id}`)).status).toBe(404);
    expect((await api.get(`/services/${id}`)).status).toBe(404);
    expect((await api.get('/services/99999999')).status).toBe(404);

    await publishService(t, id);
    const first = await api.get(`/services/${id}`);
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('published');
    expect(first.body.publishedAt).not.toBeNull();
    expect(first.body.views).toBe(1);
    expect((await other.get(`/services/${id}`)).body.views).toBe(2);
    expect((await owner.get(`/services/${id}`)).body.views).toBe(2);
    expect((await owner.get(`/services/${id}`)).body.views).toBe(2);
    expect((await api.get(`/services/${id}`)).body.views).toBe(3);
  });
});

describe('editing a listing', () => {
  it('sends an edited published listing back to review and out of public view', async () => {
    const { api: owner, userId } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;
    await publishService(t, id);
    const publishedAt = (await api.get(`/services/${id}`)).body.publishedAt;

    const base = serviceBody(cat.logo.id);
    const packages = base.packages.map((p, i) => ({
      ...p,
      priceFen: 10_000 * (i + 1),
      deliveryDays: 10 - i,
    }));
    const res = await owner.patch(`/services/${id}`, { titleZh: '极简LOGO设计', packages });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'pending_review',
      titleZh: '极简LOGO设计',
      title: base.title,
      startingPriceFen: 10_000,
      minDeliveryDays: 8,
      publishedAt,
    });
    expect(res.body.packages.map((p: { priceFen: number }) => p.priceFen)).toEqual([10_000, 20_000, 30_000]);
    expect((await api.get(`/services/${id}`)).status).toBe(404);

    const events = await serviceEvents(id);
    expect(events.slice(-2)).toEqual([
      {
        type: 'service.status_changed',
        payload: { serviceId: id, freelancerId: userId, from: 'published', to: 'pending_review' },
        audience: [userId],
      },
      {
        type: 'service.submitted',
        payload: expect.objectContaining({ resubmission: true, titleZh: '极简LOGO设计' }),
        audience: [userId],
      },
    ]);

    // Re-approval keeps the original publication time.
    await publishService(t, id);
    expect((await api.get(`/services/${id}`)).body.publishedAt).toBe(publishedAt);
  });

  it('hides other people’s listings behind 404 and refuses a bad edit without writing', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const { api: intruder } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;
    const res = await intruder.patch(`/services/${id}`, { title: 'Stolen listing title' });
    expect(res.status).toBe(404);
    expect((await intruder.patch('/services/99999999', { title: 'Nothing here at all' })).status).toBe(404);

    const bad = await owner.patch(`/services/${id}`, { title: 'ok title', skillIds: [cat.skills.figma.id] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.skillIds');
    const moved = await owner.patch(`/services/${id}`, { categoryId: cat.programming.id });
    expect(moved.status).toBe(200);
    const detail = await owner.get(`/services/${id}`);
    expect(detail.body.title).toBe('Professional logo design');
    expect(detail.body.categoryId).toBe(cat.programming.id);
  });

  it('refuses a category change that strands the listing’s skills', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const id = (
      await owner.post('/services', serviceBody(cat.logo.id, { skillIds: [cat.skills.illustrator.id] }))
    ).body.id;
    const res = await owner.patch(`/services/${id}`, { categoryId: cat.web.id });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.categoryId');
    const ok = await owner.patch(`/services/${id}`, {
      categoryId: cat.web.id,
      skillIds: [cat.skills.figma.id],
    });
    expect(ok.status).toBe(200);
    expect(ok.body.skills.map((s: { id: number }) => s.id)).toEqual([cat.skills.figma.id]);
  });

  it('keeps a draft with submit=false and submits it later', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id, { submit: false }))).body.id;
    const saved = await owner.patch(`/services/${id}`, {
      description: '修改后的描述，依然足够长，超过二十个字符的要求。',
      submit: false,
    });
    expect(saved.status).toBe(200);
    expect(saved.body.status).toBe('draft');
    expect(await serviceEvents(id)).toEqual([]);

    const submitted = await owner.patch(`/services/${id}`, { submit: true });
    expect(submitted.body.status).toBe('pending_review');
    const events = await serviceEvents(id);
    expect(events.map((e) => e.type)).toEqual(['service.status_changed', 'service.submitted']);
    expect(events[1]?.payload['resubmission']).toBe(false);

    const notDraft = await owner.patch(`/services/${id}`, { title: 'Another title', submit: false });
    expect(notDraft.status).toBe(400);
    expect(notDraft.body.errors[0].field).toBe('body.submit');
  });

  it('resubmits an edited pending or rejected listing and freezes a suspended one', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;

    const pending = await owner.patch(`/services/${id}`, { title: 'Edited while pending' });
    expect(pending.body.status).toBe('pending_review');
    expect((await serviceEvents(id)).map((e) => [e.type, e.payload['resubmission']])).toEqual([
      ['service.submitted', false],
      ['service.submitted', true],
    ]);

    await t.db.transact((tx) => setServiceStatus(t.ctx, tx, id, 'rejected', { note: '标题含有联系方式' }));
    const rejected = await owner.get(`/services/${id}`);
    expect(rejected.body).toMatchObject({ status: 'rejected', reviewNote: '标题含有联系方式' });
    const resubmitted = await owner.patch(`/services/${id}`, { title: 'Clean title now' });
    expect(resubmitted.body.status).toBe('pending_review');
    expect((await serviceEvents(id)).at(-1)).toMatchObject({
      type: 'service.submitted',
      payload: { resubmission: true, title: 'Clean title now' },
    });

    await publishService(t, id);
    await t.db.transact((tx) => setServiceStatus(t.ctx, tx, id, 'suspended', { note: '违规' }));
    const frozen = await owner.patch(`/services/${id}`, { title: 'Try to edit it' });
    expect(frozen.status).toBe(409);
    expect(frozen.body.code).toBe('service_not_editable');
    expect((await owner.get(`/services/${id}`)).body.title).toBe('Clean title now');
  });

  it('leaves a published listing alone when nothing is edited', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;
    await publishService(t, id);
    const res = await owner.patch(`/services/${id}`, {});
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('published');
  });
});

describe('listing status transitions (setServiceStatus)', () => {
  it('allows exactly the transitions of SERVICE_TRANSITIONS', async () => {
    const { api: owner, userId } = await signUp(api, { userType: 'freelancer' });
    for (const from of SERVICE_STATUSES) {
      for (const to of SERVICE_STATUSES) {
        const id = (await owner.post('/services', serviceBody(cat.logo.id, { submit: false }))).body.id;
        await t.db.transact((tx) =>
          tx.updateTable('services').set({ status: from }).where('id', '=', id).execute(),
        );
        const allowed = (SERVICE_TRANSITIONS[from] as readonly string[]).includes(to);
        const outcome = await t.db
          .transact((tx) => setServiceStatus(t.ctx, tx, id, to, { note: null }))
          .then(
            () => 'ok',
            (err: unknown) => (err instanceof AppError ? err.code : String(err)),
          );
        expect(outcome, `${from} → ${to}`).toBe(allowed ? 'ok' : 'service_transition_not_allowed');
        const row = await t.db.write
          .selectFrom('services')
          .select(['status', 'published_at'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.status).toBe(allowed ? to : from);
        if (allowed) {
          const last = (await serviceEvents(id)).find((e) => e.type === 'service.status_changed');
          expect(last).toEqual({
            type: 'service.status_changed',
            payload: { serviceId: id, freelancerId: userId, from, to },
            audience: [userId],
          });
          if (to === 'published') expect(row.published_at).not.toBeNull();
        }
      }
    }
  });

  it('stamps published_at on the first publication only', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const id = (await owner.post('/services', serviceBody(cat.logo.id))).body.id;
    await publishService(t, id);
    const first = (await api.get(`/services/${id}`)).body.publishedAt;
    t.clock.advance(60_000);
    await t.db.transact((tx) => setServiceStatus(t.ctx, tx, id, 'suspended'));
    await t.db.transact((tx) => setServiceStatus(t.ctx, tx, id, 'published'));
    expect((await api.get(`/services/${id}`)).body.publishedAt).toBe(first);
  });
});

describe('my listings', () => {
  it('lists the caller’s listings of every status, filters by status and pages by cursor', async () => {
    const { api: owner } = await signUp(api, { userType: 'freelancer' });
    const { api: someoneElse } = await signUp(api, { userType: 'freelancer' });
    await someoneElse.post('/services', serviceBody(cat.logo.id));
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await owner.post('/services', serviceBody(cat.logo.id, { submit: i % 2 === 0 }))).body.id);
    await publishService(t, ids[0]!);

    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: number }[]; nextCursor: string | null } } =
        await owner.get(`/me/services?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((s) => s.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const drafts = await owner.get('/me/services?status=draft');
    expect(drafts.body.items.map((s: { id: number }) => s.id).sort()).toEqual([ids[1], ids[3]].sort());
    expect(drafts.body.items[0]).toMatchObject({ status: 'draft', reviewNote: null, submittedAt: null });
    const published = await owner.get('/me/services?status=published');
    expect(published.body.items.map((s: { id: number }) => s.id)).toEqual([ids[0]]);
    expect((await owner.get('/me/services?cursor=bm9wZQ')).status).toBe(400);
    expect((await api.get('/me/services')).status).toBe(401);
  });
});
