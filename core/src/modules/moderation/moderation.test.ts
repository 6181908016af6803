import type { CaseDetail, CaseSummary } from '@jiangxin/shared/ops/cases';
import {
  listingReviewDetailSchema,
  REJECT_REASON_LABELS,
  reportDetailSchema,
  type ScanHit,
} from '@jiangxin/shared/ops/moderation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, signUp } from '../../test/client';
import {
  insertPublishedService,
  orderThroughCommands,
  seedCatalog,
  serviceBody,
} from '../../test/factories/catalog';
import { signUpStaffTeam } from '../../test/factories/staff';
import { startTestApp, type TestApp } from '../../test/harness';
import { liftExpiredSanctions } from './ops';

let t: TestApp;
let team: Awaited<ReturnType<typeof signUpStaffTeam>>;
let freelancer: Awaited<ReturnType<typeof signUp>>;
let categoryId: number;

beforeAll(async () => {
  t = await startTestApp();
  team = await signUpStaffTeam(t);
  freelancer = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
  categoryId = (await seedCatalog(t)).logo.id;
});
afterAll(() => t?.close());

const mod = () => team.moderator.api;

/** The live case of a kind about a subject, as the moderator's queue shows it. */
async function caseOf(kind: string, subjectId: number, subjectType?: string): Promise<CaseSummary> {
  const list = await mod().get(`/ops/cases?kind=${kind}&limit=200`);
  expect(list.status).toBe(200);
  const found = list.body.items.find(
    (c: CaseSummary) => c.subjectId === subjectId && (!subjectType || c.subjectType === subjectType),
  );
  expect(found, `${kind} case for ${subjectId}`).toBeTruthy();
  return found;
}

async function submit(over: Parameters<typeof serviceBody>[1] = {}) {
  const res = await freelancer.api.post('/services', serviceBody(categoryId, over));
  expect(res.status).toBe(201);
  return { serviceId: res.body.id as number, review: await caseOf('listing_review', res.body.id) };
}

async function myListing(serviceId: number) {
  const mine = await freelancer.api.get('/me/services?limit=100');
  expect(mine.status).toBe(200);
  return mine.body.items.find((s: { id: number }) => s.id === serviceId);
}

const count = async (table: 'reports' | 'sanctions') =>
  Number(
    (await t.db.read.selectFrom(table).select(t.db.read.fn.countAll().as('n')).executeTakeFirstOrThrow()).n,
  );

describe('listing review', () => {
  it('contact details in a listing open a high-priority case with hits that point into the original text', async () => {
    const description = '为您的品牌设计独特的标志，包含源文件。有问题加我微信 abc_12345 详聊。';
    const base = serviceBody(categoryId);
    const packages = base.packages.map((p, i) =>
      i === 1 ? { ...p, description: '3 个方案，急单请打电话 138 0013 8000' } : p,
    ) as typeof base.packages;
    const { serviceId, review } = await submit({ titleZh: '联系方式测试LOGO', description, packages });
    expect(review.priority).toBe(2);
    expect(review.flags).toEqual(expect.arrayContaining(['contact_leak']));
    expect(review.flags).not.toContain('prohibited_word');

    const detail = await mod().get<CaseDetail>(`/ops/cases/${review.id}`);
    expect(detail.status).toBe(200);
    // The detail is what the shared contract says (the console parses it with the same schema).
    expect(listingReviewDetailSchema.safeParse(detail.body.detail).error).toBeUndefined();
    const d = detail.body.detail as {
      listing: { description: string; packages: { tier: string; description: string }[] };
      hits: Record<string, ScanHit[]>;
      seller: { id: number; listings: { total: number }; accountAgeDays: number; sanctions: unknown[] };
    };
    expect(d.listing.description).toBe(description);
    const [wechat] = d.hits['description']!;
    expect(wechat).toMatchObject({ kind: 'wechat', match: '微信 abc_12345' });
    expect(description.slice(wechat!.start, wechat!.end)).toBe('微信 abc_12345');
    const [phone] = d.hits['packages.standard.description']!;
    const standard = d.listing.packages.find((p) => p.tier === 'standard')!.description;
    expect(phone).toMatchObject({ kind: 'phone', match: '138 0013 8000' });
    expect(standard.slice(phone!.start, phone!.end)).toBe('138 0013 8000');
    expect(d.seller).toMatchObject({ id: freelancer.userId, accountAgeDays: 0, sanctions: [] });
    expect(d.seller.listings.total).toBeGreaterThanOrEqual(1);
    expect(detail.body.actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['approve', 'reject', 'request_changes']),
    );
    expect(serviceId).toBe(review.subjectId);
  });

  it('a prohibited word makes the case urgent; a clean listing stays normal with no hits', async () => {
    const bad = await submit({
      titleZh: '毕业设计辅导',
      description: '本人长期承接代 写 论 文，价格优惠，欢迎咨询。',
    });
    expect(bad.review).toMatchObject({ priority: 3 });
    expect(bad.review.flags).toContain('prohibited_word');
    const clean = await submit({ titleZh: '干净的LOGO设计' });
    expect(clean.review).toMatchObject({ priority: 1, flags: [] });
    const detail = await mod().get<CaseDetail>(`/ops/cases/${clean.review.id}`);
    expect(detail.body.detail['hits']).toEqual({});
  });

  it('reject with a reason code: the freelancer sees the listing rejected with the reason in zh and en', async () => {
    const { serviceId, review } = await submit({ titleZh: '驳回测试LOGO' });
    const bogus = await mod().post(`/ops/cases/${review.id}/perform/reject`, {
      version: review.version,
      reason: 'too_ugly',
    });
    expect(bogus.status).toBe(400);
    expect(JSON.stringify(bogus.body.errors)).toContain('reason');
    expect((await myListing(serviceId)).status).toBe('pending_review');

    const res = await mod().post(`/ops/cases/${review.id}/perform/reject`, {
      version: review.version,
      reason: 'contact_info',
      note: '请删除描述中的微信号',
    });
    expect(res.status).toBe(200);
    expect(res.body.case).toMatchObject({ status: 'resolved', outcome: 'rejected' });
    const listing = await myListing(serviceId);
    expect(listing.status).toBe('rejected');
    expect(listing.reviewNote).toContain(REJECT_REASON_LABELS.contact_info.zh);
    expect(listing.reviewNote).toContain(REJECT_REASON_LABELS.contact_info.en);
    expect(listing.reviewNote).toContain('请删除描述中的微信号');
  });

  it('the seller history lists their earlier decided reviews with the reject reasons, newest first', async () => {
    const first = await submit({ titleZh: '历史测试LOGO一' });
    const rejected = await mod().post(`/ops/cases/${first.review.id}/perform/reject`, {
      version: first.review.version,
      reason: 'ip_infringement',
      note: '使用了他人商标',
    });
    expect(rejected.status).toBe(200);
    const second = await submit({ titleZh: '历史测试LOGO二' });
    const approved = await mod().post(`/ops/cases/${second.review.id}/perform/approve`, {
      version: second.review.version,
    });
    expect(approved.status).toBe(200);
    const third = await submit({ titleZh: '历史测试LOGO三' });
    const detail = await mod().get<CaseDetail>(`/ops/cases/${third.review.id}`);
    const d = listingReviewDetailSchema.parse(detail.body.detail);
    expect(d.pastReviews.slice(0, 2)).toEqual([
      expect.objectContaining({
        caseId: second.review.id,
        serviceId: second.serviceId,
        outcome: 'approved',
        rejectReason: null,
      }),
      expect.objectContaining({
        caseId: first.review.id,
        serviceId: first.serviceId,
        title: '历史测试LOGO一',
        outcome: 'rejected',
        rejectReason: 'ip_infringement',
      }),
    ]);
    expect(d.pastReviews.map((p) => p.caseId)).not.toContain(third.review.id);
    expect(d.seller?.listings.rejected).toBeGreaterThanOrEqual(1);
  });

  it('request changes needs a note and sends the listing back to draft', async () => {
    const { serviceId, review } = await submit({ titleZh: '修改测试LOGO' });
    const noNote = await mod().post(`/ops/cases/${review.id}/perform/request_changes`, {
      version: review.version,
    });
    expect(noNote.status).toBe(400);
    expect(JSON.stringify(noNote.body.errors)).toContain('note');
    const res = await mod().post(`/ops/cases/${review.id}/perform/request_changes`, {
      version: review.version,
      note: '请补充交付物说明',
    });
    expect(res.status).toBe(200);
    expect(res.body.case.outcome).toBe('changes_requested');
    const listing = await myListing(serviceId);
    expect(listing).toMatchObject({ status: 'draft', reviewNote: '请补充交付物说明' });
  });
});

describe('reports and sanctions', () => {
  it('a contact leak in a message opens a system report; the recipient’s report joins it; uphold with a 3-day suspension locks the sender out until it expires', async () => {
    const sender = await signUp(new ApiClient(t.url), {
      userType: 'freelancer',
      username: `spam${Date.now()}`,
    });
    const recipient = await signUp(new ApiClient(t.url), { userType: 'client' });
    const outsider = await signUp(new ApiClient(t.url), { userType: 'client' });
    const conv = await recipient.api.post('/conversations', {
      participantId: sender.userId,
      message: '你好，想咨询LOGO设计',
    });
    expect(conv.status).toBe(201);
    const convId = conv.body.id as number;
    const sent = await sender.api.post(`/conversations/${convId}/messages`, {
      type: 'text',
      content: '平台抽成太高，加我VX：logo_studio88 私下交易',
    });
    expect(sent.status).toBe(201);
    const messageId = sent.body.id as number;
    await sender.api.post(`/conversations/${convId}/messages`, { type: 'text', content: '价格可以便宜一点' });

    const flagged = await caseOf('report', messageId, 'message');
    expect(flagged).toMatchObject({ userId: sender.userId, priority: 2, status: 'open' });
    expect(flagged.flags).toContain('contact_leak');

    // Only the conversation's participants can see (and so report) the message.
    const reportsBefore = await count('reports');
    const notVisible = await outsider.api.post('/reports', {
      targetType: 'message',
      targetId: messageId,
      reason: 'contact_info',
    });
    expect(notVisible.status).toBe(404);
    const own = await sender.api.post('/reports', {
      targetType: 'message',
      targetId: messageId,
      reason: 'spam',
    });
    expect(own.status).toBe(400);
    expect(own.body.code).toBe('cannot_report_own');
    expect(await count('reports')).toBe(reportsBefore);

    const joined = await recipient.api.post('/reports', {
      targetType: 'message',
      targetId: messageId,
      reason: 'contact_info',
      detail: '对方要求私下转账',
    });
    expect(joined.status).toBe(201);
    expect(joined.body.joined).toBe(true);
    const again = await recipient.api.post('/reports', {
      targetType: 'message',
      targetId: messageId,
      reason: 'spam',
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_reported');

    const c = await caseOf('report', messageId, 'message');
    expect(c.id).toBe(flagged.id);
    expect(c.summary).toMatchObject({ reportCount: 2 });
    const detail = await mod().get<CaseDetail>(`/ops/cases/${c.id}`);
    expect(reportDetailSchema.safeParse(detail.body.detail).error).toBeUndefined();
    const d = detail.body.detail as {
      reports: { bySystem: boolean; reporterId: number | null; detail: string }[];
      target: { content: string; thread: { content: string; reported: boolean }[] };
      hits: Record<string, ScanHit[]>;
      author: { id: number };
    };
    expect(d.reports).toHaveLength(2);
    expect(d.reports[0]).toMatchObject({ bySystem: true, reporterId: null });
    expect(d.reports[1]).toMatchObject({ reporterId: recipient.userId, detail: '对方要求私下转账' });
    expect(d.target.thread.map((m) => m.content)).toEqual([
      '你好，想咨询LOGO设计',
      '平台抽成太高，加我VX：logo_studio88 私下交易',
      '价格可以便宜一点',
    ]);
    expect(d.target.thread.find((m) => m.reported)?.content).toBe(d.target.content);
    const hit = d.hits['content']![0]!;
    expect(d.target.content.slice(hit.start, hit.end)).toBe('VX：logo_studio88');
    expect(d.author.id).toBe(sender.userId);

    // Uphold: take the message down and suspend the sender for 3 days.
    const badDays = await mod().post(`/ops/cases/${c.id}/perform/uphold`, {
      version: c.version,
      note: '引导站外交易',
      sanction: { kind: 'suspend', days: 0, reason: 'contact_info' },
    });
    expect(badDays.status).toBe(400);
    expect(JSON.stringify(badDays.body.errors)).toContain('days');
    // The sender has an email address, so the sanction notice is queued for it.
    await t.db.write
      .updateTable('users')
      .set({ email: `${sender.userId}@example.cn` })
      .where('id', '=', sender.userId)
      .execute();
    const upheld = await mod().post(`/ops/cases/${c.id}/perform/uphold`, {
      version: c.version,
      note: '引导站外交易',
      takedown: true,
      sanction: { kind: 'suspend', days: 3, reason: 'contact_info', note: '首次违规' },
    });
    expect(upheld.status).toBe(200);
    expect(upheld.body.case).toMatchObject({ status: 'resolved', outcome: 'upheld' });
    const notice = await t.db.read
      .selectFrom('notifications')
      .select(['channel', 'subject', 'body'])
      .where('user_id', '=', sender.userId)
      .where('template', '=', 'sanction_applied')
      .execute();
    // One notice per sanction: the takedown and the suspension, each naming the reason in words.
    const suspension = notice.find((n) => n.subject === '【匠心】账号处理通知：限期封禁');
    expect(suspension?.channel).toBe('email');
    expect(suspension!.body).toContain('解除');
    expect(suspension!.body).not.toContain('contact_info');
    expect(notice.map((n) => n.subject).sort()).toEqual([
      '【匠心】账号处理通知：内容下架',
      '【匠心】账号处理通知：限期封禁',
    ]);

    const page = await recipient.api.get(`/conversations/${convId}/messages`);
    const shown = page.body.items.find((m: { id: number }) => m.id === messageId);
    expect(shown.content).not.toContain('logo_studio88');
    expect(shown.content).toContain('已被隐藏');

    const login = () =>
      new ApiClient(t.url).post('/auth/login', {
        login: sender.tokens.user.username,
        password: 'correct-horse-1',
      });
    const refused = await login();
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('account_suspended');
    const refresh = await new ApiClient(t.url).post('/auth/refresh', {
      refreshToken: sender.tokens.refreshToken,
    });
    expect(refresh.status).toBe(401);

    const sanctions = await mod().get(`/ops/users/${sender.userId}/sanctions`);
    expect(sanctions.status).toBe(200);
    expect(sanctions.body.items.map((s: { kind: string; status: string }) => [s.kind, s.status])).toEqual([
      ['suspend', 'active'],
      ['takedown', 'active'],
    ]);

    t.clock.advance(2 * 86_400_000);
    expect(await liftExpiredSanctions(t.ctx)).toBe(0);
    expect((await login()).status).toBe(403);
    t.clock.advance(1 * 86_400_000 + 60_000);
    expect(await liftExpiredSanctions(t.ctx)).toBe(1);
    expect(await liftExpiredSanctions(t.ctx)).toBe(0);
    const back = await login();
    expect(back.status).toBe(200);
    const user = await t.db.read
      .selectFrom('users')
      .select(['status', 'suspended_until'])
      .where('id', '=', sender.userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ status: 'active', suspended_until: null });
    const after = await mod().get(`/ops/users/${sender.userId}/sanctions`);
    expect(after.body.items[0]).toMatchObject({ kind: 'suspend', status: 'expired' });
    const audit = await t.db.read
      .selectFrom('audit_log')
      .select('action')
      .where('subject_type', '=', 'user')
      .where('subject_id', '=', sender.userId)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['sanction.apply', 'sanction.apply', 'sanction.expire']);
  });

  it('a reported listing: several reports join one case; uphold with takedown suspends the listing; revoking the takedown restores it', async () => {
    const seller = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
    const { serviceId } = await insertPublishedService(t, seller.userId);
    const a = await signUp(new ApiClient(t.url));
    const b = await signUp(new ApiClient(t.url));
    const ra = await a.api.post('/reports', { targetType: 'listing', targetId: serviceId, reason: 'fraud' });
    expect(ra.status).toBe(201);
    expect(ra.body.joined).toBe(false);
    const rb = await b.api.post('/reports', { targetType: 'listing', targetId: serviceId, reason: 'spam' });
    expect(rb.body.joined).toBe(true);
    const ownReport = await seller.api.post('/reports', {
      targetType: 'listing',
      targetId: serviceId,
      reason: 'spam',
    });
    expect(ownReport.status).toBe(400);

    const c = await caseOf('report', serviceId, 'listing');
    expect(c.summary).toMatchObject({ reportCount: 2, reasons: ['fraud', 'spam'] });
    const detail = await mod().get<CaseDetail>(`/ops/cases/${c.id}`);
    expect((detail.body.detail['target'] as { excerpt: string }).excerpt).toContain('品牌');

    const asSupport = await team.support.api.post(`/ops/users/${seller.userId}/sanctions`, {
      kind: 'warn',
      reason: 'spam',
    });
    expect(asSupport.status).toBe(403);

    const res = await mod().post(`/ops/cases/${c.id}/perform/uphold`, {
      version: c.version,
      note: '虚假服务',
      takedown: true,
    });
    expect(res.status).toBe(200);
    const [takedownId] = res.body.result.sanctionIds as number[];
    const listing = await t.db.read
      .selectFrom('services')
      .select('status')
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(listing.status).toBe('suspended');

    const revoked = await mod().post(`/ops/sanctions/${takedownId}/revoke`, { note: '复核后恢复' });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', revokeNote: '复核后恢复' });
    const restored = await t.db.read
      .selectFrom('services')
      .select('status')
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(restored.status).toBe('published');
    const twice = await mod().post(`/ops/sanctions/${takedownId}/revoke`, { note: '再次撤销' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('sanction_not_active');
  });

  it('an upheld report on a review hides it from the listing’s reviews', async () => {
    const seller = await signUp(new ApiClient(t.url), { userType: 'freelancer' });
    const buyer = await signUp(new ApiClient(t.url), { userType: 'client' });
    const { serviceId } = await insertPublishedService(t, seller.userId);
    const order = await orderThroughCommands(t, { serviceId, clientId: buyer.userId });
    const review = await buyer.api.post(`/orders/${order.id}/reviews`, {
      rating: 1,
      comment: '垃圾服务，想要更好的设计加微信 cheap_logo666',
    });
    expect(review.status).toBe(201);
    const reviewId = review.body.id as number;
    const reported = await seller.api.post('/reports', {
      targetType: 'review',
      targetId: reviewId,
      reason: 'fake_review',
    });
    expect(reported.status).toBe(201);
    const c = await caseOf('report', reviewId, 'review');
    expect(c.flags).toContain('contact_leak');
    // The review in context: its rating and the listing it is about.
    const detail = reportDetailSchema.parse((await mod().get<CaseDetail>(`/ops/cases/${c.id}`)).body.detail);
    expect(detail.targetType).toBe('review');
    const listingTitle = await t.db.read
      .selectFrom('services')
      .select(['title', 'title_zh'])
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(detail.target).toMatchObject({
      rating: 1,
      serviceId,
      serviceTitle: listingTitle.title_zh || listingTitle.title,
      authorId: buyer.userId,
    });
    const listed = async () =>
      (await new ApiClient(t.url).get(`/services/${serviceId}/reviews`)).body.items.map(
        (r: { id: number }) => r.id,
      );
    expect(await listed()).toContain(reviewId);
    const res = await mod().post(`/ops/cases/${c.id}/perform/uphold`, {
      version: c.version,
      note: '评价中含广告',
      takedown: true,
    });
    expect(res.status).toBe(200);
    expect(await listed()).not.toContain(reviewId);
    // The taken-down 1-star review no longer drags the listing's rating down.
    const listing = await t.db.read
      .selectFrom('services')
      .select(['rating', 'rating_count'])
      .where('id', '=', serviceId)
      .executeTakeFirstOrThrow();
    expect(listing).toEqual({ rating: 0, rating_count: 0 });
    // Hidden content cannot be reported again.
    const again = await seller.api.post('/reports', {
      targetType: 'review',
      targetId: reviewId,
      reason: 'spam',
    });
    expect(again.status).toBe(404);
  });

  it('direct sanctions: warn, ban and revoke; bad input names the field and writes nothing', async () => {
    const user = await signUp(new ApiClient(t.url), { userType: 'both' });
    const reports = await count('reports');
    const sanctions = await count('sanctions');
    for (const [body, field] of [
      [{ kind: 'suspend', days: 0, reason: 'spam' }, 'days'],
      [{ kind: 'suspend', reason: 'spam' }, 'days'],
      [{ kind: 'warn', days: 3, reason: 'spam' }, 'days'],
      [{ kind: 'warn', reason: 'being_rude' }, 'reason'],
      [{ kind: 'takedown', reason: 'spam' }, 'kind'],
    ] as const) {
      const r = await mod().post(`/ops/users/${user.userId}/sanctions`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(r.body.errors)).toContain(field);
    }
    expect(
      (await mod().post('/ops/users/999999999/sanctions', { kind: 'warn', reason: 'spam' })).status,
    ).toBe(404);
    const staffTarget = await mod().post(`/ops/users/${team.support.userId}/sanctions`, {
      kind: 'ban',
      reason: 'spam',
    });
    expect(staffTarget.status).toBe(409);

    const badReports = [
      [{ targetType: 'listing', targetId: 1, reason: 'i_dont_like_it' }, 400],
      [{ targetType: 'planet', targetId: 1, reason: 'spam' }, 400],
      [{ targetType: 'listing', targetId: 999999999, reason: 'spam' }, 404],
      [{ targetType: 'review', targetId: 999999999, reason: 'fake_review' }, 404],
      [{ targetType: 'user', targetId: user.userId, reason: 'spam' }, 400],
    ] as const;
    for (const [body, status] of badReports) {
      const r = await user.api.post('/reports', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
    }
    expect(
      (await new ApiClient(t.url).post('/reports', { targetType: 'user', targetId: 1, reason: 'spam' }))
        .status,
    ).toBe(401);
    expect(await count('reports')).toBe(reports);
    expect(await count('sanctions')).toBe(sanctions);

    const warn = await mod().post(`/ops/users/${user.userId}/sanctions`, {
      kind: 'warn',
      reason: 'spam',
      note: '请勿群发广告',
    });
    expect(warn.status).toBe(201);
    expect(warn.body).toMatchObject({
      kind: 'warn',
      status: 'active',
      endsAt: null,
      reasonText: { zh: '垃圾广告', en: 'Spam' },
    });
    const ban = await mod().post(`/ops/users/${user.userId}/sanctions`, { kind: 'ban', reason: 'fraud' });
    expect(ban.status).toBe(201);
    const login = () =>
      new ApiClient(t.url).post('/auth/login', {
        login: user.tokens.user.username,
        password: 'correct-horse-1',
      });
    expect((await login()).status).toBe(403);
    const revoked = await mod().post(`/ops/sanctions/${ban.body.id}/revoke`, { note: '误封' });
    expect(revoked.status).toBe(200);
    expect((await login()).status).toBe(200);
  });
});
